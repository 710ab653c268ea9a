#include "reflector/packet/loop_guard.h"

#include <time.h>

namespace reflector::packet {

uint32_t LoopTicksNow() {
  timespec now;
  clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
  const uint64_t ns = static_cast<uint64_t>(now.tv_sec) * 1'000'000'000u +
                      static_cast<uint64_t>(now.tv_nsec);
  return static_cast<uint32_t>(ns >> RF_LOOP_TICK_SHIFT);
}

uint32_t LoopWindowTicks(absl::Duration window) {
  if (window <= absl::ZeroDuration()) return 0;
  const int64_t ns = absl::ToInt64Nanoseconds(window);
  const int64_t tick = int64_t{1} << RF_LOOP_TICK_SHIFT;
  const int64_t ticks = (ns + tick - 1) / tick;
  return ticks > UINT32_MAX / 2 ? UINT32_MAX / 2 : static_cast<uint32_t>(ticks);
}

}  // namespace reflector::packet
