// The line-rate transmit engine (SPEC §7): bpf_prog_test_run_opts with
// BPF_F_TEST_XDP_LIVE_FRAMES on a tiny program that returns XDP_TX (live_tx.bpf.c), with the test
// frame as data_in and the tester's interface as ingress_ifindex. The kernel sends the same
// frame `repeat` times from its own loop, millions per second on one core; every copy carries
// the same sequence number and time, so a live run reports counts only.
//
// Pacing is done by the program, per frame (live_pace.h): a test run loops `repeat` times and
// sends a frame only when one is due, so frames leave at most one kernel batch at a time and
// a zero-loss trial means a sustained rate, not a burst the reflector absorbed. The earlier
// design (one test run per chunk of at least 8,192 frames, sleeping between them) paid for a
// cost measured here: a lone test run takes 24-40 ms of wall time with ~0.25 ms of CPU,
// whatever its size (where the kernel waits was not found). Threads calling back to back
// overlap those waits (measured: most runs then return in microseconds), so the engine keeps
// PacingLimits::threads test runs in flight. When every thread waits at once, or the CPU goes
// to another process, the pacer falls behind and moves on (live_pace.h): the trial then
// offers less than asked, which the rate shows. The sending rate is measured by the program
// itself over the span in which frames really left (trailer.h ito_tester_tx_stats), not over
// the runs' wall time.
//
// The sender runs on one CPU, or on several (LiveFlow): each CPU sends its own flow with its
// own share of the count and the rate, from its own threads and pacer. A multi-queue veth
// hands frames sent on CPU q to the peer's RX queue q (veth_select_rxq), so two CPUs reach
// two queues; two flows (source ports) reach two workers of a flow-hashing reflector.
//
// On veth, the peer receives these frames only while it runs an XDP program.
#ifndef REFLECTOR_TOOLS_TESTER_LIVE_SENDER_H_
#define REFLECTOR_TOOLS_TESTER_LIVE_SENDER_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "tools/tester/live_pacing.h"
#include "tools/tester/stream_frame.h"

struct ito_tester_tx_bpf;  // the bpftool skeleton; only live_sender.cc sees it

namespace reflector::tester {

struct LiveRunResult {
  uint64_t sent = 0;       // frames the program sent (its own count)
  double tx_fps = 0;       // over the span the frames were sent in
  uint64_t span_ns = 0;    // first frame to the last clock read
  uint64_t wall_ns = 0;    // first test run's start to the last one's return
  uint64_t burst_frames = 0;  // most frames sent back to back: one kernel batch
  int threads = 0;
  uint64_t slips = 0;       // times the pacer moved on after falling behind (live_pace.h)
  uint64_t slipped_ns = 0;  // by how much in total
};

// One CPU's stream: the frame it sends (its headers become that CPU's template).
struct LiveFlow {
  int cpu = 0;
  StreamFrame frame;
};

class LiveSender {
 public:
  // Loads the program for `flows`, at most one per CPU, every frame of one size. With
  // `ports_per_cpu` above 1, each CPU's frames rotate over that many source ports from its
  // frame's (live_flow.h).
  static absl::StatusOr<std::unique_ptr<LiveSender>> Load(int ifindex,
                                                          std::vector<LiveFlow> flows,
                                                          int ports_per_cpu = 1);
  LiveSender(const LiveSender&) = delete;
  LiveSender& operator=(const LiveSender&) = delete;
  ~LiveSender();

  // Sends `count` frames at `rate_fps` in all (0: as fast as the kernel can), split evenly
  // over the flows, or stops at `stop` or after `max_ns`.
  absl::StatusOr<LiveRunResult> Run(uint64_t count, double rate_fps, uint64_t max_ns,
                                    const std::atomic<bool>& stop,
                                    const PacingLimits& limits = {});

  // Frames the program has sent in the current (or last) Run; any thread may ask.
  absl::StatusOr<uint64_t> SentSoFar() const;

 private:
  LiveSender(ito_tester_tx_bpf* skeleton, int ifindex, std::vector<LiveFlow> flows)
      : skeleton_(skeleton), ifindex_(ifindex), flows_(std::move(flows)) {}
  absl::Status ResetStats();
  absl::StatusOr<LiveRunResult> ReadStats() const;
  // Frames the pacer of `cpu` released so far.
  uint64_t Released(int cpu) const;

  ito_tester_tx_bpf* skeleton_;
  int ifindex_;
  std::vector<LiveFlow> flows_;
};

}  // namespace reflector::tester

#endif  // REFLECTOR_TOOLS_TESTER_LIVE_SENDER_H_
