#include "testing/golden/table_groups.h"

#include <cstdio>
#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "reflector/packet/packet.h"
#include "reflector/packet/testing/frame_builder.h"
#include "testing/golden/classifier_flags.h"

namespace reflector::testing::golden {
namespace {

using packet::FilterConfig;
using packet::testing::FrameCase;

constexpr size_t kEthernetHeader = 14;
constexpr size_t kLabMtu = 1500;

// A word usable in a file name: letters, digits and '_' ("198.18.0.0/30" -> "198_18_0_0_30").
std::string FileWord(absl::string_view text) {
  std::string word(text);
  for (char& c : word) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return word;
}

// How `filter` differs from the default test filter, as a file-name-friendly word list.
std::string GroupName(const FilterConfig& filter) {
  const FilterConfig base = packet::testing::DefaultTestFilter();
  std::vector<std::string> parts;
  if (filter.port != base.port) {
    parts.push_back(filter.port == 0 ? "port_any" : absl::StrCat("port_", filter.port));
  }
  if (filter.ouis != base.ouis) {
    parts.push_back(filter.ouis.empty() ? "oui_any" : absl::StrCat("oui_", filter.ouis.size()));
  }
  const auto changed = [&](bool value, bool base_value, const char* name) {
    if (value != base_value) parts.push_back(absl::StrCat(name, value ? "_on" : "_off"));
  };
  changed(filter.dst_mac_filter, base.dst_mac_filter, "dst_mac_filter");
  changed(filter.vlan, base.vlan, "vlan");
  changed(filter.ipv6, base.ipv6, "ipv6");
  if (filter.signatures != base.signatures) {
    parts.push_back(filter.signatures == RF_SIGS_ITO
                        ? "signatures_ito"
                        : absl::StrCat("signatures_", filter.signatures));
  }
  if (filter.profiles != base.profiles) {
    parts.push_back("profile_" + FileWord(packet::FormatProfiles(filter.profiles)));
  }
  changed(filter.tos_handshake, base.tos_handshake, "tos_handshake");
  if (filter.loopback_ports.has_value()) {
    parts.push_back("ports_" + FileWord(packet::FormatPortRange(*filter.loopback_ports)));
  }
  for (const packet::IpPrefix& prefix : filter.loopback_addresses) {
    parts.push_back("to_" + FileWord(packet::FormatPrefix(prefix)));
  }
  if (filter.mode != base.mode) parts.push_back("mode_" + FileWord(packet::ModeName(filter.mode)));
  return parts.empty() ? "default" : absl::StrJoin(parts, "_");
}

// Two cases share a reflector when the flags that state their configs are the same.
std::string GroupKey(const FilterConfig& filter) {
  absl::StatusOr<std::vector<std::string>> flags = ClassifierFlags(filter);
  if (!flags.ok()) {
    std::fprintf(stderr, "table groups: %s\n", std::string(flags.status().message()).c_str());
    std::abort();
  }
  return absl::StrJoin(*flags, " ");
}

}  // namespace

bool FitsLabVeth(absl::Span<const uint8_t> frame) {
  return frame.size() >= kEthernetHeader && frame.size() <= kEthernetHeader + kLabMtu;
}

std::vector<CaseGroup> GroupTableByConfig(bool ignore_mode) {
  std::vector<CaseGroup> groups;
  std::vector<std::string> keys;
  for (const FrameCase& c : packet::testing::FrameTable()) {
    if (!FitsLabVeth(c.frame) || !c.filter.rules.empty()) continue;
    FilterConfig filter = c.filter;
    rf_config config = c.config;
    if (ignore_mode) {
      filter.mode = packet::Mode::kAll;
      config = packet::testing::WithMode(config, packet::Mode::kAll);
    }
    const std::string key = GroupKey(filter);
    size_t index = 0;
    while (index < keys.size() && keys[index] != key) ++index;
    if (index == keys.size()) {
      keys.push_back(key);
      groups.push_back(CaseGroup{GroupName(filter), filter, config, {}});
    }
    groups[index].cases.push_back(&c);
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

std::vector<std::string> CasesWithCustomRules() {
  std::vector<std::string> names;
  for (const FrameCase& c : packet::testing::FrameTable()) {
    if (!c.filter.rules.empty()) names.push_back(c.name);
  }
  return names;
}

}  // namespace reflector::testing::golden
