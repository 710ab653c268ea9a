// Runs trials: one stream from the tester's interface at one rate, its reflections counted and
// timed. Holds what outlives a trial (the receive ring); each trial
// gets a fresh stream id, so reflections that arrive after their trial ended are ignored.
#ifndef REFLECTOR_TOOLS_TESTER_TRIAL_H_
#define REFLECTOR_TOOLS_TESTER_TRIAL_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <vector>

#include "absl/status/statusor.h"
#include "tools/tester/interval_ticker.h"
#include "tools/tester/live_pacing.h"
#include "tools/tester/live_sender.h"
#include "tools/tester/packet_receiver.h"
#include "tools/tester/trial_result.h"

namespace reflector::tester {

struct TrialOptions {
  StreamSpec spec;  // stream_id is chosen per trial
  double rate_fps = 0;        // 0: as fast as the engine goes
  uint64_t count = 0;         // 0: until duration_ns
  uint64_t duration_ns = 0;   // upper bound on sending time
  uint64_t drain_ns = 200000000;  // waiting for late reflections after the last send
  // kPrecise: RTTs from the kernel's software transmit stamps (tx_stamps.h) where the device
  // gives them; false: from the send time read in userspace.
  bool kernel_tx_stamps = true;
  PacingLimits pacing;            // kLineRate
  // kLineRate: the CPUs to send from, flow k on linerate_cpus[k] from source port
  // spec.addresses.src_port + k (empty: one flow, on the CPU the trial starts on).
  std::vector<int> linerate_cpus;
  // kLineRate: source ports each CPU rotates over, frame by frame (live_flow.h); CPU k's
  // start at spec.addresses.src_port + k * linerate_ports.
  int linerate_ports = 1;
  // While sending, every interval_ns (0: never): frames sent and reflections received in it,
  // on another thread.
  uint64_t interval_ns = 0;
  std::function<void(const IntervalSample&)> on_interval = nullptr;
};

class TrialRunner {
 public:
  static absl::StatusOr<std::unique_ptr<TrialRunner>> Open(int ifindex, Engine engine);

  // `stop` (set by a signal handler) ends the sending early; the trial still reports.
  absl::StatusOr<TrialResult> Run(const TrialOptions& options, const std::atomic<bool>& stop);

 private:
  TrialRunner(int ifindex, Engine engine) : ifindex_(ifindex), engine_(engine) {}
  int ifindex_;
  Engine engine_;
  std::unique_ptr<PacketReceiver> receiver_;  // kPrecise
  std::mt19937 random_{std::random_device{}()};
};

}  // namespace reflector::tester

#endif  // REFLECTOR_TOOLS_TESTER_TRIAL_H_
