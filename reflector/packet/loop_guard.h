// C++ face of the loop guard (guard.h) for the userspace data paths: one table per worker, as
// the XDP program keeps one per CPU.
#ifndef REFLECTOR_PACKET_LOOP_GUARD_H_
#define REFLECTOR_PACKET_LOOP_GUARD_H_

#include <cstdint>
#include <vector>

#include "absl/time/time.h"
#include "absl/types/span.h"
#include "reflector/packet/guard.h"
#include "reflector/packet/wire.h"

namespace reflector::packet {

class LoopGuard {
 public:
  LoopGuard() : slots_(RF_LOOP_SLOTS) {}

  // Whether `frame` (as received) was let through in the last `window_ticks` before
  // `now_ticks`: a frame that came back already reflected. Remembers it as seen now.
  bool SeenBefore(absl::Span<const uint8_t> frame, uint32_t now_ticks, uint32_t window_ticks) {
    if (frame.empty()) return false;
    const uint64_t fingerprint = rf_fingerprint(frame.data(), frame.data() + frame.size());
    return rf_loop_seen(&slots_[rf_loop_slot_index(fingerprint)], fingerprint, now_ticks,
                        window_ticks) != 0;
  }

 private:
  std::vector<rf_loop_slot> slots_;
};

// Now in loop ticks: CLOCK_MONOTONIC_COARSE >> RF_LOOP_TICK_SHIFT, the clock the XDP program
// reads (bpf_ktime_get_coarse_ns), cheap enough to read once per batch.
uint32_t LoopTicksNow();

// A loop window in ticks, rounded up (any window above zero is at least one tick); 0: off.
// Refuses (returns 0 for) nothing: callers bound the window when they parse it.
uint32_t LoopWindowTicks(absl::Duration window);

}  // namespace reflector::packet

#endif  // REFLECTOR_PACKET_LOOP_GUARD_H_
