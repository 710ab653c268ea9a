#include "tools/tester/live_pacing.h"

#include <algorithm>
#include <cmath>

namespace reflector::tester {

uint64_t FramesFor(double rate_fps, uint64_t duration_ns) {
  const double frames = rate_fps * static_cast<double>(duration_ns) / 1e9;
  return std::max<uint64_t>(1, static_cast<uint64_t>(std::llround(frames)));
}

ito_tester_tx_pacer MakePacer(double rate_fps, uint64_t count, uint64_t deadline_ns,
                              const PacingLimits& limits) {
  ito_tester_tx_pacer pacer = {};
  pacer.count = count;
  pacer.deadline_ns = deadline_ns;
  pacer.max_lag_ps = limits.max_lag_ns * 1000;
  if (rate_fps > 0) {
    const double interval_ps = std::round(1e12 / rate_fps);
    if (!(interval_ps >= 1) || interval_ps > 1e18) {
      pacer.count = 0;
      return pacer;
    }
    pacer.interval_ps = static_cast<uint64_t>(interval_ps);
  }
  return pacer;
}

double RateOverSpan(uint64_t frames, uint64_t span_ns) {
  return span_ns == 0 ? 0 : static_cast<double>(frames) * 1e9 / static_cast<double>(span_ns);
}

}  // namespace reflector::tester
