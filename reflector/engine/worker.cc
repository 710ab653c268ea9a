#include "reflector/engine/worker.h"

#include <time.h>

#include "reflector/base/status_macros.h"
#include "reflector/packet/packet.h"

namespace reflector::engine {

// How long an idle worker blocks in Receive before it looks at the stop flag again.
constexpr absl::Duration kIdleWait = absl::Milliseconds(100);
// How often a worker copies its session counts out for the daemon (session_table.h).
constexpr absl::Duration kSessionPublishPeriod = absl::Milliseconds(250);

Worker::Worker(platform::FrameIo& io, const SharedConfig& config, bool monitor,
               capture::CaptureTap* tap, packet::RateBuckets* rate_buckets, bool count_sessions)
    : io_(io),
      shared_config_(config),
      monitor_(monitor),
      count_sessions_(count_sessions),
      config_(config.Get()),
      config_version_(config.version()),
      tap_(tap),
      rate_buckets_(rate_buckets) {}

namespace {
uint64_t MonotonicNs() {
  timespec now = {};
  clock_gettime(CLOCK_MONOTONIC, &now);  // the kernel programs' clock (bpf_ktime_get_ns)
  return static_cast<uint64_t>(now.tv_sec) * 1000000000u + now.tv_nsec;
}
}  // namespace

bool Worker::OfferToCapture(absl::Span<const uint8_t> frame,
                            const packet::Classification& result) {
  return tap_->Offer(capture_, frame, static_cast<uint32_t>(result.verdict), result.where.rule,
                     MonotonicNs());
}

void Worker::OfferSentToCapture(absl::Span<const uint8_t> frame, uint32_t rule) {
  tap_->OfferSent(capture_, frame, rule, MonotonicNs());
}

absl::StatusOr<size_t> Worker::RunBatch(absl::Duration timeout) {
  REFLECTOR_ASSIGN_OR_RETURN(const size_t received,
                             io_.Receive(absl::MakeSpan(received_), timeout));
  // The dwell's start (counters.h): one clock read per batch, shared by its frames.
  const uint64_t arrived_ns = received != 0 ? MonotonicNs() : 0;
  // After Receive, not before: Receive may wait, and a frame that arrives after a reload must
  // be judged by the new config, as the kernel side (XDP program, tc filter) already does.
  shared_config_.Refresh(config_, config_version_);
  PublishSessionsIfDue();
  if (tap_ != nullptr) tap_->Refresh(capture_, capture_version_);
  if (received == 0) {
    Counters idle;
    PublishIoStats(idle);  // drops may show up while nothing arrives
    REFLECTOR_RETURN_IF_ERROR(io_.Flush());
    return 0;
  }

  Counters batch;
  size_t sending = 0;
  size_t releasing = 0;
  // The guard's clocks, read once per batch: the loop window is milliseconds, a batch
  // microseconds, and a cap holds its rate over batches whatever their frames' shared time.
  const bool guarded =
      !monitor_ && (config_.guard.flags != 0 || config_.guard.loop_window_ticks != 0);
  const packet::GuardClock now =
      guarded ? packet::GuardClock::Now(config_.guard) : packet::GuardClock{};
  // STAMP's receive time T2 (Y.1731 DMR's RxTimeStampf): when the batch arrived, read only
  // when a rule answers STAMP or the Y.1731 responder is on.
  const uint64_t stamp_t2 =
      ((config_.flags & RF_CFG_STAMP) || (config_.cfm.flags & RF_CFM_ON)) ? packet::TaiNowNs() : 0;
  for (size_t i = 0; i < received; ++i) {
    const platform::Frame& frame = received_[i];
    batch.rx_bytes += frame.length;
    const absl::Span<uint8_t> bytes(frame.data, frame.length);
    packet::Classification result = packet::Classify(bytes, config_, rule_hint_);
    if (result.reflect() && guarded) {
      // Lease, loop, rate caps (guard_stage.h): such a frame is dropped (released, never sent).
      result.verdict = packet::GuardFrame(bytes, result.where, config_.guard, &loop_guard_,
                                          rate_buckets_, now);
      if (result.verdict == packet::Verdict::kLoop) {
        batch.loop_peer = rf_mac_number(frame.data + RF_ETH_ALEN);  // the loop's other end
      }
    }
    // A STAMP answer longer than the request needs room in the frame's buffer (and MTU).
    const uint32_t room = platform::Room(frame);
    if (result.reflect() && !monitor_ && packet::ReflectRoom(result.where, frame.length) > room) {
      result.verdict = packet::Verdict::kNoRoom;
    }
    // The capture's one check per frame: a field of the worker's own copy (issue 21). The
    // frame as received, with its final verdict; with capture_sent, a reflected frame taken is
    // captured again as sent, after the swap.
    const bool sent_due = capture_.enabled && OfferToCapture(bytes, result) && capture_.sent &&
                          result.reflect() && !monitor_;
    if (result.reflect() && count_sessions_) sessions_.Count(bytes, result.where);  // as received
    platform::Frame answer = frame;
    uint64_t stamp_t3 = 0;  // set for a STAMP answer: its T3
    if (result.reflect() && !monitor_) {
      const size_t length =
          packet::Reflect(absl::MakeSpan(frame.data, room), frame.length, result.where, config_,
                          stamp_t2, &stamp_t3, &stamp_sessions_);
      if (length == 0) {
        // Unreachable for a kReflect result of this frame; fail closed rather than send it.
        result.verdict = packet::Verdict::kTooShort;
      } else {
        answer.length = static_cast<uint32_t>(length);
        if (sent_due) {
          OfferSentToCapture(absl::MakeSpan(answer.data, answer.length), result.where.rule);
        }
      }
    }
    if (result.reflect()) {
      // The dwell the answer carries (T3 - T2); a clock stepped back in between counts as none.
      if (stamp_t3 != 0) batch.stamp_dwell.Add(stamp_t3 > stamp_t2 ? stamp_t3 - stamp_t2 : 0, 1);
      const size_t rule = result.where.rule & (RF_MAX_RULES - 1);
      ++batch.reflected_by_rule[rule];
      batch.reflected_bytes_by_rule[rule] += frame.length;
      batch.reflected_bytes += frame.length;
      if (monitor_) {
        to_release_[releasing++] = frame;
      } else {
        to_send_[sending++] = answer;
      }
    } else if (const packet::CfmOutcome cfm = packet::OfferToCfm(
                   bytes, result.verdict, config_, !monitor_, stamp_t2, slm_counters_);
               packet::CfmAnswered(cfm)) {
      // A Y.1731 request the classifier rejected (not IP), answered in place (cfm.h).
      ++batch.y1731[static_cast<size_t>(cfm)];
      batch.reflected_bytes += frame.length;
      if (monitor_) {
        to_release_[releasing++] = frame;
      } else {
        to_send_[sending++] = frame;
      }
    } else {
      if (cfm != packet::CfmOutcome::kNotCfm) ++batch.y1731[static_cast<size_t>(cfm)];
      ++batch.rejected_by_reason[static_cast<size_t>(result.verdict)];
      to_release_[releasing++] = frame;
    }
  }
  batch.rx_frames = received;
  batch.reflected_frames = received - batch.rejected_frames();

  if (releasing) io_.Release(absl::MakeConstSpan(to_release_.data(), releasing));
  const absl::Status sent =
      sending ? io_.Transmit(absl::MakeConstSpan(to_send_.data(), sending)) : absl::OkStatus();
  if (sending && sent.ok()) batch.dwell.Add(MonotonicNs() - arrived_ns, sending);
  PublishIoStats(batch);
  REFLECTOR_RETURN_IF_ERROR(sent);
  return received;
}

void Worker::PublishIoStats(Counters& batch) {
  const platform::IoStats io = io_.stats();
  batch.tx_dropped = io.tx_dropped - io_seen_.tx_dropped;
  batch.rx_dropped = io.rx_dropped - io_seen_.rx_dropped;
  io_seen_ = io;
  published_.Add(batch);
}

absl::Status Worker::Run(const std::atomic<bool>& stop, bool spin) {
  const absl::Duration wait = spin ? absl::ZeroDuration() : kIdleWait;
  while (!stop.load(std::memory_order_relaxed)) {
    // No sched_yield when idle: under EEVDF each yield pushes the spinner's deadline a slice
    // further, so a spinner that yields loses its CPU to any other busy task for milliseconds.
    REFLECTOR_RETURN_IF_ERROR(RunBatch(wait).status());
  }
  sessions_.Publish();  // the last counts, for the summary at exit (nothing dropped)
  return io_.Flush();
}

void Worker::PublishSessionsIfDue() {
  timespec now = {};
  clock_gettime(CLOCK_MONOTONIC_COARSE, &now);  // a few ns, once per batch
  sessions_.PublishIfDue(static_cast<uint64_t>(now.tv_sec) * 1000000000u + now.tv_nsec,
                         absl::ToInt64Nanoseconds(kSessionPublishPeriod));
}

}  // namespace reflector::engine
