// An in-memory backend for unit tests: frames queued with Inject come out of Receive; frames
// passed to Transmit are recorded as sent; every buffer handed out must come back exactly
// once, which Outstanding() lets tests check.
#ifndef REFLECTOR_PLATFORM_MEMORY_MEMORY_IO_H_
#define REFLECTOR_PLATFORM_MEMORY_MEMORY_IO_H_

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "platform/frame_io.h"

namespace reflector::platform {

class MemoryIo : public FrameIo {
 public:
  // `tx_capacity`: how many frames one Transmit call may queue; the rest count as dropped.
  // `grow_room`: bytes past each received frame the engine may grow it into (Frame::capacity).
  explicit MemoryIo(size_t tx_capacity = SIZE_MAX, uint32_t grow_room = 64)
      : tx_capacity_(tx_capacity), grow_room_(grow_room) {}

  void Inject(std::vector<uint8_t> frame) { pending_.push_back(std::move(frame)); }

  absl::StatusOr<size_t> Receive(absl::Span<Frame> frames, absl::Duration timeout) override;
  absl::Status Transmit(absl::Span<const Frame> frames) override;
  void Release(absl::Span<const Frame> frames) override;
  IoStats stats() const override { return stats_; }
  std::string Describe() const override { return "memory"; }

  const std::vector<std::vector<uint8_t>>& sent() const { return sent_; }
  size_t released() const { return released_; }
  size_t pending() const { return pending_.size(); }
  // Buffers handed out by Receive and not yet given back.
  size_t Outstanding() const { return in_flight_.size(); }
  // Frames given back that were never handed out, or given back twice.
  size_t bad_returns() const { return bad_returns_; }

 private:
  bool TakeBack(const Frame& frame);

  size_t tx_capacity_;
  uint32_t grow_room_;
  std::deque<std::vector<uint8_t>> pending_;
  std::map<uint64_t, std::vector<uint8_t>> in_flight_;
  uint64_t next_handle_ = 1;
  std::vector<std::vector<uint8_t>> sent_;
  size_t released_ = 0;
  size_t bad_returns_ = 0;
  IoStats stats_;
};

}  // namespace reflector::platform

#endif  // REFLECTOR_PLATFORM_MEMORY_MEMORY_IO_H_
