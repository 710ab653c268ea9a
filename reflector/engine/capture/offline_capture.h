// The capture of an offline run (pcap-reflect --capture, issue 21): every input frame's verdict
// as the live data paths would give it, through the same selection, sampling, bounds and
// pcapng comments. The per-second bound counts by the frames' own timestamps.
#ifndef REFLECTOR_ENGINE_CAPTURE_OFFLINE_CAPTURE_H_
#define REFLECTOR_ENGINE_CAPTURE_OFFLINE_CAPTURE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "platform/pcap/capture_file.h"
#include "reflector/engine/capture/capture_options.h"
#include "reflector/engine/capture/capture_sink.h"
#include "reflector/packet/config.h"

namespace reflector::engine::capture {

// Writes the capture of `frames` (as read, before any reflection) classified under `config`;
// with options.sent, each reflected frame taken also as reflected (outbound), right after.
// Errors: a selection that names no rule, an unwritable file. A file that fills up or reaches
// its bound stops the capture; the stats say what was dropped and `stopped` says why.
struct OfflineCapture {
  CaptureStats stats;
  std::string stopped;  // empty unless the file stopped taking frames
};
absl::StatusOr<OfflineCapture> CaptureFrames(
    const std::vector<platform::pcap::CapturedFrame>& frames,
    const packet::CompiledConfig& config, const CaptureOptions& options);

}  // namespace reflector::engine::capture

#endif  // REFLECTOR_ENGINE_CAPTURE_OFFLINE_CAPTURE_H_
