#include "testing/lab/datapath_variant.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace reflector::testing::lab {

const std::vector<DataPathVariant>& DataPathVariants() {
  static const std::vector<DataPathVariant>* const variants = new std::vector<DataPathVariant>{
      {"afxdp+spin", "afxdp", {"--busy_poll=spin"}},
      {"afxdp+kernel", "afxdp", {"--busy_poll=kernel"}},
      {"afpacket+spin", "afpacket", {"--busy_poll=spin"}},
      {"afpacket+blocks", "afpacket", {"--afpacket_rx=blocks"}},
      // Sleeping workers at a real-time priority: a wakeup takes the CPU at once.
      {"afxdp+rt", "afxdp", {"--worker_priority=1"}},
      {"afpacket+rt", "afpacket", {"--worker_priority=1"}},
  };
  return *variants;
}

const DataPathVariant* FindDataPathVariant(absl::string_view name) {
  for (const DataPathVariant& variant : DataPathVariants()) {
    if (variant.name == name) return &variant;
  }
  return nullptr;
}

std::string DataPathOf(absl::string_view name) {
  const DataPathVariant* variant = FindDataPathVariant(name);
  return variant != nullptr ? variant->datapath : std::string(name);
}

std::vector<std::string> DataPathFlags(absl::string_view name) {
  std::vector<std::string> flags = {absl::StrCat("--datapath=", DataPathOf(name))};
  if (const DataPathVariant* variant = FindDataPathVariant(name)) {
    flags.insert(flags.end(), variant->flags.begin(), variant->flags.end());
  }
  return flags;
}

std::vector<std::string> DataPathFlags(absl::string_view name, absl::string_view interface) {
  std::vector<std::string> flags = DataPathFlags(name);
  if (DataPathOf(name) == "dpdk") {
    flags.push_back(absl::StrCat("--dpdk_eal_args=", DpdkVdevEalArgs(interface)));
  }
  return flags;
}

std::string DpdkVdevEalArgs(absl::string_view interface) {
  return absl::StrCat("-l 0 --no-huge --no-pci --no-shconf --no-telemetry --vdev=net_af_packet0,iface=",
                      interface);
}

std::string DataPathTestName(absl::string_view name) {
  return absl::StrReplaceAll(name, {{"+", "_"}});
}

}  // namespace reflector::testing::lab
