// The classify_fuzzer's input layout, shared by the fuzzer (which decodes it), make_corpus
// (which encodes seeds), the XDP differential fuzzer and xdp/differential_test.cc (which feeds
// it random bytes to draw rule tables), so that bytes mean the same config everywhere:
//
//   bytes 0-1  L, big-endian: the config takes the next L bytes, the frame is the rest
//   config     (reads past its L bytes give zeros)
//     c0       bit 0 dst MAC filter, bit 1 VLAN, bit 2 IPv6, bits 3-4 mode (value % 3),
//              bits 5-6 OuiChoice, bit 7 interface MAC = the frame's dst MAC (else kReflectorMac)
//     c1       bits 0-4 enabled signatures (RF_SIG_BIT set), bits 5-6 PortChoice, bit 7 the
//              ITO ToS handshake off
//     c2-3     the port, big-endian, for PortChoice::kExplicit
//     c4       bits 0-3 profiles (ProfileBit set), bit 4 loopback ports follow, bits 5-6 the
//              number of loopback addresses that follow
//     c5       custom rules (value % 33, at most what the profiles leave of RF_MAX_RULES)
//     [loopback ports: min, max, big-endian] [loopback addresses: prefixes]
//     custom rules, each:
//       r0     bit 0 outer VLAN, 1 inner VLAN, 2 untagged, 3 dst ports, 4 src ports, 5 OUIs,
//              6 dst prefixes, 7 src prefixes
//       r1     bits 0-1 mode (value % 3), bit 2 ToS handshake, bits 3-4 IP version (0 either,
//              1 IPv4, 2 IPv6, 3 the frame's), bit 5 payload pattern, bit 6 pattern mask,
//              bit 7 from the frame: VLAN IDs, ports, OUI and pattern bytes are the frame's
//       then, as r0/r1 say: outer VID (2 bytes, % 4096), inner VID (2), dst ports (min, max:
//       4 bytes), src ports (4) -- none of these when from the frame --; OUIs (count % 4,
//       then 3 bytes each; from the frame: none, the frame's source OUI); dst prefixes (count
//       % 3, then each prefix), src prefixes; pattern (length 1 + value % 16, offset 2 bytes:
//       % (RF_MAX_PATTERN_OFFSET + 1), or from the frame % (UDP payload length + 1); bytes
//       unless from the frame), mask (length bytes)
//     (small counts keep most tables within RF_MAX_OUIS and RF_MAX_PREFIXES distinct entries)
//     prefix   p0 bit 7 IPv6, bit 6 from the frame (bit 5: its destination, else its source
//              address); p1 prefix length (% 33 or % 129); the address (4 or 16 bytes) unless
//              from the frame
//
// Choices that depend on the frame (its dst MAC, its source OUI, its addresses, ports, tags
// and payload) let mutated frames still pass the filters, so rules match often enough for the
// fuzzer to spend its time on the deeper checks and on the reflection.
#ifndef REFLECTOR_FUZZ_CLASSIFY_INPUT_H_
#define REFLECTOR_FUZZ_CLASSIFY_INPUT_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/types/span.h"
#include "reflector/packet/config.h"
#include "reflector/packet/packet.h"

namespace reflector::fuzz {

enum class OuiChoice : uint8_t {
  kAny = 0,                     // empty list
  kNetAlly = 1,                 // the default list
  kFullEndingWithFrameOui = 2,  // 16 entries, the frame's source OUI last (loop bound)
  kFullWithoutFrameOui = 3,     // 16 entries, none of them the frame's source OUI
};

enum class PortChoice : uint8_t { kAny = 0, kDefault = 1, kExplicit = 2 };

struct ClassifyInput {
  packet::FilterConfig filter;
  rf_config config;  // compiled from `filter`
  absl::Span<const uint8_t> frame;
};

// The config that `config_bytes` (the config part of the layout) states for `frame`; nullopt
// when Compile refuses it (no rule, too many distinct OUIs or prefixes, a rule without a
// pattern while the dst MAC filter is off), which the daemon could never load.
std::optional<packet::FilterConfig> DecodeFilterConfig(absl::Span<const uint8_t> config_bytes,
                                                       absl::Span<const uint8_t> frame);

// Splits a fuzzer input into config and frame; nullopt when the config is one Compile refuses.
std::optional<ClassifyInput> DecodeClassifyInput(absl::Span<const uint8_t> data);

// The input under which `frame` is classified with `config`: everything is stated literally
// except the profiles' OUI list, which becomes the nearest OuiChoice.
std::vector<uint8_t> EncodeClassifyInput(const packet::FilterConfig& config,
                                         absl::Span<const uint8_t> frame);

}  // namespace reflector::fuzz

#endif  // REFLECTOR_FUZZ_CLASSIFY_INPUT_H_
