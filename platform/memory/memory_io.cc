#include "platform/memory/memory_io.h"

#include <algorithm>

namespace reflector::platform {

absl::StatusOr<size_t> MemoryIo::Receive(absl::Span<Frame> frames, absl::Duration) {
  size_t count = 0;
  while (count < frames.size() && !pending_.empty()) {
    const uint64_t handle = next_handle_++;
    std::vector<uint8_t>& buffer = in_flight_[handle] = std::move(pending_.front());
    pending_.pop_front();
    const uint32_t length = static_cast<uint32_t>(buffer.size());
    buffer.resize(length + grow_room_, 0xee);  // stale bytes, which the engine must not send
    frames[count++] = Frame{buffer.data(), length, handle, length + grow_room_};
  }
  stats_.rx_frames += count;
  return count;
}

bool MemoryIo::TakeBack(const Frame& frame) {
  if (in_flight_.erase(frame.handle) == 0) {
    ++bad_returns_;
    return false;
  }
  return true;
}

absl::Status MemoryIo::Transmit(absl::Span<const Frame> frames) {
  size_t queued = 0;
  for (const Frame& frame : frames) {
    auto it = in_flight_.find(frame.handle);
    if (it != in_flight_.end() && queued < tx_capacity_) {
      sent_.emplace_back(frame.data, frame.data + frame.length);
      ++queued;
      ++stats_.tx_frames;
    } else if (it != in_flight_.end()) {
      ++stats_.tx_dropped;
    }
    TakeBack(frame);
  }
  return absl::OkStatus();
}

void MemoryIo::Release(absl::Span<const Frame> frames) {
  for (const Frame& frame : frames) {
    if (TakeBack(frame)) ++released_;
  }
}

}  // namespace reflector::platform
