// Where a userspace worker (afxdp, afpacket) hands captured frames over (issue 21): a bounded
// single-producer single-consumer queue of fixed slots, never a lock or a wait on the worker's
// side. A frame that finds the queue full is counted (ring_full) and dropped from the capture,
// not from the data path. The worker copies the capture settings once per batch when they
// changed (like SharedConfig), so its per-frame check is one test of a local field.
#ifndef REFLECTOR_ENGINE_CAPTURE_CAPTURE_TAP_H_
#define REFLECTOR_ENGINE_CAPTURE_CAPTURE_TAP_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"
#include "reflector/packet/wire.h"

namespace reflector::engine::capture {

// One queue slot: the record the kernel programs also write, and the frame's first bytes.
struct TapSlot {
  rf_capture_record record;
  uint8_t data[RF_CAPTURE_SNAP_MAX];
};

// Capture counts of one source, as the writer reads them.
struct TapCounts {
  uint64_t taken = 0;      // handed over
  uint64_t limited = 0;    // refused by the rate bound
  uint64_t ring_full = 0;  // refused by a full queue
};

class CaptureTap {
 public:
  // `queue`: the worker's queue, recorded with each frame. `slots` is rounded up to a power
  // of two.
  explicit CaptureTap(uint32_t queue, size_t slots = 256);
  CaptureTap(const CaptureTap&) = delete;
  CaptureTap& operator=(const CaptureTap&) = delete;

  // Controller: new settings (enabled = 0 stops the capture).
  void Set(const rf_capture_config& config);
  // Worker, once per batch: copies the settings into `local` when they changed since `seen`.
  void Refresh(rf_capture_config& local, uint64_t& seen) const {
    const uint64_t now = version_.load(std::memory_order_acquire);
    if (now == seen) return;
    absl::MutexLock lock(&mu_);
    local = config_;
    seen = version_.load(std::memory_order_relaxed);
  }

  // Worker: offers one classified frame (as received). Never blocks; `now_ns` is
  // CLOCK_MONOTONIC, as the kernel programs stamp their records. Returns whether it was taken.
  bool Offer(const rf_capture_config& config, absl::Span<const uint8_t> frame, uint32_t verdict,
             uint32_t rule, uint64_t now_ns);
  // Worker: the frame as sent, after reflecting one whose received copy Offer took while
  // `config.sent` is set; no second selection, so the two copies come in pairs.
  void OfferSent(const rf_capture_config& config, absl::Span<const uint8_t> frame, uint32_t rule,
                 uint64_t now_ns);

  // Writer: hands every queued slot to `consume` in order, then frees them. Returns how many.
  template <typename Consume>
  size_t Drain(Consume&& consume) {
    size_t done = 0;
    uint64_t tail = tail_.load(std::memory_order_relaxed);
    const uint64_t head = head_.load(std::memory_order_acquire);
    for (; tail != head; ++tail, ++done) consume(slots_[tail & mask_]);
    tail_.store(tail, std::memory_order_release);
    return done;
  }

  TapCounts counts() const;

 private:
  // Puts a record in the queue (or counts ring_full); whether it found room.
  bool Push(const rf_capture_config& config, absl::Span<const uint8_t> frame, uint32_t verdict,
            uint32_t rule, uint64_t now_ns, uint8_t direction);

  const uint32_t queue_;
  const size_t mask_;
  std::unique_ptr<TapSlot[]> slots_;
  std::atomic<uint64_t> head_{0};  // next slot the worker fills
  std::atomic<uint64_t> tail_{0};  // next slot the writer reads
  rf_capture_state state_ = {};    // the worker's sampling and rate state
  std::atomic<uint64_t> taken_{0}, limited_{0}, ring_full_{0};

  mutable absl::Mutex mu_;
  rf_capture_config config_ ABSL_GUARDED_BY(mu_) = {};
  std::atomic<uint64_t> version_{0};
};

}  // namespace reflector::engine::capture

#endif  // REFLECTOR_ENGINE_CAPTURE_CAPTURE_TAP_H_
