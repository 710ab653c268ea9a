// The frames of one read(2) of a BPF device, handed to the engine a batch at a time: a 4 MB
// read may hold tens of thousands of frames, a batch is 64. The frames point into the read
// buffer, so the next read may only happen once the queue is empty and the engine gave every
// frame back (it does, batch by batch).
#ifndef REFLECTOR_PLATFORM_BPF_DEVICE_FRAME_QUEUE_H_
#define REFLECTOR_PLATFORM_BPF_DEVICE_FRAME_QUEUE_H_

#include <cstddef>
#include <vector>

#include "absl/types/span.h"
#include "platform/bpf_device/record_walk.h"
#include "platform/frame_io.h"

namespace reflector::platform::bpf_device {

class FrameQueue {
 public:
  // Room for the most frames a buffer of `buffer_bytes` can hold, allocated once.
  FrameQueue(const BpfLayout& layout, size_t buffer_bytes);

  // Replaces the queue with the frames of `buffer` (what read(2) returned).
  WalkCounts Load(absl::Span<uint8_t> buffer);
  // Moves up to frames.size() queued frames into `frames`; returns how many.
  size_t Take(absl::Span<Frame> frames);
  bool empty() const { return next_ == frames_.size(); }

 private:
  BpfLayout layout_;
  std::vector<Frame> frames_;
  size_t next_ = 0;
};

}  // namespace reflector::platform::bpf_device

#endif  // REFLECTOR_PLATFORM_BPF_DEVICE_FRAME_QUEUE_H_
