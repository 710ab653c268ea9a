// Progress while a trial sends, like ping's and iperf3's lines: every interval, how many frames
// went out and how many came back in it. Reads two running counts (sent and received so far)
// on its own thread, so the sender's loop does no extra work.
#ifndef REFLECTOR_TOOLS_TESTER_INTERVAL_TICKER_H_
#define REFLECTOR_TOOLS_TESTER_INTERVAL_TICKER_H_

#include <cstdint>
#include <functional>
#include <thread>

#include "absl/synchronization/notification.h"

namespace reflector::tester {

struct IntervalSample {
  double start_s = 0;  // since Start
  double end_s = 0;
  uint64_t sent = 0;      // frames sent in the interval
  uint64_t received = 0;  // reflections that arrived in it
};

struct RunningCounts {
  uint64_t sent = 0;
  uint64_t received = 0;
};

class IntervalTicker {
 public:
  // `read` gives the counts so far (from any thread); `report` gets each interval, in order,
  // on the ticker's thread.
  IntervalTicker(uint64_t interval_ns, std::function<RunningCounts()> read,
                 std::function<void(const IntervalSample&)> report);
  IntervalTicker(const IntervalTicker&) = delete;
  IntervalTicker& operator=(const IntervalTicker&) = delete;
  ~IntervalTicker();  // Stop

  void Start();
  // Ends the thread and reports the part since the last whole interval when anything was
  // sent or received in it, so the samples cover Start to the last frame without a gap.
  // Idempotent.
  void Stop();

 private:
  void Loop();
  void Report(uint64_t now_ns, const RunningCounts& counts);

  const uint64_t interval_ns_;
  const std::function<RunningCounts()> read_;
  const std::function<void(const IntervalSample&)> report_;
  uint64_t start_ns_ = 0;
  uint64_t last_ns_ = 0;
  RunningCounts last_counts_;
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace reflector::tester

#endif  // REFLECTOR_TOOLS_TESTER_INTERVAL_TICKER_H_
