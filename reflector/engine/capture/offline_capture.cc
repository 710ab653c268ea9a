#include "reflector/engine/capture/offline_capture.h"

#include <algorithm>

#include "reflector/packet/capture_select.h"
#include "reflector/packet/packet.h"

namespace reflector::engine::capture {

absl::StatusOr<OfflineCapture> CaptureFrames(
    const std::vector<platform::pcap::CapturedFrame>& frames,
    const packet::CompiledConfig& config, const CaptureOptions& options) {
  absl::StatusOr<Selection> selection = ResolveSelection(options.select, config.rules);
  if (!selection.ok()) return selection.status();
  absl::StatusOr<CaptureSink> sink = CaptureSink::Open(options, "offline");
  if (!sink.ok()) return sink.status();
  // The sink applies the per-second bound over the whole file; the source side only selects
  // and samples here (one source, so its share of the bound would be the bound itself).
  rf_capture_config wire = ToWire(options, *selection, 1);
  wire.per_second = 0;
  rf_capture_state state = {};
  for (const platform::pcap::CapturedFrame& frame : frames) {
    const packet::Classification result = packet::Classify(frame.bytes, config.wire);
    const auto verdict = static_cast<uint32_t>(result.verdict);
    const auto ns = static_cast<uint64_t>(std::max<int64_t>(absl::ToUnixNanos(frame.time), 0));
    if (!rf_capture_take(&wire, &state, verdict, result.where.rule, ns)) continue;
    rf_capture_record record = {};
    record.time_ns = ns;
    record.length = static_cast<uint32_t>(frame.bytes.size());
    record.captured = static_cast<uint16_t>(std::min<size_t>(frame.bytes.size(), options.snap));
    record.verdict = static_cast<uint8_t>(verdict);
    record.rule = static_cast<uint8_t>(result.where.rule);
    record.direction = RF_CAPTURE_RECEIVED;
    sink->Write(record, absl::MakeConstSpan(frame.bytes.data(), record.captured), frame.time, ns,
                config);
    // capture_sent: a reflected frame taken comes again as the reflector would send it (a
    // STAMP answer with this run's clock, as ReflectFrames makes it), right after.
    if (!options.sent || !result.reflect()) continue;
    std::vector<uint8_t> sent = frame.bytes;
    if (!packet::ReflectInVector(sent, result.where, config.wire, packet::TaiNowNs())) {
      continue;  // cannot happen for a kReflect result of this frame
    }
    record.direction = RF_CAPTURE_SENT;
    record.length = static_cast<uint32_t>(sent.size());  // a STAMP answer may be longer
    record.captured = static_cast<uint16_t>(std::min<size_t>(sent.size(), options.snap));
    sink->Write(record, absl::MakeConstSpan(sent.data(), record.captured), frame.time, ns, config);
  }
  return OfflineCapture{sink->stats(), sink->stopped().value_or("")};
}

}  // namespace reflector::engine::capture
