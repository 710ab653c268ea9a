// The shared frame table (reflector/packet/testing/frame_table.h) split by classifier config:
// a running reflector has one config, so lab tests and fixtures take the table one group at
// a time and start the reflector with that group's flags.
#ifndef REFLECTOR_TESTING_GOLDEN_TABLE_GROUPS_H_
#define REFLECTOR_TESTING_GOLDEN_TABLE_GROUPS_H_

#include <string>
#include <vector>

#include "absl/types/span.h"
#include "reflector/packet/config.h"
#include "reflector/packet/testing/frame_table.h"

namespace reflector::testing::golden {

struct CaseGroup {
  std::string name;  // "default", "port_any", "mode_mac", ... from how it differs from default
  packet::FilterConfig filter;  // as flags state it (no custom rules)
  rf_config config;             // compiled from `filter`
  std::vector<const packet::testing::FrameCase*> cases;
};

// Frames a packet socket can put on a 1500-byte-MTU veth: at least an Ethernet header and at
// most 1514 bytes (the jumbo and sub-header cases stay in the unit tests).
bool FitsLabVeth(absl::Span<const uint8_t> frame);

// The table's cases whose frame fits and whose config the daemon's flags can state, grouped
// by config in table order. With `ignore_mode` the mode is left out of the grouping and set to
// kAll in each group's config (the caller applies the modes itself).
std::vector<CaseGroup> GroupTableByConfig(bool ignore_mode);

// The names of the table's cases that FitsLabVeth leaves out, for test logs.
std::vector<std::string> CasesNotFittingLabVeth();

// The names of the table's cases with custom rules, which GroupTableByConfig leaves out: they
// need [[rule]] tables in a config file, not flags. The packet library's, the XDP program's
// and the differential tests run them; the daemon's own rule tests cover the config file.
std::vector<std::string> CasesWithCustomRules();

}  // namespace reflector::testing::golden

#endif  // REFLECTOR_TESTING_GOLDEN_TABLE_GROUPS_H_
