#include "tools/tester/trial.h"

#include <sched.h>

#include <algorithm>
#include <cstring>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "reflector/base/status_macros.h"
#include "tools/tester/clock.h"
#include "tools/tester/live_pacing.h"
#include "tools/tester/precise_sender.h"
#include "tools/tester/rx_counter.h"

namespace reflector::tester {
namespace {

// Sequence numbers are 32 bits; the bitmap of a run as fast as possible is sized for this.
constexpr uint64_t kMaxFramesPerTrial = uint64_t{1} << 32;
constexpr uint64_t kUnpacedFrameBudget = uint64_t{1} << 26;
// RTT samples kept for percentiles (4 bytes each); min, max, mean and jitter see every frame.
constexpr uint64_t kMaxRttSamples = uint64_t{1} << 25;
constexpr uint64_t kSettleNs = 50000000;
// Reflections the receiver holds while their transmit stamps are on the way: the sender
// settles them after every batch of at most 64, so this is never reached in practice.
constexpr size_t kMaxHeldReflections = 1 << 16;

// Transmit stamps remembered (tx_stamps.h): enough for the receiver to lag the sender by a
// million frames, no more than the trial's frames need.
int StampWindowLog2(uint64_t count) {
  int log2 = 6;
  while (log2 < 20 && (uint64_t{1} << log2) < count) ++log2;
  return log2;
}

ito_tester_rx_config RxConfig(const StreamFrame& frame, const StreamSpec& spec, bool drop) {
  ito_tester_rx_config config = {};
  config.signature_offset = static_cast<uint16_t>(frame.reflection_marker_offset());
  config.min_length = static_cast<uint16_t>(frame.size());
  std::memcpy(config.signature, frame.marker().data(), RF_SIG_LEN);
  config.stream_id = spec.stream_id;
  config.drop = drop ? 1 : 0;
  return config;
}

// The interval lines of a trial, when asked for; `sent` gives the frames sent so far.
std::unique_ptr<IntervalTicker> StartTicker(const TrialOptions& options, const RxCounter& counter,
                                            std::function<uint64_t()> sent) {
  if (options.interval_ns == 0 || !options.on_interval) return nullptr;
  auto ticker = std::make_unique<IntervalTicker>(
      options.interval_ns,
      [&counter, sent = std::move(sent)] {
        const absl::StatusOr<ito_tester_rx_counters> rx = counter.Read();
        return RunningCounts{sent(), rx.ok() ? rx->frames : 0};
      },
      options.on_interval);
  ticker->Start();
  return ticker;
}

// The line-rate engine's flows: `frame` on the calling thread's CPU, or flow k on cpus[k]
// from source port spec.addresses.src_port + k * ports (each CPU rotates over `ports`).
absl::StatusOr<std::vector<LiveFlow>> LiveFlows(const StreamSpec& spec, const StreamFrame& frame,
                                                const std::vector<int>& cpus, int ports) {
  const size_t senders = std::max<size_t>(1, cpus.size());
  if (spec.addresses.src_port + senders * static_cast<size_t>(ports) - 1 > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("source port ", spec.addresses.src_port, " leaves no room for ",
                     senders * static_cast<size_t>(ports), " flows below 65536"));
  }
  if (cpus.empty()) return std::vector<LiveFlow>{{std::max(0, sched_getcpu()), frame}};
  std::vector<LiveFlow> flows;
  for (size_t k = 0; k < cpus.size(); ++k) {
    StreamSpec flow_spec = spec;
    flow_spec.addresses.src_port =
        static_cast<uint16_t>(spec.addresses.src_port + k * static_cast<size_t>(ports));
    REFLECTOR_ASSIGN_OR_RETURN(StreamFrame flow_frame, StreamFrame::Build(flow_spec));
    flows.push_back({cpus[k], std::move(flow_frame)});
  }
  return flows;
}

}  // namespace

absl::StatusOr<std::unique_ptr<TrialRunner>> TrialRunner::Open(int ifindex, Engine engine) {
  std::unique_ptr<TrialRunner> runner(new TrialRunner(ifindex, engine));
  if (engine == Engine::kPrecise) {
    REFLECTOR_ASSIGN_OR_RETURN(runner->receiver_, PacketReceiver::Open(ifindex));
  }
  return runner;
}

absl::StatusOr<TrialResult> TrialRunner::Run(const TrialOptions& options,
                                             const std::atomic<bool>& stop) {
  TrialResult result;
  result.engine = engine_;
  result.requested_fps = options.rate_fps;
  result.spec = options.spec;
  result.spec.stream_id = static_cast<uint16_t>(random_());
  if (result.spec.stamp) result.spec.stream_id &= kStampStreamIdMask;
  REFLECTOR_ASSIGN_OR_RETURN(const StreamFrame frame, StreamFrame::Build(result.spec));

  // The count bounds the sequence space: by --count, else by rate x duration.
  uint64_t count = options.count;
  if (count == 0) {
    count = options.rate_fps > 0
                ? FramesFor(options.rate_fps, options.duration_ns)
                : (engine_ == Engine::kPrecise ? kUnpacedFrameBudget : UINT64_MAX);
  }
  if (engine_ == Engine::kPrecise) count = std::min(count, kMaxFramesPerTrial);

  REFLECTOR_ASSIGN_OR_RETURN(
      std::unique_ptr<RxCounter> counter,
      RxCounter::Attach(ifindex_,
                        RxConfig(frame, result.spec, /*drop=*/engine_ == Engine::kLineRate)));
  result.rx_generic_xdp = counter->generic();
  // Attaching XDP to a veth switches its receive path (NAPI) on; a reflection arriving in
  // that moment can be dropped. Like RFC 2544's pause before a trial, let it settle.
  SleepUntilNs(MonotonicNs() + kSettleNs);

  SendResult sent;
  LiveRunResult live_run;
  std::unique_ptr<StreamStats> stats;
  if (engine_ == Engine::kPrecise) {
    const uint64_t samples = std::min(count, kMaxRttSamples);
    std::unique_ptr<TxStampBook> book;
    if (options.kernel_tx_stamps) book = std::make_unique<TxStampBook>(StampWindowLog2(count));
    REFLECTOR_ASSIGN_OR_RETURN(std::unique_ptr<PreciseSender> sender,
                               PreciseSender::Open(ifindex_, frame, book.get()));
    if (!sender->kernel_tx_stamps()) book.reset();
    result.kernel_tx_stamps = book != nullptr;
    stats = std::make_unique<StreamStats>(count, samples);
    std::unique_ptr<StreamStats> frame_clock_stats;
    if (book != nullptr) frame_clock_stats = std::make_unique<StreamStats>(count, samples);
    RttResolver rtts(book.get(), stats.get(), frame_clock_stats.get(), kMaxHeldReflections);
    StreamMatch match;
    match.marker_offset = frame.marker_offset();
    match.marker = frame.marker();
    match.stream_id = result.spec.stream_id;
    receiver_->Start(match, &rtts);
    std::unique_ptr<IntervalTicker> ticker =
        StartTicker(options, *counter, [&sender] { return sender->sent_so_far(); });
    sent = sender->Run(count, options.rate_fps, options.duration_ns, stop);
    if (ticker != nullptr) ticker->Stop();
    SleepUntilNs(MonotonicNs() + options.drain_ns);
    receiver_->Stop();
    if (sent.error != 0) {
      return absl::ErrnoToStatus(sent.error, "send test frames");
    }
    result.ring_drops = receiver_->ring_drops();
    result.send_errors = sent.send_errors;
    result.rtt_clock = rtts.counts();
    result.summary = stats->Summarize(sent.sent);
    if (frame_clock_stats != nullptr) {
      result.frame_clock_rtt = frame_clock_stats->Summarize(sent.sent).rtt;
    }
  } else {
    // Loaded per trial: the program's templates hold this trial's stream id.
    REFLECTOR_ASSIGN_OR_RETURN(std::vector<LiveFlow> flows,
                               LiveFlows(result.spec, frame, options.linerate_cpus,
                                         options.linerate_ports));
    REFLECTOR_ASSIGN_OR_RETURN(
        std::unique_ptr<LiveSender> live,
        LiveSender::Load(ifindex_, std::move(flows), options.linerate_ports));
    std::unique_ptr<IntervalTicker> ticker = StartTicker(
        options, *counter, [&live] { return live->SentSoFar().value_or(0); });
    absl::StatusOr<LiveRunResult> run =
        live->Run(count, options.rate_fps, options.duration_ns, stop, options.pacing);
    if (ticker != nullptr) ticker->Stop();
    if (!run.ok()) return run.status();
    live_run = *run;
    SleepUntilNs(MonotonicNs() + options.drain_ns);
  }
  result.interrupted = stop.load();
  REFLECTOR_ASSIGN_OR_RETURN(const ito_tester_rx_counters rx, counter->Read());
  result.xdp_received = rx.frames;
  if (engine_ == Engine::kLineRate) {
    // Every copy carries the same sequence number: only counts are meaningful.
    StreamSummary& s = result.summary;
    s.sent = live_run.sent;
    s.received = s.unique = rx.frames;
    s.lost = s.sent > s.received ? s.sent - s.received : 0;
    s.loss_percent = s.sent == 0 ? 0 : 100.0 * static_cast<double>(s.lost) / s.sent;
    // The rate comes from the program's own clock reads, over the span the frames left in;
    // the sending time is what that rate makes of all the frames sent.
    result.tx_fps = live_run.tx_fps;
    result.elapsed_s = live_run.tx_fps > 0 ? static_cast<double>(s.sent) / live_run.tx_fps : 0;
    result.rx_fps = result.elapsed_s > 0 ? static_cast<double>(s.received) / result.elapsed_s : 0;
    result.burst_frames = live_run.burst_frames;
    result.schedule_slips = live_run.slips;
    result.slipped_s = static_cast<double>(live_run.slipped_ns) / 1e9;
    return result;
  }
  result.elapsed_s = static_cast<double>(sent.elapsed_ns) / 1e9;
  if (result.elapsed_s > 0) {
    result.tx_fps = static_cast<double>(result.summary.sent) / result.elapsed_s;
    result.rx_fps = static_cast<double>(result.summary.received) / result.elapsed_s;
  }
  return result;
}

}  // namespace reflector::tester
