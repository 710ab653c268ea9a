#include "reflector/packet/rule_overlap.h"

#include <cstring>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "reflector/packet/config.h"

namespace reflector::packet {
namespace {

// A table of custom rules only (no profiles), compiled; the rules are named r0, r1, ...
rf_config Table(std::vector<Rule> rules) {
  FilterConfig config;
  config.profiles = 0;
  for (size_t i = 0; i < rules.size(); ++i) rules[i].name = "r" + std::to_string(i);
  config.rules = std::move(rules);
  auto wire = ToWire(config);
  EXPECT_TRUE(wire.ok()) << wire.status();
  return wire.ok() ? *wire : rf_config{};
}

Rule PatternRule(std::string name, std::string text, uint16_t offset) {
  Rule rule;
  rule.name = std::move(name);
  rule.pattern.bytes.assign(text.begin(), text.end());
  rule.pattern.offset = offset;
  return rule;
}

bool Shortcut(const rf_config& wire, int i) { return (wire.rules[i].flags & RF_RULE_SHORTCUT) != 0; }
bool Lists(const rf_config& wire, int i) { return (wire.rules[i].flags & RF_RULE_LISTS) != 0; }
bool Fast(const rf_config& wire, int i) { return (wire.rules[i].flags & RF_RULE_FAST) != 0; }

// What the fast tier compares for a rule with RF_RULE_FAST: the UDP header's first word.
bool PortsMaskHolds(const rf_rule& rule, unsigned src_port, unsigned dst_port) {
  const uint8_t bytes[4] = {static_cast<uint8_t>(src_port >> 8), static_cast<uint8_t>(src_port),
                            static_cast<uint8_t>(dst_port >> 8), static_cast<uint8_t>(dst_port)};
  __u32 word;
  std::memcpy(&word, bytes, sizeof(word));
  return (word & rule.fast_ports_mask) == rule.fast_ports_value;
}

TEST(RuleOverlapTest, TheDefaultProfilesAreDisjoint) {
  auto wire = ToWire(FilterConfig{});
  ASSERT_TRUE(wire.ok()) << wire.status();
  ASSERT_EQ(wire->rule_count, 5);
  // PROBEOT, DATA:OT and LATENCY differ in their first byte at payload offset 5, where
  // RFC2544 and "Y.1564 " have a '4'; those two differ at offset 0.
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(Shortcut(*wire, i)) << i;
  // The ITO rules have the NetAlly OUI list, the others none.
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(Lists(*wire, i)) << i;
  EXPECT_FALSE(Lists(*wire, 3));
  EXPECT_FALSE(Lists(*wire, 4));
}

TEST(RuleOverlapTest, TheSamePatternOverlapsUnlessAnotherConditionSeparates) {
  Rule a = PatternRule("a", "XY", 0);
  Rule b = PatternRule("b", "XY", 0);
  EXPECT_FALSE(Shortcut(Table({a, b}), 1));

  Rule c = b;
  c.dst_ports = {4000, 4010};
  Rule d = a;
  d.dst_ports = {4011, 4020};
  EXPECT_TRUE(Shortcut(Table({c, d}), 1));  // disjoint destination ports
  d.dst_ports = {4010, 4020};
  EXPECT_FALSE(Shortcut(Table({c, d}), 1));  // 4010 in both

  Rule e = a;
  e.src_ports = {1, 1};
  Rule f = a;
  f.src_ports = {2, 9};
  EXPECT_TRUE(Shortcut(Table({e, f}), 1));

  Rule v4 = a;
  v4.ip_version = 4;
  Rule v6 = a;
  v6.ip_version = 6;
  EXPECT_TRUE(Shortcut(Table({v4, v6}), 1));
  Rule either = a;
  EXPECT_FALSE(Shortcut(Table({v4, either}), 1));

  Rule vlan10 = a;
  vlan10.vlan = 10;
  Rule vlan11 = a;
  vlan11.vlan = 11;
  Rule untagged = a;
  untagged.untagged = true;
  EXPECT_TRUE(Shortcut(Table({vlan10, vlan11}), 1));
  EXPECT_TRUE(Shortcut(Table({vlan10, untagged}), 1));
  EXPECT_FALSE(Shortcut(Table({vlan10, a}), 1));  // a takes any tag

  Rule netally = a;
  netally.ouis = {Oui{0x00, 0xc0, 0x17}};
  Rule fluke = a;
  fluke.ouis = {Oui{0x00, 0x19, 0xb3}};
  const rf_config ouis = Table({netally, fluke, a});
  EXPECT_TRUE(Shortcut(ouis, 1));
  EXPECT_FALSE(Shortcut(ouis, 2));  // any OUI meets both lists
  EXPECT_TRUE(Lists(ouis, 0));
  EXPECT_FALSE(Lists(ouis, 2));
}

TEST(RuleOverlapTest, PatternsAreComparedWhereTheyLieInThePayload) {
  // "AB" at 0 and "BC" at 1: byte 1 is 'B' in both, so a payload "ABC" matches both.
  EXPECT_FALSE(Shortcut(Table({PatternRule("a", "AB", 0), PatternRule("b", "BC", 1)}), 1));
  // "AB" at 0 and "XC" at 1: byte 1 is 'B' in one and 'X' in the other.
  EXPECT_TRUE(Shortcut(Table({PatternRule("a", "AB", 0), PatternRule("b", "XC", 1)}), 1));
  // No byte in common: both can hold.
  EXPECT_FALSE(Shortcut(Table({PatternRule("a", "AB", 0), PatternRule("b", "CD", 2)}), 1));
  // A mask that leaves the differing bits out.
  Rule masked = PatternRule("b", "XC", 1);
  masked.pattern.mask = {0x00, 0xff};
  EXPECT_FALSE(Shortcut(Table({PatternRule("a", "AB", 0), masked}), 1));
}

TEST(RuleOverlapTest, PrefixesAreNotCompared) {
  Rule a = PatternRule("a", "XY", 0);
  a.dst_prefixes = {*ParsePrefix("198.18.0.0/24")};
  Rule b = PatternRule("b", "XY", 0);
  b.dst_prefixes = {*ParsePrefix("198.18.1.0/24")};
  const rf_config wire = Table({a, b});
  EXPECT_FALSE(Shortcut(wire, 1));  // disjoint, but not proven so: conservative
  EXPECT_TRUE(Lists(wire, 0));
  EXPECT_TRUE(Lists(wire, 1));
}

// The XDP fast tier's reason pass walks only the RF_RULE_REASON rules, by this chain.
TEST(RuleOverlapTest, TheRulesThatNameAReasonAreChainedInOrder) {
  auto defaults = ToWire(FilterConfig{});
  ASSERT_TRUE(defaults.ok()) << defaults.status();
  // The five default rules test the same VLAN, addresses and port: only the first names one.
  EXPECT_EQ(defaults->first_reason_rule, 0);
  EXPECT_EQ(defaults->rules[0].next_reason_rule, RF_MAX_RULES);

  Rule a = PatternRule("a", "XY", 0);
  a.dst_ports = {4000, 4010};
  Rule same_as_a = PatternRule("b", "ZZ", 3);
  same_as_a.dst_ports = a.dst_ports;
  Rule other_port = PatternRule("c", "XY", 0);
  other_port.dst_ports = {5000, 5000};
  Rule other_vlan = a;
  other_vlan.vlan = 100;
  const rf_config wire = Table({a, same_as_a, other_port, same_as_a, other_vlan, same_as_a});
  for (int i = 0; i < wire.rule_count; ++i) {
    EXPECT_EQ((wire.rules[i].flags & RF_RULE_REASON) != 0, i == 0 || i == 2 || i == 4) << i;
  }
  EXPECT_EQ(wire.first_reason_rule, 0);
  const int next[] = {2, 2, 4, 4, RF_MAX_RULES, RF_MAX_RULES};
  for (int i = 0; i < wire.rule_count; ++i) EXPECT_EQ(wire.rules[i].next_reason_rule, next[i]) << i;

  rf_config empty = {};
  MarkRuleFlags(empty);
  EXPECT_EQ(empty.first_reason_rule, RF_MAX_RULES);
}

TEST(RuleOverlapTest, FastRulesAreTheShortcutsTwoMaskedComparesTest) {
  auto defaults = ToWire(FilterConfig{});
  ASSERT_TRUE(defaults.ok()) << defaults.status();
  // The ITO rules have an OUI list; RFC2544 and "Y.1564 " are 7 bytes at payload offset 0.
  for (int i = 0; i < 5; ++i) EXPECT_EQ(Fast(*defaults, i), i >= 3) << i;

  EXPECT_FALSE(Fast(Table({PatternRule("a", "123456789", 0)}), 0));  // past the last 8 bytes
  EXPECT_TRUE(Fast(Table({PatternRule("a", "12345678", 8)}), 0));
  Rule tagged = PatternRule("a", "XY", 0);
  tagged.vlan = 100;
  EXPECT_FALSE(Fast(Table({tagged}), 0));
  Rule untagged = PatternRule("a", "XY", 0);
  untagged.untagged = true;
  EXPECT_TRUE(Fast(Table({untagged}), 0));
  Rule v6 = PatternRule("a", "XY", 0);
  v6.ip_version = 6;
  EXPECT_FALSE(Fast(Table({v6}), 0));
  EXPECT_FALSE(Fast(Table({PatternRule("a", "XY", 0), PatternRule("b", "XY", 0)}), 1));

  // Port ranges that are masks (a power of two long, aligned) and ones that are not: where the
  // rule is fast, its mask holds for exactly the ports in range, each port tried.
  const PortRange ranges[] = {{0, 65535}, {3842, 3842}, {0, 0},       {65535, 65535},
                              {4096, 8191}, {32768, 65535}, {4000, 4010}, {1, 2},
                              {4096, 8192}, {1, 65535}};
  const bool masks[] = {true, true, true, true, true, true, false, false, false, false};
  for (size_t r = 0; r < std::size(ranges); ++r) {
    const PortRange range = ranges[r];
    for (const bool dst : {true, false}) {
      Rule rule = PatternRule("a", "XY", 0);
      (dst ? rule.dst_ports : rule.src_ports) = range;
      const rf_config wire = Table({rule});
      ASSERT_EQ(Fast(wire, 0), masks[r]) << range.min << ".." << range.max;
      if (!masks[r]) continue;
      for (unsigned port = 0; port <= 0xffff; ++port) {
        const bool in_range = port >= range.min && port <= range.max;
        ASSERT_EQ(PortsMaskHolds(wire.rules[0], dst ? 1234 : port, dst ? port : 1234), in_range)
            << range.min << ".." << range.max << " port " << port << (dst ? " dst" : " src");
      }
    }
  }
}

TEST(RuleOverlapTest, TheFirstRuleIsAlwaysAShortcut) {
  EXPECT_TRUE(Shortcut(Table({PatternRule("a", "XY", 0)}), 0));
}

}  // namespace
}  // namespace reflector::packet
