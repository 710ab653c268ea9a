// The classifier's settings as a user states them (flags, config file), their parsers, and
// their conversion to the fixed-layout rf_config that the classifier and the kernel read.
#ifndef REFLECTOR_PACKET_CONFIG_H_
#define REFLECTOR_PACKET_CONFIG_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "reflector/packet/packet.h"
#include "reflector/packet/rate_limit.h"
#include "reflector/packet/wire.h"

namespace reflector::packet {

using MacAddress = std::array<uint8_t, RF_ETH_ALEN>;
using Oui = std::array<uint8_t, 3>;

inline constexpr Oui kNetAllyOui = {0x00, 0xc0, 0x17};

// An inclusive UDP port range; the default is every port.
struct PortRange {
  uint16_t min = 0;
  uint16_t max = 65535;
  bool any() const { return min == 0 && max == 65535; }
  friend bool operator==(const PortRange&, const PortRange&) = default;
};

// An IPv4 or IPv6 prefix; the bits past `length` are zero.
struct IpPrefix {
  int version = 4;  // 4 or 6
  std::array<uint8_t, 16> addr = {};  // IPv4 in the first 4 bytes
  int length = 32;
  friend bool operator==(const IpPrefix&, const IpPrefix&) = default;
};

// Up to RF_PATTERN_LEN payload bytes at an offset in the UDP payload; mask bits that are zero
// do not count. No bytes: any payload.
struct PayloadPattern {
  std::vector<uint8_t> bytes;
  std::vector<uint8_t> mask;  // empty: every bit counts; else as long as `bytes`
  uint16_t offset = 0;
  friend bool operator==(const PayloadPattern&, const PayloadPattern&) = default;
};

// A standard protocol a rule answers instead of only swapping (stamp.h): the reflector's
// packet is built in place, with timestamps.
enum class Responder : uint8_t {
  kNone,
  kStamp,       // RFC 8762 STAMP Session-Reflector, SSID echoed
  kTwampLight,  // RFC 5357 Appendix I TWAMP-Light: the same packet, bytes 14..15 MBZ
};

// One reflection rule (SPEC §3, second stage). Every condition that is set must hold.
struct Rule {
  std::string name;
  std::optional<uint16_t> vlan;        // outer VLAN ID (the frame must be tagged)
  std::optional<uint16_t> inner_vlan;  // inner VLAN ID (the frame must have two tags)
  bool untagged = false;               // the frame must have no tag
  int ip_version = 0;                  // 0: either
  std::vector<IpPrefix> dst_prefixes;  // empty: any destination address
  std::vector<IpPrefix> src_prefixes;
  PortRange dst_ports;
  PortRange src_ports;
  std::vector<Oui> ouis;  // empty: any source OUI
  PayloadPattern pattern;
  // What to do with a frame that matches.
  Mode mode = Mode::kAll;
  bool tos_handshake = false;  // IPv4, modes mac-ip and all: toggle ToS bit 0
  // Caps on what the rule reflects (the guard stage, guard.h): all its frames together, and
  // each source address's frames. Frames over a cap are counted as `rate_limited`.
  RateLimit rate_limit;
  RateLimit source_rate_limit;
  // Mode all, and a payload pattern that ends at or after byte 44 (StampLengthPattern).
  Responder responder = Responder::kNone;
  // With a responder: a stateful Session-Reflector (RF_ACTION_STAMP_STATEFUL).
  bool stateful = false;
  friend bool operator==(const Rule&, const Rule&) = default;
};

// Named rule sets for the common testers (SPEC §3).
// kY1731 adds no rule: it turns on the Ethernet OAM responder (cfm.h), which answers frames
// the rules reject.
enum class Profile : uint8_t { kIto, kRfc2544, kY1564, kLoopback, kStamp, kTwampLight, kY1731 };
inline constexpr Profile kAllProfiles[] = {Profile::kIto,      Profile::kRfc2544,
                                           Profile::kY1564,    Profile::kLoopback,
                                           Profile::kStamp,    Profile::kTwampLight,
                                           Profile::kY1731};
using ProfileSet = uint8_t;  // bit per Profile
constexpr ProfileSet ProfileBit(Profile p) { return static_cast<ProfileSet>(1u << static_cast<int>(p)); }
inline constexpr ProfileSet kDefaultProfiles =
    ProfileBit(Profile::kIto) | ProfileBit(Profile::kRfc2544) | ProfileBit(Profile::kY1564);

// Everything the classifier decides with, as a user states it: the safety settings, custom
// rules, and the profiles with the settings that adjust them.
struct FilterConfig {
  MacAddress interface_mac = {};
  bool dst_mac_filter = true;
  bool vlan = true;
  bool ipv6 = true;

  // Custom rules ([[rule]] in the config file), evaluated before the profiles' rules.
  std::vector<Rule> rules;

  ProfileSet profiles = kDefaultProfiles;
  // The settings that adjust the profiles' rules (today's flags keep their meaning).
  std::vector<Oui> ouis = {kNetAllyOui};  // ito rules; empty: any source OUI
  uint16_t port = RF_DEFAULT_PORT;        // ito, rfc2544, y1564 rules; 0: any port
  uint8_t signatures = RF_SIGS_ALL;       // which signature rules the profiles contribute
  Mode mode = Mode::kAll;                 // mode of the profiles' rules
  bool tos_handshake = true;              // ito rules
  std::optional<PortRange> loopback_ports;   // loopback rule: destination ports
  std::vector<IpPrefix> loopback_addresses;  // loopback rule: destination addresses
  // stamp / twamp-light rules: destination ports, one rule per range.
  // (The count constructor, not a braced list: g++ 12 -O2 warns that the list's element may be
  // used uninitialized, a false positive, -Werror=maybe-uninitialized.)
  std::vector<PortRange> stamp_ports =
      std::vector<PortRange>(1, PortRange{RF_STAMP_PORT, RF_STAMP_PORT});
  std::vector<PortRange> twamp_light_ports;
  // stamp / twamp-light rules: a stateful Session-Reflector (stamp_session.h).
  bool stamp_stateful = false;
  // y1731 profile (cfm.h): the MEG level answered, the VLAN (unset: untagged or any tags the
  // `vlan` setting allows; 0: untagged only), LBM to the class-1 multicast address, and the
  // Responder MEP ID an SLR carries.
  uint8_t y1731_level = 0;
  std::optional<uint16_t> y1731_vlan;
  bool y1731_multicast_lbm = false;
  uint16_t y1731_mep_id = 1;
};

// The payload "pattern" of a STAMP rule: any byte at offset 13, so that the rule takes only
// packets of at least RF_STAMP_MIN_LEN bytes (a TWAMP-Light sender's sequence number,
// timestamp and error estimate) and a shorter one is a `signature` reject. Shorter than 44
// bytes, the answer is longer than the request (stamp.h).
PayloadPattern StampLengthPattern();

// The rules in the order the classifier tries them: the custom rules, then each selected
// profile's (ito: probeot, dataot, latency; rfc2544; y1564; loopback). Fails naming the rule
// when one is invalid (see ValidateRule) or when there are none or more than RF_MAX_RULES.
absl::StatusOr<std::vector<Rule>> RuleTable(const FilterConfig& config);

// A rule the classifier can run: pattern within RF_PATTERN_LEN bytes and at most
// RF_MAX_PATTERN_OFFSET deep, mask as long as the pattern, ranges in order, VLAN IDs 0..4095,
// prefixes of the rule's IP version, and a rule with no payload pattern restricted to a
// destination port range or address (else it would reflect the host's own DNS replies).
absl::Status ValidateRule(const Rule& rule);

// A config compiled for the classifier, with the rules it was compiled from (their names
// label the per-rule counters: rule i of `rules` is rf_result.rule == i).
struct CompiledConfig {
  rf_config wire;
  std::vector<Rule> rules;
};
absl::StatusOr<CompiledConfig> Compile(const FilterConfig& config);
// Compile(config)->wire.
absl::StatusOr<rf_config> ToWire(const FilterConfig& config);

// "aa:bb:cc:dd:ee:ff" (hex digits, either case).
absl::StatusOr<MacAddress> ParseMac(absl::string_view text);
// "00:c0:17,00:19:b3"; "" or "any" means any OUI. At most RF_MAX_OUIS entries.
absl::StatusOr<std::vector<Oui>> ParseOuiList(absl::string_view text);
// 0..65535 in decimal; 0 means any port.
absl::StatusOr<uint16_t> ParsePort(absl::string_view text);
// "5001" or "5000-5010"; "any" is every port.
absl::StatusOr<PortRange> ParsePortRange(absl::string_view text);
// Comma-separated ParsePortRange, not "any" and not port 0: "862,4000-4001"; "" is none.
absl::StatusOr<std::vector<PortRange>> ParsePortRanges(absl::string_view text);
// "192.0.2.10", "192.0.2.0/24", "2001:db8::/32"; a bare address is a host prefix.
absl::StatusOr<IpPrefix> ParsePrefix(absl::string_view text);
// Comma-separated prefixes; "" is an empty list.
absl::StatusOr<std::vector<IpPrefix>> ParsePrefixList(absl::string_view text);
// Hex bytes, separated by ':' or ' ' or not at all: "52:46:43", "52 46 43", "524643".
absl::StatusOr<std::vector<uint8_t>> ParseHexBytes(absl::string_view text);
// Comma-separated groups or single signatures: ito, rfc2544, y1564, probeot, dataot,
// latency, or all. Returns an RF_SIG_BIT() set.
absl::StatusOr<uint8_t> ParseSignatures(absl::string_view text);
// Comma-separated ito, rfc2544, y1564, loopback, stamp, twamp-light; "none" selects none.
absl::StatusOr<ProfileSet> ParseProfiles(absl::string_view text);
// all, mac-ip, mac.
absl::StatusOr<Mode> ParseMode(absl::string_view text);

std::string FormatMac(const MacAddress& mac);
std::string FormatOuiList(const std::vector<Oui>& ouis);  // "any" when empty
std::string FormatSignatures(uint8_t signatures);          // "probeot,dataot,..."
std::string FormatProfiles(ProfileSet profiles);           // "ito,rfc2544,y1564" or "none"
std::string FormatPortRange(const PortRange& ports);       // "3842", "5000-5010", "any"
std::string FormatPortRanges(const std::vector<PortRange>& ports);  // "862,4000-4001", "none"
std::string FormatPrefix(const IpPrefix& prefix);          // "192.0.2.0/24"
absl::string_view ProfileName(Profile profile);
// One line: "probeot: port 3842, payload "PROBEOT" at 5, oui 00:c0:17 -> mode all, tos-handshake"
std::string DescribeRule(const Rule& rule);

}  // namespace reflector::packet

#endif  // REFLECTOR_PACKET_CONFIG_H_
