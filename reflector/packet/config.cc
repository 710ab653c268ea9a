#include "reflector/packet/config.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "reflector/base/status_macros.h"
#include "reflector/packet/rule_overlap.h"

namespace reflector::packet {
namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Parses `groups` colon-separated pairs of hex digits into `out`.
absl::Status ParseHexGroups(absl::string_view text, absl::string_view what,
                            absl::string_view example, uint8_t* out, size_t groups) {
  const std::vector<absl::string_view> parts = absl::StrSplit(text, ':');
  if (parts.size() != groups) {
    return absl::InvalidArgumentError(
        absl::StrFormat("invalid %s \"%s\": expected %d colon-separated bytes like %s", what,
                        text, groups, example));
  }
  for (size_t i = 0; i < groups; ++i) {
    const absl::string_view part = parts[i];
    if (part.size() != 2 || HexDigit(part[0]) < 0 || HexDigit(part[1]) < 0) {
      return absl::InvalidArgumentError(
          absl::StrFormat("invalid %s \"%s\": \"%s\" is not two hex digits (expected %s)", what,
                          text, part, example));
    }
    out[i] = static_cast<uint8_t>(HexDigit(part[0]) * 16 + HexDigit(part[1]));
  }
  return absl::OkStatus();
}

// Byte `b` of the netmask of a `length`-bit prefix.
uint8_t PrefixMaskByte(int length, int b) {
  return static_cast<uint8_t>(0xff00u >> std::clamp(length - 8 * b, 0, 8));
}

struct SignatureGroup {
  absl::string_view name;
  uint8_t bits;
};

constexpr SignatureGroup kSignatureGroups[] = {
    {"all", RF_SIGS_ALL},
    {"ito", RF_SIGS_ITO},
    {"rfc2544", RF_SIG_BIT(RF_SIG_RFC2544)},
    {"y1564", RF_SIG_BIT(RF_SIG_Y1564)},
    {"probeot", RF_SIG_BIT(RF_SIG_PROBEOT)},
    {"dataot", RF_SIG_BIT(RF_SIG_DATAOT)},
    {"latency", RF_SIG_BIT(RF_SIG_LATENCY)},
};

}  // namespace

absl::Status ValidateRule(const Rule& rule) {
  const auto bad = [&rule](absl::string_view what) {
    return absl::InvalidArgumentError(absl::StrCat("rule \"", rule.name, "\": ", what));
  };
  if (rule.name.empty() || rule.name.size() > 32 ||
      !std::all_of(rule.name.begin(), rule.name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
      })) {
    return bad("a rule name is 1 to 32 characters of a-z, 0-9, '_' and '-'");
  }
  const PayloadPattern& pattern = rule.pattern;
  if (pattern.bytes.size() > RF_PATTERN_LEN) {
    return bad(absl::StrFormat("the payload pattern has %d bytes, at most %d are supported",
                               pattern.bytes.size(), RF_PATTERN_LEN));
  }
  if (!pattern.mask.empty() && pattern.mask.size() != pattern.bytes.size()) {
    return bad(absl::StrFormat("the payload mask has %d bytes but the pattern has %d",
                               pattern.mask.size(), pattern.bytes.size()));
  }
  if (pattern.offset > RF_MAX_PATTERN_OFFSET) {
    return bad(absl::StrFormat("payload offset %d is deeper than the supported %d",
                               pattern.offset, RF_MAX_PATTERN_OFFSET));
  }
  for (const PortRange* range : {&rule.dst_ports, &rule.src_ports}) {
    if (range->min > range->max) {
      return bad(absl::StrFormat("port range %d-%d is empty", range->min, range->max));
    }
  }
  for (const std::optional<uint16_t>* vid : {&rule.vlan, &rule.inner_vlan}) {
    if (vid->has_value() && **vid > 4095) {
      return bad(absl::StrFormat("VLAN ID %d is out of range 0..4095", **vid));
    }
  }
  if (rule.untagged && (rule.vlan.has_value() || rule.inner_vlan.has_value())) {
    return bad("a rule cannot match untagged frames and a VLAN ID");
  }
  if (rule.ip_version != 0 && rule.ip_version != 4 && rule.ip_version != 6) {
    return bad(absl::StrFormat("IP version %d: expected 4 or 6", rule.ip_version));
  }
  for (const std::vector<IpPrefix>* list : {&rule.dst_prefixes, &rule.src_prefixes}) {
    for (const IpPrefix& prefix : *list) {
      if (rule.ip_version != 0 && prefix.version != rule.ip_version) {
        return bad(absl::StrFormat("prefix %s is not IPv%d like the rule", FormatPrefix(prefix),
                                   rule.ip_version));
      }
    }
  }
  if (rule.ouis.size() > RF_MAX_OUIS) {
    return bad(absl::StrFormat("%d OUIs given, at most %d supported", rule.ouis.size(),
                               RF_MAX_OUIS));
  }
  if (pattern.bytes.empty() && rule.dst_ports.any() && rule.dst_prefixes.empty()) {
    return bad(
        "a rule without a payload pattern needs a destination port range or destination "
        "address: without one it would reflect every UDP frame to this host, its DNS replies "
        "included");
  }
  if (rule.mode != Mode::kAll && rule.mode != Mode::kMacIp && rule.mode != Mode::kMac) {
    return bad("unknown mode");
  }
  if (rule.responder != Responder::kNone) {
    if (rule.mode != Mode::kAll) return bad("a STAMP or TWAMP-Light rule reflects in mode all");
    if (pattern.bytes.empty() || pattern.offset + pattern.bytes.size() < RF_STAMP_MIN_LEN) {
      return bad(absl::StrFormat(
          "a STAMP or TWAMP-Light rule needs a payload pattern that ends at byte %d or later, "
          "so that it never answers a packet shorter than the %d bytes of a sender's fields",
          RF_STAMP_MIN_LEN, RF_STAMP_MIN_LEN));
    }
  }
  return absl::OkStatus();
}

namespace {

Rule SignatureRule(const FilterConfig& config, Signature signature, int offset) {
  Rule rule;
  rule.name = std::string(SignatureName(signature));
  if (config.port != 0) rule.dst_ports = {config.port, config.port};
  const absl::string_view text = SignatureText(signature);
  rule.pattern.bytes.assign(text.begin(), text.end());
  rule.pattern.offset = static_cast<uint16_t>(offset);
  rule.mode = config.mode;
  return rule;
}

// Index of `value` in `table`, appending it when new; -1 when the table is full.
template <typename T>
int Intern(std::vector<T>& table, const T& value, size_t capacity) {
  for (size_t i = 0; i < table.size(); ++i) {
    if (table[i] == value) return static_cast<int>(i);
  }
  if (table.size() == capacity) return -1;
  table.push_back(value);
  return static_cast<int>(table.size() - 1);
}

// The rules of the stamp or twamp-light profile: one per port range.
void AddResponderRules(absl::string_view name, Responder responder,
                       const std::vector<PortRange>& ports, bool stateful,
                       std::vector<Rule>& rules) {
  for (size_t i = 0; i < ports.size(); ++i) {
    Rule rule;
    rule.name = i == 0 ? std::string(name) : absl::StrCat(name, "-", i + 1);
    rule.dst_ports = ports[i];
    rule.pattern = StampLengthPattern();
    rule.mode = Mode::kAll;
    rule.responder = responder;
    rule.stateful = stateful;
    rules.push_back(std::move(rule));
  }
}

}  // namespace

PayloadPattern StampLengthPattern() {
  PayloadPattern pattern;
  pattern.bytes = {0};
  pattern.mask = {0};
  pattern.offset = RF_STAMP_MIN_LEN - 1;
  return pattern;
}

absl::StatusOr<std::vector<Rule>> RuleTable(const FilterConfig& config) {
  std::vector<Rule> rules = config.rules;
  if (config.profiles & ProfileBit(Profile::kIto)) {
#define REFLECTOR_ITO_RULE(id, cc_id, text, name, offset)                        \
  if ((RF_SIGS_ITO & RF_SIG_BIT(RF_SIG_##id)) &&                                 \
      (config.signatures & RF_SIG_BIT(RF_SIG_##id))) {                           \
    Rule rule = SignatureRule(config, Signature::k##cc_id, offset);              \
    rule.ouis = config.ouis;                                                     \
    rule.tos_handshake = config.tos_handshake;                                   \
    rules.push_back(std::move(rule));                                            \
  }
    RF_SIGNATURE_LIST(REFLECTOR_ITO_RULE)
#undef REFLECTOR_ITO_RULE
  }
  if ((config.profiles & ProfileBit(Profile::kRfc2544)) &&
      (config.signatures & RF_SIG_BIT(RF_SIG_RFC2544))) {
    rules.push_back(SignatureRule(config, Signature::kRfc2544, RF_CUSTOM_SIG_OFFSET));
  }
  if ((config.profiles & ProfileBit(Profile::kY1564)) &&
      (config.signatures & RF_SIG_BIT(RF_SIG_Y1564))) {
    rules.push_back(SignatureRule(config, Signature::kY1564, RF_CUSTOM_SIG_OFFSET));
  }
  if (config.profiles & ProfileBit(Profile::kLoopback)) {
    if (!config.loopback_ports.has_value() && config.loopback_addresses.empty()) {
      return absl::InvalidArgumentError(
          "the loopback profile needs loopback_ports or loopback_addresses: without a "
          "restriction it would reflect every UDP frame to this host, its DNS replies included");
    }
    Rule rule;
    rule.name = "loopback";
    if (config.loopback_ports.has_value()) rule.dst_ports = *config.loopback_ports;
    rule.dst_prefixes = config.loopback_addresses;
    rule.mode = config.mode;
    rules.push_back(std::move(rule));
  }
  if (config.profiles & ProfileBit(Profile::kStamp)) {
    if (config.stamp_ports.empty()) {
      return absl::InvalidArgumentError("the stamp profile needs stamp_ports (default 862)");
    }
    AddResponderRules("stamp", Responder::kStamp, config.stamp_ports, config.stamp_stateful,
                      rules);
  }
  if (config.profiles & ProfileBit(Profile::kTwampLight)) {
    if (config.twamp_light_ports.empty()) {
      return absl::InvalidArgumentError(
          "the twamp-light profile needs twamp_light_ports (TWAMP-Light has no port of its own)");
    }
    AddResponderRules("twamp-light", Responder::kTwampLight, config.twamp_light_ports,
                      config.stamp_stateful, rules);
  }

  if (rules.empty() && !(config.profiles & ProfileBit(Profile::kY1731))) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "no rule: nothing would ever be reflected (profiles %s, signatures %s)",
        FormatProfiles(config.profiles), FormatSignatures(config.signatures)));
  }
  if (rules.size() > RF_MAX_RULES) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "%d rules, at most %d are supported", rules.size(), RF_MAX_RULES));
  }
  for (size_t i = 0; i < rules.size(); ++i) {
    REFLECTOR_RETURN_IF_ERROR(ValidateRule(rules[i]));
    // A STAMP rule's pattern only tests the length: it is a rule without a payload pattern.
    if ((rules[i].pattern.bytes.empty() || rules[i].responder != Responder::kNone) &&
        !config.dst_mac_filter) {
      return absl::InvalidArgumentError(absl::StrCat(
          "rule \"", rules[i].name,
          "\" has no payload pattern, so it needs the dst MAC filter: without it, it would "
          "answer frames addressed to other hosts"));
    }
    for (size_t j = 0; j < i; ++j) {
      if (rules[j].name == rules[i].name) {
        return absl::InvalidArgumentError(
            absl::StrCat("two rules are named \"", rules[i].name, "\""));
      }
    }
  }
  return rules;
}

absl::StatusOr<CompiledConfig> Compile(const FilterConfig& config) {
  CompiledConfig compiled;
  REFLECTOR_ASSIGN_OR_RETURN(compiled.rules, RuleTable(config));
  rf_config& wire = compiled.wire;
  std::memset(&wire, 0, sizeof(wire));
  std::memcpy(wire.if_mac, config.interface_mac.data(), RF_ETH_ALEN);
  wire.flags = (config.dst_mac_filter ? RF_CFG_DST_MAC_FILTER : 0) |
               (config.vlan ? RF_CFG_VLAN : 0) | (config.ipv6 ? RF_CFG_IPV6 : 0);
  if (config.profiles & ProfileBit(Profile::kY1731)) {
    if (config.y1731_level > 7) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "y1731_level %d: a MEG level is 0 to 7", config.y1731_level));
    }
    if (config.y1731_vlan.has_value() && *config.y1731_vlan > 4094) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "y1731_vlan %d: a VLAN ID is 1 to 4094 (or 0 for untagged frames only)",
          *config.y1731_vlan));
    }
    wire.cfm.flags = RF_CFM_ON | (config.y1731_multicast_lbm ? RF_CFM_MULTICAST_LBM : 0) |
                     (config.y1731_vlan.has_value() ? RF_CFM_ONE_VLAN : 0);
    wire.cfm.level = config.y1731_level;
    wire.cfm.vlan = config.y1731_vlan.value_or(0);
    wire.cfm.mep_id = config.y1731_mep_id;
  }
  std::vector<Oui> ouis;
  std::vector<IpPrefix> prefixes;
  for (size_t i = 0; i < compiled.rules.size(); ++i) {
    const Rule& rule = compiled.rules[i];
    rf_rule& out = wire.rules[i];
    // Conditions the rule does not have are stored so that they always hold (wire.h).
    const size_t len = rule.pattern.bytes.size();
    const size_t shift = RF_PATTERN_LEN - len;  // right-aligned
    for (size_t b = 0; b < len; ++b) {
      out.mask[shift + b] = rule.pattern.mask.empty() ? 0xff : rule.pattern.mask[b];
      out.pattern[shift + b] = rule.pattern.bytes[b] & out.mask[shift + b];
    }
    out.pattern_len = static_cast<__u8>(len);
    out.pattern_end = len == 0 ? 0 : static_cast<__u16>(rule.pattern.offset + len);
    out.dst_port_min = rule.dst_ports.min;
    out.dst_port_span = static_cast<__u16>(rule.dst_ports.max - rule.dst_ports.min);
    out.src_port_min = rule.src_ports.min;
    out.src_port_span = static_cast<__u16>(rule.src_ports.max - rule.src_ports.min);
    if (rule.untagged) out.vlan_mask |= RF_VLAN_KEY_OUTER_PRESENT;
    if (rule.vlan.has_value()) {
      out.vlan_mask |= RF_VLAN_KEY_OUTER_PRESENT | (0xfffu << RF_VLAN_KEY_OUTER_SHIFT);
      out.vlan_value |= RF_VLAN_KEY_OUTER_PRESENT | (static_cast<__u32>(*rule.vlan) << RF_VLAN_KEY_OUTER_SHIFT);
    }
    if (rule.inner_vlan.has_value()) {
      out.vlan_mask |= RF_VLAN_KEY_INNER_PRESENT | 0xfffu;
      out.vlan_value |= RF_VLAN_KEY_INNER_PRESENT | *rule.inner_vlan;
    }
    out.ip_versions = rule.ip_version == 0 ? RF_IP_VERSIONS_ANY : RF_IP_VERSION_BIT(rule.ip_version);
    out.mode = static_cast<__u8>(rule.mode);
    out.actions = rule.tos_handshake ? RF_ACTION_TOS_HANDSHAKE : 0;
    wire.guard.rules[i].all = ToWireCap(rule.rate_limit);
    wire.guard.rules[i].per_source = ToWireCap(rule.source_rate_limit);
    if (rule.rate_limit.set() || rule.source_rate_limit.set()) wire.guard.flags |= RF_GUARD_RATE_CAPS;
    if (rule.responder != Responder::kNone) {
      out.actions |= RF_ACTION_STAMP;
      if (rule.responder == Responder::kTwampLight) out.actions |= RF_ACTION_TWAMP;
      if (rule.stateful) out.actions |= RF_ACTION_STAMP_STATEFUL;
      wire.flags |= RF_CFG_STAMP;
    }
    out.ouis = rule.ouis.empty() ? RF_ANY_OUI : 0;
    for (const Oui& oui : rule.ouis) {
      const int index = Intern(ouis, oui, RF_MAX_OUIS);
      if (index < 0) {
        return absl::InvalidArgumentError(absl::StrFormat(
            "the rules name more than %d distinct OUIs", RF_MAX_OUIS));
      }
      out.ouis |= 1u << index;
    }
    out.dst_prefixes = rule.dst_prefixes.empty() ? RF_ANY_PREFIX : 0;
    out.src_prefixes = rule.src_prefixes.empty() ? RF_ANY_PREFIX : 0;
    for (int dst = 1; dst >= 0; --dst) {
      for (const IpPrefix& prefix : dst ? rule.dst_prefixes : rule.src_prefixes) {
        const int index = Intern(prefixes, prefix, RF_MAX_PREFIXES);
        if (index < 0) {
          return absl::InvalidArgumentError(absl::StrFormat(
              "the rules name more than %d distinct IP prefixes", RF_MAX_PREFIXES));
        }
        (dst ? out.dst_prefixes : out.src_prefixes) |= uint64_t{1} << index;
      }
    }
  }
  wire.rule_count = static_cast<__u8>(compiled.rules.size());
  for (size_t i = 0; i < ouis.size(); ++i) {
    std::memcpy(&wire.ouis[i], ouis[i].data(), 3);  // the fourth byte stays 0 (rf_oui_key)
  }
  wire.oui_count = static_cast<__u8>(ouis.size());
  if (!ouis.empty()) wire.flags |= RF_CFG_USES_OUIS;
  for (size_t i = 0; i < prefixes.size(); ++i) {
    rf_prefix& out = wire.prefixes[i];
    const IpPrefix& prefix = prefixes[i];
    const int bytes = prefix.version == 4 ? 4 : 16;
    for (int b = 0; b < bytes; ++b) {
      out.mask[b] = PrefixMaskByte(prefix.length, b);
      out.addr[b] = prefix.addr[b] & out.mask[b];
    }
    out.version = static_cast<__u8>(prefix.version);
    out.length = static_cast<__u8>(prefix.length);
  }
  wire.prefix_count = static_cast<__u8>(prefixes.size());
  if (!prefixes.empty()) wire.flags |= RF_CFG_USES_PREFIXES;
  MarkRuleFlags(wire);
  return compiled;
}

absl::StatusOr<rf_config> ToWire(const FilterConfig& config) {
  REFLECTOR_ASSIGN_OR_RETURN(CompiledConfig compiled, Compile(config));
  return compiled.wire;
}

absl::StatusOr<MacAddress> ParseMac(absl::string_view text) {
  MacAddress mac;
  REFLECTOR_RETURN_IF_ERROR(
      ParseHexGroups(text, "MAC address", "aa:bb:cc:dd:ee:ff", mac.data(), mac.size()));
  return mac;
}

absl::StatusOr<std::vector<Oui>> ParseOuiList(absl::string_view text) {
  std::vector<Oui> ouis;
  const absl::string_view trimmed = absl::StripAsciiWhitespace(text);
  if (trimmed.empty() || trimmed == "any") return ouis;
  for (absl::string_view token : absl::StrSplit(trimmed, ',')) {
    token = absl::StripAsciiWhitespace(token);
    Oui oui;
    REFLECTOR_RETURN_IF_ERROR(ParseHexGroups(token, "OUI", "00:c0:17", oui.data(), oui.size()));
    ouis.push_back(oui);
  }
  if (ouis.size() > RF_MAX_OUIS) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "invalid OUI list: %d OUIs given, at most %d supported", ouis.size(), RF_MAX_OUIS));
  }
  return ouis;
}

absl::StatusOr<uint16_t> ParsePort(absl::string_view text) {
  const absl::string_view trimmed = absl::StripAsciiWhitespace(text);
  uint32_t port = 0;
  const bool digits_only =
      !trimmed.empty() && trimmed.size() <= 5 &&
      std::all_of(trimmed.begin(), trimmed.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!digits_only || !absl::SimpleAtoi(trimmed, &port) || port > 65535) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "invalid port \"%s\": expected a number from 0 to 65535 (0 = any port)", text));
  }
  return static_cast<uint16_t>(port);
}

absl::StatusOr<std::vector<PortRange>> ParsePortRanges(absl::string_view text) {
  std::vector<PortRange> ranges;
  if (absl::StripAsciiWhitespace(text).empty()) return ranges;
  for (absl::string_view token : absl::StrSplit(text, ',')) {
    REFLECTOR_ASSIGN_OR_RETURN(const PortRange range, ParsePortRange(token));
    if (range.any() || range.min == 0) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "invalid port list \"%s\": \"%s\" is not a port or range of ports from 1 to 65535",
          text, token));
    }
    ranges.push_back(range);
  }
  return ranges;
}

absl::StatusOr<PortRange> ParsePortRange(absl::string_view text) {
  const absl::string_view trimmed = absl::StripAsciiWhitespace(text);
  if (trimmed == "any") return PortRange{};
  const auto bad = [&text](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "invalid port range \"%s\": %s (expected a port like 5001 or a range like 5000-5010)",
        text, why));
  };
  const std::vector<absl::string_view> ends = absl::StrSplit(trimmed, '-');
  if (ends.size() > 2) return bad("more than one '-'");
  PortRange range;
  for (size_t i = 0; i < ends.size(); ++i) {
    const absl::string_view end = absl::StripAsciiWhitespace(ends[i]);
    uint32_t port = 0;
    if (end.empty() || end.size() > 5 ||
        !std::all_of(end.begin(), end.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
        !absl::SimpleAtoi(end, &port) || port > 65535) {
      return bad(absl::StrFormat("\"%s\" is not a port from 0 to 65535", end));
    }
    (i == 0 ? range.min : range.max) = static_cast<uint16_t>(port);
  }
  if (ends.size() == 1) range.max = range.min;
  if (range.min > range.max) return bad("the first port is above the second");
  return range;
}

absl::StatusOr<IpPrefix> ParsePrefix(absl::string_view text) {
  const absl::string_view trimmed = absl::StripAsciiWhitespace(text);
  const auto bad = [&text](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "invalid IP prefix \"%s\": %s (expected an address like 192.0.2.10, 192.0.2.0/24 or "
        "2001:db8::/32)",
        text, why));
  };
  const size_t slash = trimmed.find('/');
  const std::string address(trimmed.substr(0, slash));
  IpPrefix prefix;
  if (inet_pton(AF_INET, address.c_str(), prefix.addr.data()) == 1) {
    prefix.version = 4;
    prefix.length = 32;
  } else if (inet_pton(AF_INET6, address.c_str(), prefix.addr.data()) == 1) {
    prefix.version = 6;
    prefix.length = 128;
  } else {
    return bad(absl::StrFormat("\"%s\" is not an IPv4 or IPv6 address", address));
  }
  if (slash != absl::string_view::npos) {
    const absl::string_view length = trimmed.substr(slash + 1);
    int bits = -1;
    if (length.empty() || length.size() > 3 ||
        !std::all_of(length.begin(), length.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
        !absl::SimpleAtoi(length, &bits) || bits > prefix.length) {
      return bad(absl::StrFormat("the prefix length must be 0 to %d", prefix.length));
    }
    prefix.length = bits;
  }
  // Zero the host bits, so equal prefixes compare equal.
  for (int b = 0; b < 16; ++b) prefix.addr[b] &= PrefixMaskByte(prefix.length, b);
  return prefix;
}

absl::StatusOr<std::vector<IpPrefix>> ParsePrefixList(absl::string_view text) {
  std::vector<IpPrefix> prefixes;
  if (absl::StripAsciiWhitespace(text).empty()) return prefixes;
  for (absl::string_view token : absl::StrSplit(text, ',')) {
    REFLECTOR_ASSIGN_OR_RETURN(IpPrefix prefix, ParsePrefix(token));
    prefixes.push_back(prefix);
  }
  return prefixes;
}

absl::StatusOr<std::vector<uint8_t>> ParseHexBytes(absl::string_view text) {
  std::string digits;
  for (char c : text) {
    if (c == ':' || c == ' ') continue;
    if (HexDigit(c) < 0) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "invalid hex bytes \"%s\": '%c' is not a hex digit (expected e.g. 52:46:43)", text, c));
    }
    digits.push_back(c);
  }
  if (digits.empty() || digits.size() % 2 != 0) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "invalid hex bytes \"%s\": expected whole bytes of two hex digits, e.g. 52:46:43", text));
  }
  std::vector<uint8_t> bytes;
  for (size_t i = 0; i < digits.size(); i += 2) {
    bytes.push_back(static_cast<uint8_t>(HexDigit(digits[i]) * 16 + HexDigit(digits[i + 1])));
  }
  return bytes;
}

absl::string_view ProfileName(Profile profile) {
  switch (profile) {
    case Profile::kIto:
      return "ito";
    case Profile::kRfc2544:
      return "rfc2544";
    case Profile::kY1564:
      return "y1564";
    case Profile::kLoopback:
      return "loopback";
    case Profile::kStamp:
      return "stamp";
    case Profile::kTwampLight:
      return "twamp-light";
    case Profile::kY1731:
      return "y1731";
  }
  return "unknown";
}

absl::StatusOr<ProfileSet> ParseProfiles(absl::string_view text) {
  const absl::string_view trimmed = absl::StripAsciiWhitespace(text);
  if (trimmed == "none") return ProfileSet{0};
  ProfileSet set = 0;
  for (absl::string_view token : absl::StrSplit(trimmed, ',')) {
    token = absl::StripAsciiWhitespace(token);
    const Profile* match = nullptr;
    for (const Profile& profile : kAllProfiles) {
      if (ProfileName(profile) == token) match = &profile;
    }
    if (match == nullptr) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "invalid profile \"%s\" in \"%s\": expected a comma-separated list of ito, rfc2544, "
          "y1564, loopback, stamp, twamp-light, y1731, or none",
          token, text));
    }
    set |= ProfileBit(*match);
  }
  return set;
}

std::string FormatProfiles(ProfileSet profiles) {
  std::vector<absl::string_view> names;
  for (Profile profile : kAllProfiles) {
    if (profiles & ProfileBit(profile)) names.push_back(ProfileName(profile));
  }
  return names.empty() ? "none" : absl::StrJoin(names, ",");
}

std::string FormatPortRange(const PortRange& ports) {
  if (ports.any()) return "any";
  if (ports.min == ports.max) return absl::StrCat(ports.min);
  return absl::StrCat(ports.min, "-", ports.max);
}

std::string FormatPortRanges(const std::vector<PortRange>& ports) {
  if (ports.empty()) return "none";
  return absl::StrJoin(ports, ",", [](std::string* out, const PortRange& range) {
    out->append(FormatPortRange(range));
  });
}

std::string FormatPrefix(const IpPrefix& prefix) {
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(prefix.version == 4 ? AF_INET : AF_INET6, prefix.addr.data(), text, sizeof(text));
  return absl::StrCat(text, "/", prefix.length);
}

namespace {

// The payload as text when every byte is printable (and no mask), else as hex.
std::string FormatPattern(const PayloadPattern& pattern) {
  const bool printable = pattern.mask.empty() &&
                         std::all_of(pattern.bytes.begin(), pattern.bytes.end(),
                                     [](uint8_t c) { return c >= 0x20 && c < 0x7f && c != '"'; });
  std::string out;
  if (printable) {
    out = absl::StrCat("\"", std::string(pattern.bytes.begin(), pattern.bytes.end()), "\"");
  } else {
    out = absl::StrJoin(pattern.bytes, ":", [](std::string* o, uint8_t b) {
      absl::StrAppendFormat(o, "%02x", b);
    });
    if (!pattern.mask.empty()) {
      absl::StrAppend(&out, " mask ", absl::StrJoin(pattern.mask, ":", [](std::string* o, uint8_t b) {
                        absl::StrAppendFormat(o, "%02x", b);
                      }));
    }
  }
  return absl::StrCat(out, " at ", pattern.offset);
}

std::string FormatPrefixes(const std::vector<IpPrefix>& prefixes) {
  return absl::StrJoin(prefixes, ",", [](std::string* out, const IpPrefix& p) {
    out->append(FormatPrefix(p));
  });
}

}  // namespace

std::string DescribeRule(const Rule& rule) {
  std::vector<std::string> parts;
  if (rule.untagged) parts.push_back("untagged");
  if (rule.vlan) parts.push_back(absl::StrCat("vlan ", *rule.vlan));
  if (rule.inner_vlan) parts.push_back(absl::StrCat("inner vlan ", *rule.inner_vlan));
  if (rule.ip_version) parts.push_back(absl::StrCat("ipv", rule.ip_version));
  if (!rule.dst_prefixes.empty()) parts.push_back("dst " + FormatPrefixes(rule.dst_prefixes));
  if (!rule.src_prefixes.empty()) parts.push_back("src " + FormatPrefixes(rule.src_prefixes));
  parts.push_back("port " + FormatPortRange(rule.dst_ports));
  if (!rule.src_ports.any()) parts.push_back("src port " + FormatPortRange(rule.src_ports));
  parts.push_back(rule.pattern.bytes.empty() ? std::string("any payload")
                                             : "payload " + FormatPattern(rule.pattern));
  parts.push_back("oui " + FormatOuiList(rule.ouis));
  std::string out = absl::StrCat(rule.name, ": ", absl::StrJoin(parts, ", "), " -> mode ",
                                 ModeName(rule.mode));
  if (rule.tos_handshake) out += ", tos-handshake";
  if (rule.rate_limit.set()) out += ", at most " + FormatRateLimit(rule.rate_limit);
  if (rule.source_rate_limit.set()) {
    out += ", at most " + FormatRateLimit(rule.source_rate_limit) + " per source";
  }
  if (rule.responder == Responder::kStamp) out += ", stamp";
  if (rule.responder == Responder::kTwampLight) out += ", twamp-light";
  if (rule.responder != Responder::kNone && rule.stateful) out += " (stateful)";
  return out;
}

absl::StatusOr<uint8_t> ParseSignatures(absl::string_view text) {
  uint8_t bits = 0;
  for (absl::string_view token : absl::StrSplit(text, ',')) {
    token = absl::StripAsciiWhitespace(token);
    const std::string lower = absl::AsciiStrToLower(token);
    const SignatureGroup* match = nullptr;
    for (const SignatureGroup& group : kSignatureGroups) {
      if (group.name == lower) match = &group;
    }
    if (match == nullptr) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "invalid signature \"%s\" in \"%s\": expected a comma-separated list of ito, "
          "rfc2544, y1564, probeot, dataot, latency or all",
          token, text));
    }
    bits |= match->bits;
  }
  return bits;
}

absl::StatusOr<Mode> ParseMode(absl::string_view text) {
  for (Mode mode : kAllModes) {
    if (ModeName(mode) == text) return mode;
  }
  return absl::InvalidArgumentError(
      absl::StrFormat("invalid mode \"%s\": expected all, mac-ip or mac", text));
}

std::string FormatMac(const MacAddress& mac) {
  return absl::StrFormat("%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
                         mac[4], mac[5]);
}

std::string FormatOuiList(const std::vector<Oui>& ouis) {
  if (ouis.empty()) return "any";
  return absl::StrJoin(ouis, ",", [](std::string* out, const Oui& oui) {
    absl::StrAppendFormat(out, "%02x:%02x:%02x", oui[0], oui[1], oui[2]);
  });
}

std::string FormatSignatures(uint8_t signatures) {
  std::vector<absl::string_view> names;
  for (int i = 0; i < kSignatureCount; ++i) {
    if (signatures & RF_SIG_BIT(i)) names.push_back(SignatureName(static_cast<Signature>(i)));
  }
  return names.empty() ? "none" : absl::StrJoin(names, ",");
}

}  // namespace reflector::packet
