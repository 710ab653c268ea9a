#include "reflector/engine/capture/capture_sink.h"

#include "absl/strings/str_cat.h"
#include "reflector/engine/capture/verdict_comment.h"
#include "reflector/packet/capture_select.h"

namespace reflector::engine::capture {

std::string FormatCaptureStats(const CaptureStats& stats) {
  return absl::StrCat("captured ", stats.captured, ", dropped ", stats.dropped(),
                      " (ring full ", stats.ring_full, ", rate bound ", stats.limited,
                      ", file bound ", stats.bounded, ")");
}

absl::StatusOr<CaptureSink> CaptureSink::Open(const CaptureOptions& options,
                                              const std::string& interface_name) {
  absl::StatusOr<platform::pcap::PcapngFile> file = platform::pcap::PcapngFile::Create(
      options.path, {{interface_name, options.snap}}, options.max_bytes);
  if (!file.ok()) return file.status();
  return CaptureSink(*std::move(file), options);
}

void CaptureSink::Write(const rf_capture_record& record, absl::Span<const uint8_t> bytes,
                        absl::Time time, uint64_t rate_clock_ns,
                        const packet::CompiledConfig& config) {
  if (stopped_) {
    ++stats_.bounded;
    return;
  }
  if (options_.per_second != 0) {
    if (!window_started_ || rate_clock_ns - window_start_ns_ >= RF_NS_PER_SECOND) {
      window_started_ = true;
      window_start_ns_ = rate_clock_ns;
      window_written_ = 0;
    }
    if (window_written_ >= options_.per_second) {
      ++stats_.limited;
      return;
    }
    ++window_written_;
  }
  if (options_.max_frames != 0 && stats_.captured >= options_.max_frames) {
    stopped_ = absl::StrCat("capture: ", options_.path, " holds its ", options_.max_frames,
                            " frames (capture_frames); capture stopped");
    ++stats_.bounded;
    return;
  }
  const std::string comment = VerdictComment(record.verdict, record.rule, bytes, config);
  const platform::pcap::Direction direction = record.direction == RF_CAPTURE_SENT
                                                  ? platform::pcap::Direction::kOutbound
                                                  : platform::pcap::Direction::kInbound;
  const absl::StatusOr<bool> written =
      file_.Write({0, time, bytes, record.length, direction, comment});
  if (!written.ok()) {
    stopped_ = absl::StrCat("capture: ", written.status().message(),
                            "; capture stopped, reflecting goes on");
    ++stats_.bounded;
    return;
  }
  if (!*written) {
    stopped_ = absl::StrCat("capture: ", options_.path, " reached its size bound of ",
                            options_.max_bytes, " bytes (capture_size); capture stopped");
    ++stats_.bounded;
    return;
  }
  ++stats_.captured;
}

}  // namespace reflector::engine::capture
