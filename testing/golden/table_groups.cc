#include "testing/golden/table_groups.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "reflector/packet/packet.h"
#include "reflector/packet/testing/frame_builder.h"

namespace reflector::testing::golden {
namespace {

using packet::testing::FrameCase;

constexpr size_t kEthernetHeader = 14;
constexpr size_t kLabMtu = 1500;

bool SameConfig(const rf_config& a, const rf_config& b) {
  return std::memcmp(&a, &b, sizeof(a)) == 0;
}

// How `config` differs from the default test config, as a file-name-friendly word list.
std::string GroupName(const rf_config& config) {
  const rf_config base = packet::testing::DefaultTestConfig();
  std::vector<std::string> parts;
  if (config.port != base.port) {
    parts.push_back(config.port == 0 ? "port_any" : absl::StrCat("port_", config.port));
  }
  if (config.oui_count != base.oui_count ||
      std::memcmp(config.ouis, base.ouis, sizeof(config.ouis)) != 0) {
    parts.push_back(config.oui_count == 0 ? "oui_any" : absl::StrCat("oui_", config.oui_count));
  }
  const auto flag_off = [&](uint8_t flag, const char* name) {
    if ((config.flags & flag) != (base.flags & flag)) {
      parts.push_back(absl::StrCat(name, (config.flags & flag) ? "_on" : "_off"));
    }
  };
  flag_off(RF_CFG_DST_MAC_FILTER, "dst_mac_filter");
  flag_off(RF_CFG_VLAN, "vlan");
  flag_off(RF_CFG_IPV6, "ipv6");
  if (config.signatures != base.signatures) {
    parts.push_back(config.signatures == RF_SIGS_ITO ? "signatures_ito"
                                                     : absl::StrCat("signatures_", config.signatures));
  }
  if (config.mode != base.mode) {
    std::string mode(packet::ModeName(static_cast<packet::Mode>(config.mode)));
    for (char& c : mode) c = c == '-' ? '_' : c;
    parts.push_back("mode_" + mode);
  }
  return parts.empty() ? "default" : absl::StrJoin(parts, "_");
}

}  // namespace

bool FitsLabVeth(absl::Span<const uint8_t> frame) {
  return frame.size() >= kEthernetHeader && frame.size() <= kEthernetHeader + kLabMtu;
}

std::vector<CaseGroup> GroupTableByConfig(bool ignore_mode) {
  std::vector<CaseGroup> groups;
  for (const FrameCase& c : packet::testing::FrameTable()) {
    if (!FitsLabVeth(c.frame)) continue;
    rf_config config = c.config;
    if (ignore_mode) config.mode = RF_MODE_ALL;
    CaseGroup* group = nullptr;
    for (CaseGroup& g : groups) {
      if (SameConfig(g.config, config)) group = &g;
    }
    if (group == nullptr) group = &groups.emplace_back(CaseGroup{GroupName(config), config, {}});
    group->cases.push_back(&c);
  }
  return groups;
}

std::vector<std::string> CasesNotFittingLabVeth() {
  std::vector<std::string> names;
  for (const FrameCase& c : packet::testing::FrameTable()) {
    if (!FitsLabVeth(c.frame)) names.push_back(c.name);
  }
  return names;
}

}  // namespace reflector::testing::golden
