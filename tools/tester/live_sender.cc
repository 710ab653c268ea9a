#include "tools/tester/live_sender.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "tools/tester/clock.h"
#include "tools/tester/live_flow.h"
#include "tools/tester/trailer.h"
#include "xdp/bpf_status.h"
// After the ABI header: the skeleton's generated asserts check the shared struct layout.
#include "tools/tester/live_tx_skel.skel.h"

namespace reflector::tester {
namespace {

// Frames per kernel TX batch (the kernel's default; its maximum is 256): the most frames that
// leave back to back, since the kernel flushes the frames a batch released at its end.
constexpr uint32_t kKernelBatch = 64;

}  // namespace

absl::StatusOr<std::unique_ptr<LiveSender>> LiveSender::Load(int ifindex,
                                                             std::vector<LiveFlow> flows,
                                                             int ports_per_cpu) {
  if (flows.empty()) return absl::InvalidArgumentError("the line-rate engine needs a flow");
  if (ports_per_cpu < 1 || ports_per_cpu > ITO_TESTER_TX_MAX_FLOWS) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "the line-rate engine rotates over 1..%d source ports per CPU", ITO_TESTER_TX_MAX_FLOWS));
  }
  for (size_t i = 0; i < flows.size(); ++i) {
    if (flows[i].cpu < 0 || flows[i].cpu >= ITO_TESTER_TX_MAX_CPUS) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "the line-rate engine sends from CPUs 0..%d, not %d", ITO_TESTER_TX_MAX_CPUS - 1,
          flows[i].cpu));
    }
    for (size_t j = 0; j < i; ++j) {
      if (flows[j].cpu == flows[i].cpu) {
        return absl::InvalidArgumentError(
            absl::StrFormat("CPU %d is listed twice for the line-rate engine", flows[i].cpu));
      }
    }
  }
  ito_tester_tx_bpf* skeleton = ito_tester_tx_bpf__open();
  if (skeleton == nullptr) return xdp::BpfErrorToStatus(errno, "open the line-rate program");
  // Read-only data is fixed at load: each CPU's template is its flow's first bytes.
  for (const LiveFlow& flow : flows) {
    auto* header = const_cast<uint64_t*>(
        reinterpret_cast<volatile uint64_t*>(skeleton->rodata->header[flow.cpu]));
    const size_t length = std::min(sizeof(skeleton->rodata->header[0]), flow.frame.size());
    std::memcpy(header, flow.frame.bytes().data(), length);
  }
  // The UDP header lies inside the template (96 bytes) for every stream the tester builds.
  skeleton->rodata->flows = static_cast<uint32_t>(ports_per_cpu);
  skeleton->rodata->udp_offset = static_cast<uint32_t>(flows[0].frame.udp_checksum_offset() - 6);
  skeleton->rodata->sequence_offset = static_cast<uint32_t>(flows[0].frame.sequence_offset());
  std::unique_ptr<LiveSender> sender(new LiveSender(skeleton, ifindex, std::move(flows)));
  if (const int err = ito_tester_tx_bpf__load(skeleton); err != 0) {
    return xdp::BpfErrorToStatus(err, "load the line-rate engine's XDP_TX program");
  }
  return sender;
}

LiveSender::~LiveSender() { ito_tester_tx_bpf__destroy(skeleton_); }

absl::Status LiveSender::ResetStats() {
  const int cpus = libbpf_num_possible_cpus();
  if (cpus <= 0) return xdp::BpfErrorToStatus(cpus, "count the possible CPUs");
  std::vector<ito_tester_tx_stats> zero(static_cast<size_t>(cpus));
  const uint32_t key = 0;
  if (bpf_map_update_elem(bpf_map__fd(skeleton_->maps.tx_stats), &key, zero.data(), BPF_ANY) !=
      0) {
    return xdp::BpfErrorToStatus(errno, "reset the line-rate engine's counters");
  }
  return absl::OkStatus();
}

absl::StatusOr<LiveRunResult> LiveSender::ReadStats() const {
  const int cpus = libbpf_num_possible_cpus();
  if (cpus <= 0) return xdp::BpfErrorToStatus(cpus, "count the possible CPUs");
  std::vector<ito_tester_tx_stats> per_cpu(static_cast<size_t>(cpus));
  const uint32_t key = 0;
  if (bpf_map_lookup_elem(bpf_map__fd(skeleton_->maps.tx_stats), &key, per_cpu.data()) != 0) {
    return xdp::BpfErrorToStatus(errno, "read the line-rate engine's counters");
  }
  // One span over all CPUs: from the earliest first frame to the latest clock read, with the
  // frames each CPU sent between its own two reads. With one CPU this is that CPU's span;
  // with several sending at once, the sum over the joint span is a close estimate.
  LiveRunResult result;
  uint64_t first = UINT64_MAX;
  uint64_t last = 0;
  uint64_t in_span = 0;
  for (const ito_tester_tx_stats& s : per_cpu) {
    if (s.frames == 0) continue;
    result.sent += s.frames;
    first = std::min<uint64_t>(first, s.first_ns);
    last = std::max<uint64_t>(last, s.last_ns);
    in_span += s.stamped;
  }
  if (last > first) {
    result.span_ns = last - first;
    result.tx_fps = RateOverSpan(in_span, result.span_ns);
  }
  return result;
}

absl::StatusOr<uint64_t> LiveSender::SentSoFar() const {
  absl::StatusOr<LiveRunResult> stats = ReadStats();
  if (!stats.ok()) return stats.status();
  return stats->sent;
}

uint64_t LiveSender::Released(int cpu) const {
  // The program updates the pacer while sender threads run: read it as the kernel wrote it.
  return __atomic_load_n(&skeleton_->bss->pacer[cpu].released, __ATOMIC_RELAXED);
}

absl::StatusOr<LiveRunResult> LiveSender::Run(uint64_t count, double rate_fps, uint64_t max_ns,
                                              const std::atomic<bool>& stop,
                                              const PacingLimits& limits) {
  if (absl::Status reset = ResetStats(); !reset.ok()) return reset;
  const int program_fd = bpf_program__fd(skeleton_->progs.ito_tester_tx);
  const uint64_t start = MonotonicNs();
  const uint64_t deadline = max_ns >= UINT64_MAX - start ? 0 : start + max_ns;
  // Each flow's share: the count split as evenly as it goes, the rate split evenly.
  const uint64_t flows = flows_.size();
  std::vector<uint64_t> shares(flows_.size());
  for (size_t i = 0; i < flows_.size(); ++i) {
    const uint64_t share = count == UINT64_MAX ? count : count / flows + (i < count % flows);
    shares[i] = share;
    const ito_tester_tx_pacer pacer =
        MakePacer(rate_fps / static_cast<double>(flows), share, deadline, limits);
    if (pacer.count == 0 && share != 0) {
      return absl::InvalidArgumentError(absl::StrFormat("cannot pace %g frames/s", rate_fps));
    }
    // No test run is in flight yet: the program sees the whole new pacer at the first frame.
    std::memcpy(&skeleton_->bss->pacer[flows_[i].cpu], &pacer, sizeof(pacer));
  }

  absl::Mutex mutex;
  absl::Status error;
  uint64_t first_begin = UINT64_MAX;
  uint64_t last_end = 0;
  // Every sender thread of a flow on that flow's CPU: the kernel runs the program with
  // preemption off, so runs on one CPU never interleave and that CPU's pacer's plain updates
  // are exact (--count is exact, the rate is paced per frame). veth runs the receiving side in
  // the sender's context anyway, so one CPU per flow is what a thread had before.
  auto sender = [&](const LiveFlow& flow, uint64_t share) {
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(flow.cpu, &one);
    if (pthread_setaffinity_np(pthread_self(), sizeof(one), &one) != 0) {
      absl::MutexLock lock(&mutex);
      if (error.ok()) {
        error = absl::FailedPreconditionError(
            absl::StrFormat("cannot run the line-rate engine on CPU %d", flow.cpu));
      }
      return;
    }
    // Sequence 0 and time 0, exactly the program's template: counts are all a live run gives.
    std::vector<uint8_t> data(flow.frame.bytes().begin(), flow.frame.bytes().end());
    xdp_md context = {};
    context.data_end = static_cast<uint32_t>(data.size());
    context.ingress_ifindex = static_cast<uint32_t>(ifindex_);
    while (!stop.load(std::memory_order_relaxed) && Released(flow.cpu) < share &&
           (deadline == 0 || MonotonicNs() < deadline)) {
      LIBBPF_OPTS(bpf_test_run_opts, options, .data_in = data.data(),
                  .data_size_in = static_cast<uint32_t>(data.size()), .ctx_in = &context,
                  .ctx_size_in = sizeof(context), .repeat = static_cast<int>(limits.repeat),
                  .flags = BPF_F_TEST_XDP_LIVE_FRAMES, .batch_size = kKernelBatch);
      const uint64_t begin = MonotonicNs();
      const int err = bpf_prog_test_run_opts(program_fd, &options);
      const uint64_t end = MonotonicNs();
      absl::MutexLock lock(&mutex);
      first_begin = std::min(first_begin, begin);
      last_end = std::max(last_end, end);
      if (err != 0) {
        // A signal (Ctrl-C sets `stop`) interrupts a run; that ends the run, not the trial.
        if (-err != EINTR && errno != EINTR && error.ok()) {
          error = xdp::BpfErrorToStatus(
              err, absl::StrFormat("live-frames test run on ifindex %d", ifindex_));
        }
        break;
      }
      if (!error.ok()) break;
    }
  };
  const int thread_count = std::max(1, limits.threads);
  std::vector<std::thread> threads;
  threads.reserve(flows_.size() * static_cast<size_t>(thread_count));
  for (size_t f = 0; f < flows_.size(); ++f) {
    for (int i = 0; i < thread_count; ++i) {
      threads.emplace_back(sender, std::cref(flows_[f]), shares[f]);
    }
  }
  for (std::thread& thread : threads) thread.join();
  if (!error.ok()) return error;

  absl::StatusOr<LiveRunResult> result = ReadStats();
  if (!result.ok()) return result.status();
  result->threads = static_cast<int>(threads.size());
  result->burst_frames = kKernelBatch;
  result->wall_ns = last_end > first_begin ? last_end - first_begin : 0;
  for (const LiveFlow& flow : flows_) {
    result->slips += skeleton_->bss->pacer[flow.cpu].slips;
    result->slipped_ns += skeleton_->bss->pacer[flow.cpu].slipped_ns;
  }
  // Fewer frames than one clock-read interval: no span inside the program; the wall time of
  // the test runs is the only bound left (it includes their set-up, so it understates).
  if (result->tx_fps == 0 && result->wall_ns > 0) {
    result->tx_fps = RateOverSpan(result->sent, result->wall_ns);
  }
  return result;
}

}  // namespace reflector::tester
