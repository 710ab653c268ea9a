// The line-rate engine's rate arithmetic on the userspace side, kept apart from the kernel
// calls so that it is unit-tested; the per-frame pacing decision itself is in live_pace.h.
#ifndef REFLECTOR_TOOLS_TESTER_LIVE_PACING_H_
#define REFLECTOR_TOOLS_TESTER_LIVE_PACING_H_

#include <cstdint>

#include "tools/tester/live_pace.h"

namespace reflector::tester {

struct PacingLimits {
  // Program runs per test run. Paced, most runs drop the frame (not due yet), so this is the
  // loop length, not a burst: about 10-25 ms of looping, short enough to stop on time.
  uint64_t repeat = 1u << 17;
  // Test runs in flight at once. On this kernel a lone test run stalls for 24-40 ms after it
  // ends (measured: from one thread, every run of 128 to 65536 frames took that long with
  // ~0.25 ms of CPU); threads calling back to back overlap those stalls (live_sender.h). With
  // 2 threads a 2 Mfps trial lost 1-28% of its time to moments when every thread stalled;
  // with 4, 0.5-2%.
  int threads = 4;
  // Lateness the pacer catches up (timer and softirq jitter); beyond it, it moves on.
  uint64_t max_lag_ns = 200000;
};

// Frames a trial of `duration_ns` at `rate_fps` sends: the rate times the duration, rounded,
// and at least one. No extra frame at t = duration: it would be sent alone after the span.
uint64_t FramesFor(double rate_fps, uint64_t duration_ns);

// The pacer's settings for `count` frames at `rate_fps` (0: unpaced) until `deadline_ns`
// (CLOCK_MONOTONIC, 0: none). Fails for rates the picosecond interval cannot express (below
// 1e-6 fps or above 1e12 fps) by returning an unpaced pacer with count 0.
ito_tester_tx_pacer MakePacer(double rate_fps, uint64_t count, uint64_t deadline_ns,
                              const PacingLimits& limits);

// The sending rate over a span: `frames` sent between the first frame and a frame `span_ns`
// later (the frames counted are those between the two clock reads). 0 for an empty span.
double RateOverSpan(uint64_t frames, uint64_t span_ns);

}  // namespace reflector::tester

#endif  // REFLECTOR_TOOLS_TESTER_LIVE_PACING_H_
