#include "reflector/engine/capture/capture_tap.h"

#include <algorithm>
#include <bit>
#include <cstring>

#include "reflector/packet/capture_select.h"

namespace reflector::engine::capture {

CaptureTap::CaptureTap(uint32_t queue, size_t slots)
    : queue_(queue),
      mask_(std::bit_ceil(std::max<size_t>(slots, 2)) - 1),
      slots_(new TapSlot[mask_ + 1]) {}

void CaptureTap::Set(const rf_capture_config& config) {
  absl::MutexLock lock(&mu_);
  config_ = config;
  version_.fetch_add(1, std::memory_order_release);
}

bool CaptureTap::Offer(const rf_capture_config& config, absl::Span<const uint8_t> frame,
                       uint32_t verdict, uint32_t rule, uint64_t now_ns) {
  const uint64_t limited = state_.limited;
  if (!rf_capture_take(&config, &state_, verdict, rule, now_ns)) {
    if (state_.limited != limited) limited_.store(state_.limited, std::memory_order_relaxed);
    return false;
  }
  return Push(config, frame, verdict, rule, now_ns, RF_CAPTURE_RECEIVED);
}

void CaptureTap::OfferSent(const rf_capture_config& config, absl::Span<const uint8_t> frame,
                           uint32_t rule, uint64_t now_ns) {
  Push(config, frame, RF_REFLECT, rule, now_ns, RF_CAPTURE_SENT);
}

bool CaptureTap::Push(const rf_capture_config& config, absl::Span<const uint8_t> frame,
                      uint32_t verdict, uint32_t rule, uint64_t now_ns, uint8_t direction) {
  const uint64_t head = head_.load(std::memory_order_relaxed);
  if (head - tail_.load(std::memory_order_acquire) > mask_) {
    ring_full_.store(++state_.ring_full, std::memory_order_relaxed);
    return false;
  }
  TapSlot& slot = slots_[head & mask_];
  const size_t captured =
      std::min<size_t>({frame.size(), config.snap, static_cast<size_t>(RF_CAPTURE_SNAP_MAX)});
  slot.record = {};
  slot.record.time_ns = now_ns;
  slot.record.queue = queue_;
  slot.record.length = static_cast<uint32_t>(frame.size());
  slot.record.captured = static_cast<uint16_t>(captured);
  slot.record.verdict = static_cast<uint8_t>(verdict);
  slot.record.rule = static_cast<uint8_t>(rule);
  slot.record.direction = direction;
  std::memcpy(slot.data, frame.data(), captured);
  head_.store(head + 1, std::memory_order_release);
  taken_.store(++state_.taken, std::memory_order_relaxed);
  return true;
}

TapCounts CaptureTap::counts() const {
  return {taken_.load(std::memory_order_relaxed), limited_.load(std::memory_order_relaxed),
          ring_full_.load(std::memory_order_relaxed)};
}

}  // namespace reflector::engine::capture
