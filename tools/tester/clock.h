// The two clocks of a run: monotonic for pacing (never jumps), and realtime for the send time
// written into frames, because packet-socket receive timestamps are realtime.
#ifndef REFLECTOR_TOOLS_TESTER_CLOCK_H_
#define REFLECTOR_TOOLS_TESTER_CLOCK_H_

#include <time.h>

#include <cstdint>

namespace reflector::tester {

inline uint64_t ClockNs(clockid_t clock) {
  timespec ts;
  clock_gettime(clock, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}
inline uint64_t MonotonicNs() { return ClockNs(CLOCK_MONOTONIC); }
inline uint64_t RealtimeNs() { return ClockNs(CLOCK_REALTIME); }

// Sleeps until `deadline_ns` on the monotonic clock.
inline void SleepUntilNs(uint64_t deadline_ns) {
  timespec ts;
  ts.tv_sec = static_cast<time_t>(deadline_ns / 1000000000ull);
  ts.tv_nsec = static_cast<long>(deadline_ns % 1000000000ull);
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) != 0) {
  }
}

}  // namespace reflector::tester

#endif  // REFLECTOR_TOOLS_TESTER_CLOCK_H_
