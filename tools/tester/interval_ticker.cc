#include "tools/tester/interval_ticker.h"

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "tools/tester/clock.h"

namespace reflector::tester {

IntervalTicker::IntervalTicker(uint64_t interval_ns, std::function<RunningCounts()> read,
                               std::function<void(const IntervalSample&)> report)
    : interval_ns_(interval_ns), read_(std::move(read)), report_(std::move(report)) {}

IntervalTicker::~IntervalTicker() { Stop(); }

void IntervalTicker::Start() {
  start_ns_ = last_ns_ = MonotonicNs();
  last_counts_ = read_();
  thread_ = std::thread([this] { Loop(); });
}

void IntervalTicker::Stop() {
  if (!thread_.joinable()) return;
  stop_.Notify();
  thread_.join();
  // The thread is gone: this thread owns the state now. The part of an interval before Stop,
  // unless nothing moved in it (a line of zeros after the last frame says nothing).
  const uint64_t now = MonotonicNs();
  const RunningCounts counts = read_();
  if (now > last_ns_ &&
      (counts.sent > last_counts_.sent || counts.received > last_counts_.received)) {
    Report(now, counts);
  }
}

void IntervalTicker::Loop() {
  uint64_t next = start_ns_ + interval_ns_;
  while (true) {
    const uint64_t now = MonotonicNs();
    const absl::Duration wait = absl::Nanoseconds(next > now ? next - now : 0);
    if (stop_.WaitForNotificationWithTimeout(wait)) return;
    Report(next, read_());
    next += interval_ns_;
  }
}

void IntervalTicker::Report(uint64_t now_ns, const RunningCounts& counts) {
  IntervalSample sample;
  sample.start_s = static_cast<double>(last_ns_ - start_ns_) / 1e9;
  sample.end_s = static_cast<double>(now_ns - start_ns_) / 1e9;
  // Counts only grow; a failed read repeats the last ones rather than going back.
  sample.sent = counts.sent > last_counts_.sent ? counts.sent - last_counts_.sent : 0;
  sample.received =
      counts.received > last_counts_.received ? counts.received - last_counts_.received : 0;
  if (counts.sent > last_counts_.sent) last_counts_.sent = counts.sent;
  if (counts.received > last_counts_.received) last_counts_.received = counts.received;
  last_ns_ = now_ns;
  report_(sample);
}

}  // namespace reflector::tester
