// Data paths as the lab tests and the bench run them: a plain data path ("afxdp") or a variant
// named "<datapath>+<mode>" that adds the settings deciding how its workers receive
// ("afxdp+spin" is --datapath=afxdp --busy_poll=spin). Tests parameterised by data path take
// these names, so a receive mode is one more value of the parameter, not a copied test.
#ifndef REFLECTOR_TESTING_LAB_DATAPATH_VARIANT_H_
#define REFLECTOR_TESTING_LAB_DATAPATH_VARIANT_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace reflector::testing::lab {

struct DataPathVariant {
  const char* name;                // "afxdp+spin"
  const char* datapath;            // "afxdp"
  std::vector<std::string> flags;  // reflectord's flags beyond --datapath
};

// Every variant, in a fixed order.
const std::vector<DataPathVariant>& DataPathVariants();
// nullptr when `name` is not a variant (a plain data path, or anything else).
const DataPathVariant* FindDataPathVariant(absl::string_view name);

// The data path `name` runs: "afxdp" for "afxdp+spin", `name` itself otherwise.
std::string DataPathOf(absl::string_view name);
// reflectord's flags for `name`: --datapath and the variant's own.
std::vector<std::string> DataPathFlags(absl::string_view name);
// The same on the lab interface `interface`; for dpdk that adds the EAL arguments of a
// net_af_packet vdev over it (no hugepages, no PCI, no shared files, no telemetry socket), so
// the dpdk data path runs on the lab veth (a vdev, not a NIC: its figures are a vdev's).
std::vector<std::string> DataPathFlags(absl::string_view name, absl::string_view interface);
// Those EAL arguments.
std::string DpdkVdevEalArgs(absl::string_view interface);
// `name` as a gtest parameter name ("afxdp_spin").
std::string DataPathTestName(absl::string_view name);

}  // namespace reflector::testing::lab

#endif  // REFLECTOR_TESTING_LAB_DATAPATH_VARIANT_H_
