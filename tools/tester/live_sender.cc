#include "tools/tester/live_sender.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "tools/tester/clock.h"
#include "tools/tester/live_tx_skel.skel.h"

namespace reflector::tester {
namespace {

constexpr uint32_t kKernelBatch = 64;            // frames per kernel TX batch
constexpr uint64_t kMaxChunk = 1u << 18;  // frames per syscall at the most (~60 ms)
// Each test run sets up the kernel's frame pool again, which costs milliseconds on veth, so
// pacing works in chunks of 50 ms worth of frames and never fewer than 8192.
constexpr uint64_t kChunkNs = 50000000;
constexpr uint64_t kMinChunk = 8192;

}  // namespace

absl::StatusOr<std::unique_ptr<LiveSender>> LiveSender::Load(int ifindex,
                                                             const StreamFrame& frame) {
  ito_tester_tx_bpf* skeleton = ito_tester_tx_bpf__open();
  if (skeleton == nullptr) return absl::ErrnoToStatus(errno, "open the line-rate program");
  std::unique_ptr<LiveSender> sender(new LiveSender(skeleton, ifindex));
  // Read-only data is fixed at load: the template is this stream's first bytes.
  auto* header = const_cast<uint64_t*>(reinterpret_cast<volatile uint64_t*>(skeleton->rodata->header));
  const size_t length = std::min(sizeof(skeleton->rodata->header), frame.size());
  std::memcpy(header, frame.bytes().data(), length);
  if (const int err = ito_tester_tx_bpf__load(skeleton); err != 0) {
    return absl::ErrnoToStatus(std::abs(err),
                               "load the line-rate engine's XDP_TX program (needs CAP_BPF)");
  }
  return sender;
}

LiveSender::~LiveSender() { ito_tester_tx_bpf__destroy(skeleton_); }

absl::StatusOr<SendResult> LiveSender::Run(const StreamFrame& frame, uint64_t count,
                                           double rate_fps, uint64_t max_ns,
                                           const std::atomic<bool>& stop) {
  // Sequence 0 and time 0, exactly the program's template: counts are all a live run gives.
  std::vector<uint8_t> data(frame.bytes().begin(), frame.bytes().end());
  xdp_md context = {};
  context.data_end = static_cast<uint32_t>(data.size());
  context.ingress_ifindex = static_cast<uint32_t>(ifindex_);

  const uint64_t chunk =
      rate_fps > 0 ? std::clamp<uint64_t>(static_cast<uint64_t>(rate_fps * kChunkNs / 1e9),
                                          kMinChunk, kMaxChunk)
                   : kMaxChunk;
  SendResult result;
  const uint64_t start = MonotonicNs();
  while (result.sent < count && !stop.load(std::memory_order_relaxed)) {
    const uint64_t now = MonotonicNs();
    if (now - start >= max_ns) break;
    if (rate_fps > 0) {
      const uint64_t next = start + static_cast<uint64_t>(result.sent * 1e9 / rate_fps);
      if (next > now) SleepUntilNs(next);
    }
    const uint32_t repeat = static_cast<uint32_t>(std::min(chunk, count - result.sent));
    LIBBPF_OPTS(bpf_test_run_opts, options, .data_in = data.data(),
                .data_size_in = static_cast<uint32_t>(data.size()), .ctx_in = &context,
                .ctx_size_in = sizeof(context), .repeat = static_cast<int>(repeat),
                .flags = BPF_F_TEST_XDP_LIVE_FRAMES, .batch_size = kKernelBatch);
    const int err =
        bpf_prog_test_run_opts(bpf_program__fd(skeleton_->progs.ito_tester_tx), &options);
    if (err != 0) {
      if (-err == EINTR || errno == EINTR) break;
      return absl::ErrnoToStatus(std::abs(err),
                                 absl::StrFormat("live-frames test run on ifindex %d", ifindex_));
    }
    result.sent += repeat;
  }
  result.elapsed_ns = MonotonicNs() - start;
  return result;
}

}  // namespace reflector::tester
