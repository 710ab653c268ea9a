#include "reflector/packet/guard_stage.h"

#include "reflector/packet/guard.h"
#include "reflector/packet/rate_limit.h"

namespace reflector::packet {
namespace {

// Holds a bucket's lock for a few instructions; contention is two workers on one cap.
class SpinLock {
 public:
  explicit SpinLock(std::atomic_flag& flag) : flag_(flag) {
    while (flag_.test_and_set(std::memory_order_acquire)) {
    }
  }
  ~SpinLock() { flag_.clear(std::memory_order_release); }
  SpinLock(const SpinLock&) = delete;
  SpinLock& operator=(const SpinLock&) = delete;

 private:
  std::atomic_flag& flag_;
};

}  // namespace

RateBuckets::RateBuckets()
    : aggregate_(new Bucket[1 + RF_MAX_RULES]), sources_(new Bucket[RF_RATE_SOURCE_SLOTS]) {}

bool RateBuckets::ConformScope(absl::Span<const uint8_t> frame, const rf_result& where,
                               const rf_rate_caps& caps, uint32_t scope, uint64_t burst,
                               uint64_t now) {
  const uint8_t* data = frame.data();
  const uint8_t* end = data + frame.size();
  const uint64_t source_cost = rf_rate_cost(&caps.per_source, frame.size());
  if (source_cost != 0) {
    const uint64_t key = rf_rate_source_key(data, end, &where, scope);
    Bucket& bucket = sources_[rf_rate_source_slot(key)];
    SpinLock lock(bucket.lock);
    if (!rf_rate_take_source(&bucket.tag, &bucket.tat, key, now, source_cost, burst)) return false;
  }
  const uint64_t cost = rf_rate_cost(&caps.all, frame.size());
  if (cost != 0) {
    Bucket& bucket = aggregate_[scope];
    SpinLock lock(bucket.lock);
    if (!rf_rate_take(&bucket.tat, now, cost, burst)) return false;
  }
  return true;
}

bool RateBuckets::Conform(absl::Span<const uint8_t> frame, const rf_result& where,
                          const rf_guard& guard, uint64_t now) {
  const uint32_t rule = where.rule & (RF_MAX_RULES - 1);
  return ConformScope(frame, where, guard.rules[rule], 1 + rule, guard.rate_burst, now) &&
         ConformScope(frame, where, guard.global, 0, guard.rate_burst, now);
}

GuardClock GuardClock::Now(const rf_guard& guard) {
  GuardClock clock;
  if (guard.loop_window_ticks != 0) clock.loop_ticks = LoopTicksNow();
  if (guard.flags & RF_GUARD_RATE_CAPS) clock.rate_time = RateTimeNow();
  return clock;
}

Verdict GuardFrame(absl::Span<const uint8_t> frame, const rf_result& where, const rf_guard& guard,
                   LoopGuard* loops, RateBuckets* rates, const GuardClock& now) {
  if (guard.flags & RF_GUARD_LEASE_EXPIRED) return Verdict::kLease;
  if (guard.loop_window_ticks != 0 && loops != nullptr &&
      loops->SeenBefore(frame, now.loop_ticks, guard.loop_window_ticks)) {
    return Verdict::kLoop;
  }
  if ((guard.flags & RF_GUARD_RATE_CAPS) && rates != nullptr &&
      !rates->Conform(frame, where, guard, now.rate_time)) {
    return Verdict::kRateLimited;
  }
  return Verdict::kReflect;
}

}  // namespace reflector::packet
