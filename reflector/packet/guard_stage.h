// The guard stage (guard.h, SPEC §8) as the userspace data paths run it, and as the
// differential tests expect the XDP program to: for a frame the classifier would reflect, the
// lease, then the loop guard, then the rate caps. One function, so the workers and the tests'
// oracle cannot drift apart.
#ifndef REFLECTOR_PACKET_GUARD_STAGE_H_
#define REFLECTOR_PACKET_GUARD_STAGE_H_

#include <atomic>
#include <cstdint>
#include <memory>

#include "absl/types/span.h"
#include "reflector/packet/loop_guard.h"
#include "reflector/packet/packet.h"
#include "reflector/packet/wire.h"

namespace reflector::packet {

// The rate caps' buckets (guard.h) of one data path: shared by all its workers, as the XDP
// program's maps are shared by all CPUs, so a cap holds for the whole interface. Thread-safe:
// each bucket has a lock of its own, held for a few instructions.
class RateBuckets {
 public:
  RateBuckets();
  RateBuckets(const RateBuckets&) = delete;
  RateBuckets& operator=(const RateBuckets&) = delete;

  // Whether the frame (as received, reflected under `where`) conforms to the caps of `guard`
  // at `now` (RateTimeNow()), charging every bucket it passes: the source's and the whole
  // rule's, then the global source's and the global one. A frame refused by a later bucket was
  // charged to the earlier ones, so when several caps bind at once they hold a little tighter.
  bool Conform(absl::Span<const uint8_t> frame, const rf_result& where, const rf_guard& guard,
               uint64_t now);

 private:
  struct Bucket {
    std::atomic_flag lock = ATOMIC_FLAG_INIT;
    __u64 tag = 0;  // per-source buckets: the source's key
    __u64 tat = 0;
  };
  bool ConformScope(absl::Span<const uint8_t> frame, const rf_result& where,
                    const rf_rate_caps& caps, uint32_t scope, uint64_t burst, uint64_t now);

  // Index 0: the global cap; 1 + i: rule i's.
  std::unique_ptr<Bucket[]> aggregate_;
  std::unique_ptr<Bucket[]> sources_;  // RF_RATE_SOURCE_SLOTS
};

// The clocks the guard reads, once per batch in the workers.
struct GuardClock {
  uint32_t loop_ticks = 0;  // LoopTicksNow(), when the loop guard is on
  uint64_t rate_time = 0;   // RateTimeNow(), when a rate cap is set
  static GuardClock Now(const rf_guard& guard);
};

// The guard's verdict for a frame the classifier would reflect: kReflect, kLease, kLoop or
// kRateLimited. `loops`: this worker's (or CPU's) loop table, or null for none (every frame is
// then new); `rates`: the data path's buckets, or null for none (caps hold nothing back).
Verdict GuardFrame(absl::Span<const uint8_t> frame, const rf_result& where, const rf_guard& guard,
                   LoopGuard* loops, RateBuckets* rates, const GuardClock& now);

}  // namespace reflector::packet

#endif  // REFLECTOR_PACKET_GUARD_STAGE_H_
