#include "testing/golden/classifier_flags.h"

#include "absl/strings/str_cat.h"
#include "reflector/packet/config.h"
#include "reflector/packet/packet.h"

namespace reflector::testing::golden {
namespace {

const char* Bool(bool value) { return value ? "true" : "false"; }

}  // namespace

std::vector<std::string> ClassifierFlags(const rf_config& config, bool with_mode) {
  std::vector<packet::Oui> ouis;
  for (int i = 0; i < config.oui_count && i < RF_MAX_OUIS; ++i) {
    ouis.push_back({config.ouis[i][0], config.ouis[i][1], config.ouis[i][2]});
  }
  std::vector<std::string> flags = {
      absl::StrCat("--port=", config.port),
      absl::StrCat("--oui=", packet::FormatOuiList(ouis)),
      absl::StrCat("--dst_mac_filter=", Bool(config.flags & RF_CFG_DST_MAC_FILTER)),
      absl::StrCat("--signatures=", packet::FormatSignatures(config.signatures)),
      absl::StrCat("--vlan=", Bool(config.flags & RF_CFG_VLAN)),
      absl::StrCat("--ipv6=", Bool(config.flags & RF_CFG_IPV6)),
  };
  if (with_mode) {
    flags.push_back(
        absl::StrCat("--mode=", packet::ModeName(static_cast<packet::Mode>(config.mode))));
  }
  return flags;
}

}  // namespace reflector::testing::golden
