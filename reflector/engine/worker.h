// One worker per queue: receive a batch, classify, guard (guard.h) and reflect each frame in
// place, transmit the reflected frames from the same buffers, give the rest back. No allocation, lock, log or
// virtual call per frame; counters are published once per batch.
#ifndef REFLECTOR_ENGINE_WORKER_H_
#define REFLECTOR_ENGINE_WORKER_H_

#include <array>
#include <atomic>
#include <cstddef>

#include "absl/base/attributes.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "platform/frame_io.h"
#include "reflector/engine/capture/capture_tap.h"
#include "reflector/engine/counters.h"
#include "reflector/engine/session_table.h"
#include "reflector/engine/shared_config.h"
#include "reflector/packet/cfm_responder.h"
#include "reflector/packet/guard_stage.h"
#include "reflector/packet/loop_guard.h"
#include "reflector/packet/packet.h"
#include "reflector/packet/stamp_sessions.h"

namespace reflector::engine {

class Worker {
 public:
  // `io` and `config` must outlive the worker. In `monitor` mode frames are classified and
  // counted (test frames under reflected_*) but nothing is sent. `tap`: where captured frames
  // go (issue 21), if anywhere; it must outlive the worker. `rate_buckets`: the rate caps'
  // state, shared by the data path's workers (null: caps hold nothing back); it must outlive
  // the worker. `count_sessions`: count the reflected frames per tester's session (sessions()).
  Worker(platform::FrameIo& io, const SharedConfig& config, bool monitor = false,
         capture::CaptureTap* tap = nullptr, packet::RateBuckets* rate_buckets = nullptr,
         bool count_sessions = true);

  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Handles one batch, waiting at most `timeout` for frames. Returns how many were received.
  absl::StatusOr<size_t> RunBatch(absl::Duration timeout);

  // Runs batches until `stop` becomes true; returns the backend's first error. `spin`: ask
  // for frames with a zero timeout, so the thread never sleeps and sees a frame as soon as
  // the backend has it (no wakeup latency), at the cost of a CPU kept 100% busy.
  absl::Status Run(const std::atomic<bool>& stop, bool spin = false);

  Counters counters() const { return published_.Read(); }
  // Per-tester sessions: the counts the worker last published (session_table.h).
  const SessionTable& sessions() const { return sessions_; }
  // Any thread: sessions idle for longer than `idle` leave the table (zero: never).
  void SetSessionIdle(absl::Duration idle) {
    sessions_.set_idle_ns(static_cast<uint64_t>(absl::ToInt64Nanoseconds(idle)));
  }
  platform::FrameIo& io() { return io_; }

 private:
  // Adds the backend's drop counts since the last call to `batch` and publishes it.
  void PublishIoStats(Counters& batch);
  void PublishSessionsIfDue();
  // While a capture runs: offers the frame as received to the tap, with its verdict; whether
  // the tap took it. Out of line, so the loop without capture stays as it was.
  ABSL_ATTRIBUTE_NOINLINE bool OfferToCapture(absl::Span<const uint8_t> frame,
                                              const packet::Classification& result);
  // With capture_sent: the frame as sent, after reflecting one whose received copy was taken.
  ABSL_ATTRIBUTE_NOINLINE void OfferSentToCapture(absl::Span<const uint8_t> frame,
                                                  uint32_t rule);

  platform::FrameIo& io_;
  const SharedConfig& shared_config_;
  const bool monitor_;
  const bool count_sessions_;
  rf_config config_;
  uint64_t config_version_ = 0;
  packet::RuleHint rule_hint_;  // the rule of the last frame reflected
  packet::SlmCounters slm_counters_;  // the Y.1731 responder's SLR counts (cfm_responder.h)
  packet::StampSessions stamp_sessions_;  // the stateful STAMP reflector's (stamp_sessions.h)
  packet::LoopGuard loop_guard_;  // this worker's frames, as the XDP program keeps per CPU
  capture::CaptureTap* const tap_;
  packet::RateBuckets* const rate_buckets_;
  rf_capture_config capture_ = {};  // the tap's settings, refreshed per batch
  uint64_t capture_version_ = 0;
  platform::IoStats io_seen_;  // the backend's counters at the last publication
  std::array<platform::Frame, platform::kBatchSize> received_;
  std::array<platform::Frame, platform::kBatchSize> to_send_;
  std::array<platform::Frame, platform::kBatchSize> to_release_;
  PublishedCounters published_;
  SessionTable sessions_;
};

}  // namespace reflector::engine

#endif  // REFLECTOR_ENGINE_WORKER_H_
