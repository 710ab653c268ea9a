// The line-rate transmit engine (SPEC §7): bpf_prog_test_run_opts with
// BPF_F_TEST_XDP_LIVE_FRAMES on a tiny program that returns XDP_TX (live_tx.bpf.c), with the test
// frame as data_in and the tester's interface as ingress_ifindex. The kernel sends the same
// frame `repeat` times from its own loop, millions per second on one core; every copy carries
// the same sequence number and time, so a live run reports counts only.
//
// On veth, the peer receives these frames only while it runs an XDP program.
#ifndef REFLECTOR_TOOLS_TESTER_LIVE_SENDER_H_
#define REFLECTOR_TOOLS_TESTER_LIVE_SENDER_H_

#include <atomic>
#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "tools/tester/precise_sender.h"
#include "tools/tester/stream_frame.h"

struct ito_tester_tx_bpf;  // the bpftool skeleton; only live_sender.cc sees it

namespace reflector::tester {

class LiveSender {
 public:
  // Loads the program for `frame` (its headers become the program's template).
  static absl::StatusOr<std::unique_ptr<LiveSender>> Load(int ifindex, const StreamFrame& frame);
  LiveSender(const LiveSender&) = delete;
  LiveSender& operator=(const LiveSender&) = delete;
  ~LiveSender();

  // Sends `count` copies of `frame` at about `rate_fps` (0: as fast as the kernel can), in
  // chunks of a millisecond's worth, or stops at `stop` or after `max_ns`.
  absl::StatusOr<SendResult> Run(const StreamFrame& frame, uint64_t count, double rate_fps,
                                 uint64_t max_ns, const std::atomic<bool>& stop);

 private:
  LiveSender(ito_tester_tx_bpf* skeleton, int ifindex) : skeleton_(skeleton), ifindex_(ifindex) {}
  ito_tester_tx_bpf* skeleton_;
  int ifindex_;
};

}  // namespace reflector::tester

#endif  // REFLECTOR_TOOLS_TESTER_LIVE_SENDER_H_
