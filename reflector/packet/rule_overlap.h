// Which compiled rules can share a frame, so the classifier's fast tier may try a rule before
// the rules in front of it (RF_RULE_SHORTCUT in wire.h): a frame that matches a rule no earlier
// rule can also match gets that rule under first-match order whichever rule is tried first.
#ifndef REFLECTOR_PACKET_RULE_OVERLAP_H_
#define REFLECTOR_PACKET_RULE_OVERLAP_H_

#include "reflector/packet/wire.h"

namespace reflector::packet {

// False only when one of the rules' conditions proves that no frame meets both: a payload byte
// both patterns fix to different values, disjoint destination or source port ranges, VLAN IDs
// or tag presence that differ, no common IP version, or OUI lists with no OUI in common. IP
// prefixes are not compared (two rules with prefixes may overlap).
bool RulesMayOverlap(const rf_rule& a, const rf_rule& b);

// Sets the rule flags of a compiled table: RF_RULE_SHORTCUT on each rule that no earlier rule
// may overlap, RF_RULE_LISTS on each rule with an IP prefix or OUI list, RF_RULE_REASON on
// each rule whose VLAN, address and port conditions no earlier rule has, and chains those
// (rf_config.first_reason_rule, rf_rule.next_reason_rule); RF_RULE_FAST and the ports' mask on
// each RF_RULE_SHORTCUT rule the fast tier can test with two masked compares.
void MarkRuleFlags(rf_config& wire);

}  // namespace reflector::packet

#endif  // REFLECTOR_PACKET_RULE_OVERLAP_H_
