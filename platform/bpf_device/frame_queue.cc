#include "platform/bpf_device/frame_queue.h"

#include <algorithm>

namespace reflector::platform::bpf_device {

FrameQueue::FrameQueue(const BpfLayout& layout, size_t buffer_bytes) : layout_(layout) {
  // Each record takes at least an aligned header and one byte.
  frames_.reserve(buffer_bytes / WordAlign(layout.min_hdrlen + 1, layout.alignment) + 1);
}

WalkCounts FrameQueue::Load(absl::Span<uint8_t> buffer) {
  frames_.clear();
  next_ = 0;
  return WalkRecords(buffer, layout_, [this](absl::Span<uint8_t> frame) {
    frames_.push_back(Frame{frame.data(), static_cast<uint32_t>(frame.size()), 0});
  });
}

size_t FrameQueue::Take(absl::Span<Frame> frames) {
  const size_t count = std::min(frames.size(), frames_.size() - next_);
  std::copy_n(frames_.begin() + next_, count, frames.begin());
  next_ += count;
  return count;
}

}  // namespace reflector::platform::bpf_device
