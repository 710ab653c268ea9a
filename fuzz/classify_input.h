// The classify_fuzzer's input layout, shared by the fuzzer (which decodes it) and make_corpus
// (which encodes seeds), so that a seed means to the fuzzer what the tool meant:
//
//   byte 0     bit 0 dst MAC filter, bit 1 VLAN, bit 2 IPv6, bits 3-4 mode (value % 3),
//              bits 5-6 OuiChoice, bit 7 interface MAC = the frame's dst MAC (else kReflectorMac)
//   byte 1     bits 0-4 enabled signatures (RF_SIG_BIT set), bits 5-6 PortChoice
//   bytes 2-3  the port, big-endian, for PortChoice::kExplicit
//   bytes 4..  the frame
//
// Choices that depend on the frame (its dst MAC, its source OUI) let mutated frames still pass
// the early filters, so the fuzzer spends its time on the deeper checks.
#ifndef REFLECTOR_FUZZ_CLASSIFY_INPUT_H_
#define REFLECTOR_FUZZ_CLASSIFY_INPUT_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/types/span.h"
#include "reflector/packet/config.h"
#include "reflector/packet/packet.h"

namespace reflector::fuzz {

inline constexpr size_t kClassifyHeaderBytes = 4;

enum class OuiChoice : uint8_t {
  kAny = 0,                     // empty list
  kNetAlly = 1,                 // the default list
  kFullEndingWithFrameOui = 2,  // 16 entries, the frame's source OUI last (loop bound)
  kFullWithoutFrameOui = 3,     // 16 entries, none of them the frame's source OUI
};

enum class PortChoice : uint8_t { kAny = 0, kDefault = 1, kExplicit = 2 };

struct ClassifyInput {
  rf_config config;
  absl::Span<const uint8_t> frame;
};

// Splits a fuzzer input into config and frame; nullopt when it is too short or the config is
// one ToWire rejects (no signature enabled), which the daemon could never load.
std::optional<ClassifyInput> DecodeClassifyInput(absl::Span<const uint8_t> data);

// The input under which `frame` is classified with (approximately) `config`: the fields the
// layout can express are kept, an OUI list becomes the nearest OuiChoice.
std::vector<uint8_t> EncodeClassifyInput(const rf_config& config, absl::Span<const uint8_t> frame);

}  // namespace reflector::fuzz

#endif  // REFLECTOR_FUZZ_CLASSIFY_INPUT_H_
