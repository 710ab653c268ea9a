// The classifier's settings as a user states them (flags, config file), their parsers, and
// their conversion to the fixed-layout rf_config that the classifier and the kernel read.
#ifndef REFLECTOR_PACKET_CONFIG_H_
#define REFLECTOR_PACKET_CONFIG_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "reflector/packet/packet.h"
#include "reflector/packet/wire.h"

namespace reflector::packet {

using MacAddress = std::array<uint8_t, RF_ETH_ALEN>;
using Oui = std::array<uint8_t, 3>;

inline constexpr Oui kNetAllyOui = {0x00, 0xc0, 0x17};

struct FilterConfig {
  MacAddress interface_mac = {};
  bool dst_mac_filter = true;
  std::vector<Oui> ouis = {kNetAllyOui};  // empty: any source OUI
  uint16_t port = RF_DEFAULT_PORT;        // 0: any destination port
  uint8_t signatures = RF_SIGS_ALL;       // RF_SIG_BIT() set
  bool vlan = true;
  bool ipv6 = true;
  Mode mode = Mode::kAll;
};

// The wire form; fails when the config cannot be represented (too many OUIs, no signature).
absl::StatusOr<rf_config> ToWire(const FilterConfig& config);

// "aa:bb:cc:dd:ee:ff" (hex digits, either case).
absl::StatusOr<MacAddress> ParseMac(absl::string_view text);
// "00:c0:17,00:19:b3"; "" or "any" means any OUI. At most RF_MAX_OUIS entries.
absl::StatusOr<std::vector<Oui>> ParseOuiList(absl::string_view text);
// 0..65535 in decimal; 0 means any port.
absl::StatusOr<uint16_t> ParsePort(absl::string_view text);
// Comma-separated groups or single signatures: ito, rfc2544, y1564, probeot, dataot,
// latency, or all. Returns an RF_SIG_BIT() set.
absl::StatusOr<uint8_t> ParseSignatures(absl::string_view text);
// all, mac-ip, mac.
absl::StatusOr<Mode> ParseMode(absl::string_view text);

std::string FormatMac(const MacAddress& mac);
std::string FormatOuiList(const std::vector<Oui>& ouis);  // "any" when empty
std::string FormatSignatures(uint8_t signatures);          // "probeot,dataot,..."

}  // namespace reflector::packet

#endif  // REFLECTOR_PACKET_CONFIG_H_
