// The file end of a capture (issue 21): takes records (the kernel's or a worker's), applies the
// bounds over the whole capture (frames a second, total frames, file size), writes each frame
// with its verdict as a pcapng packet comment, and counts what it wrote and what it dropped.
// Single-threaded: the live capture's writer thread owns one, pcap-reflect another.
#ifndef REFLECTOR_ENGINE_CAPTURE_CAPTURE_SINK_H_
#define REFLECTOR_ENGINE_CAPTURE_CAPTURE_SINK_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "platform/pcap/pcapng_writer.h"
#include "reflector/engine/capture/capture_options.h"
#include "reflector/packet/config.h"

namespace reflector::engine::capture {

// Frames taken for the capture and what became of them.
struct CaptureStats {
  uint64_t captured = 0;   // written to the file
  uint64_t ring_full = 0;  // no room in the kernel's ring or a worker's queue
  uint64_t limited = 0;    // over the frames-a-second bound
  uint64_t bounded = 0;    // after the file reached its frame or size bound, or failed
  uint64_t dropped() const { return ring_full + limited + bounded; }
  friend bool operator==(const CaptureStats&, const CaptureStats&) = default;
};

// "captured 12, dropped 3 (ring full 0, rate bound 3, file bound 0)".
std::string FormatCaptureStats(const CaptureStats& stats);

class CaptureSink {
 public:
  // Creates the file; an unwritable path is an error naming it.
  static absl::StatusOr<CaptureSink> Open(const CaptureOptions& options,
                                          const std::string& interface_name);

  // Writes one frame. `time` is when it was received; `rate_clock_ns` drives the per-second
  // bound (monotonic for live captures, the frame's time offline).
  void Write(const rf_capture_record& record, absl::Span<const uint8_t> bytes, absl::Time time,
             uint64_t rate_clock_ns, const packet::CompiledConfig& config);

  // Set once the file stopped taking frames (bound reached, write failed): one line that says
  // why, for the log. Frames after that are counted as dropped.
  const std::optional<std::string>& stopped() const { return stopped_; }
  bool open() const { return !stopped_.has_value(); }
  CaptureStats& stats() { return stats_; }
  const CaptureStats& stats() const { return stats_; }
  const CaptureOptions& options() const { return options_; }

 private:
  CaptureSink(platform::pcap::PcapngFile file, const CaptureOptions& options)
      : file_(std::move(file)), options_(options) {}

  platform::pcap::PcapngFile file_;
  CaptureOptions options_;
  uint64_t window_start_ns_ = 0;
  uint64_t window_written_ = 0;
  bool window_started_ = false;
  std::optional<std::string> stopped_;
  CaptureStats stats_;
};

}  // namespace reflector::engine::capture

#endif  // REFLECTOR_ENGINE_CAPTURE_CAPTURE_SINK_H_
