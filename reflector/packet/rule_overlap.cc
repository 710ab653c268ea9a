#include "reflector/packet/rule_overlap.h"

#include <cstring>

namespace reflector::packet {
namespace {

bool RangesMeet(unsigned a_min, unsigned a_span, unsigned b_min, unsigned b_span) {
  return a_min <= b_min + b_span && b_min <= a_min + a_span;
}

// Whether some payload byte is fixed by both patterns, under both masks, to different values.
// Pattern byte k of a rule lies at payload offset pattern_end - RF_PATTERN_LEN + k.
bool PatternsConflict(const rf_rule& a, const rf_rule& b) {
  for (int k = 0; k < RF_PATTERN_LEN; ++k) {
    const int kb = k + a.pattern_end - b.pattern_end;  // the same payload byte in b's pattern
    if (kb < 0 || kb >= RF_PATTERN_LEN) continue;
    const unsigned both = a.mask[k] & b.mask[kb];
    if (((a.pattern[k] ^ b.pattern[kb]) & both) != 0) return true;
  }
  return false;
}

// Whether the two rules test the same VLAN IDs, IP versions, prefixes and port ranges: then a
// frame gets as far with one as with the other up to their payload patterns.
bool SameConditionsBeforePattern(const rf_rule& a, const rf_rule& b) {
  return a.vlan_mask == b.vlan_mask && a.vlan_value == b.vlan_value &&
         a.ip_versions == b.ip_versions && a.dst_prefixes == b.dst_prefixes &&
         a.src_prefixes == b.src_prefixes && a.dst_port_min == b.dst_port_min &&
         a.dst_port_span == b.dst_port_span && a.src_port_min == b.src_port_min &&
         a.src_port_span == b.src_port_span;
}

// The 2 bytes of a port range as a mask and a value on the port's bytes (network order), when
// the range is one: its size a power of two, its start a multiple of it.
bool PortRangeMask(unsigned min, unsigned span, __u8 mask[2], __u8 value[2]) {
  if ((span & (span + 1)) != 0 || (min & span) != 0) return false;
  const unsigned kept = ~span & 0xffffu;
  mask[0] = static_cast<__u8>(kept >> 8);
  mask[1] = static_cast<__u8>(kept);
  value[0] = static_cast<__u8>(min >> 8);
  value[1] = static_cast<__u8>(min);
  return true;
}

// RF_RULE_FAST and the ports' mask and value (wire.h), for a rule marked RF_RULE_SHORTCUT.
void MarkFastRule(rf_rule& rule) {
  rule.fast_ports_mask = 0;
  rule.fast_ports_value = 0;
  if ((rule.flags & (RF_RULE_SHORTCUT | RF_RULE_LISTS)) != RF_RULE_SHORTCUT) return;
  if (rule.vlan_value != 0 || (rule.ip_versions & RF_IP_VERSION_BIT(4)) == 0) return;
  for (int k = 0; k < RF_PATTERN_LEN / 2; ++k) {
    if (rule.mask[k] != 0) return;
  }
  // The UDP header's bytes 0..3: source port, destination port.
  __u8 mask[4];
  __u8 value[4];
  if (!PortRangeMask(rule.src_port_min, rule.src_port_span, mask, value) ||
      !PortRangeMask(rule.dst_port_min, rule.dst_port_span, mask + 2, value + 2)) {
    return;
  }
  std::memcpy(&rule.fast_ports_mask, mask, sizeof(mask));
  std::memcpy(&rule.fast_ports_value, value, sizeof(value));
  rule.flags |= RF_RULE_FAST;
}

}  // namespace

bool RulesMayOverlap(const rf_rule& a, const rf_rule& b) {
  if ((a.ip_versions & b.ip_versions) == 0) return false;
  if (((a.vlan_value ^ b.vlan_value) & a.vlan_mask & b.vlan_mask) != 0) return false;
  if (!RangesMeet(a.dst_port_min, a.dst_port_span, b.dst_port_min, b.dst_port_span)) return false;
  if (!RangesMeet(a.src_port_min, a.src_port_span, b.src_port_min, b.src_port_span)) return false;
  if ((a.ouis & RF_ANY_OUI) == 0 && (b.ouis & RF_ANY_OUI) == 0 && (a.ouis & b.ouis) == 0) {
    return false;
  }
  return !PatternsConflict(a, b);
}

void MarkRuleFlags(rf_config& wire) {
  for (int i = 0; i < wire.rule_count && i < RF_MAX_RULES; ++i) {
    rf_rule& rule = wire.rules[i];
    rule.flags = 0;
    if ((rule.ouis & RF_ANY_OUI) == 0 || (rule.dst_prefixes & RF_ANY_PREFIX) == 0 ||
        (rule.src_prefixes & RF_ANY_PREFIX) == 0) {
      rule.flags |= RF_RULE_LISTS;
    }
    bool alone = true;
    bool first_of_its_conditions = true;
    for (int j = 0; j < i; ++j) {
      alone = alone && !RulesMayOverlap(wire.rules[j], rule);
      first_of_its_conditions =
          first_of_its_conditions && !SameConditionsBeforePattern(wire.rules[j], rule);
    }
    if (alone) rule.flags |= RF_RULE_SHORTCUT;
    if (first_of_its_conditions) rule.flags |= RF_RULE_REASON;
    MarkFastRule(rule);
  }
  // The RF_RULE_REASON rules chained in order, from the last: the XDP fast tier's reason pass
  // walks only them.
  const int count = wire.rule_count < RF_MAX_RULES ? wire.rule_count : RF_MAX_RULES;
  __u8 next = RF_MAX_RULES;
  for (int i = count - 1; i >= 0; --i) {
    wire.rules[i].next_reason_rule = next;
    if (wire.rules[i].flags & RF_RULE_REASON) next = static_cast<__u8>(i);
  }
  wire.first_reason_rule = next;
}

}  // namespace reflector::packet
