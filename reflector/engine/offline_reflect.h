// Offline mode: what a reflector with a given config would do with each frame of a capture,
// using the same packet library as every data path.
#ifndef REFLECTOR_ENGINE_OFFLINE_REFLECT_H_
#define REFLECTOR_ENGINE_OFFLINE_REFLECT_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "reflector/packet/packet.h"
#include "reflector/packet/wire.h"
#include "platform/pcap/capture_file.h"

namespace reflector::engine {

using platform::pcap::CapturedFrame;

struct OfflineResult {
  // The frames that would be reflected, as reflected, with their input timestamps.
  std::vector<CapturedFrame> reflected;
  std::array<uint64_t, packet::kVerdictCount> verdicts = {};
  std::array<uint64_t, RF_MAX_RULES> rules = {};  // reflected frames per rule
  uint64_t frames = 0;
};

// Classifies and reflects (as the matching rule says) every frame, in order.
OfflineResult ReflectFrames(const std::vector<CapturedFrame>& frames, const rf_config& config);

// "83 frames: reflect 30 (probeot 20, rfc2544 10), dst_mac 12, ethertype 41": every verdict
// that occurred, in SPEC §3 order; `rule_names[i]` names rule i (else "rule<i>").
std::string FormatVerdictCounts(const OfflineResult& result,
                                const std::vector<std::string>& rule_names = {});

}  // namespace reflector::engine

#endif  // REFLECTOR_ENGINE_OFFLINE_REFLECT_H_
