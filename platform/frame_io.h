// The one interface every data-path backend implements: receive a batch of frames, transmit a
// batch (in place, from the same buffers), give buffers back. The engine calls it once per
// batch, never per frame.
#ifndef REFLECTOR_PLATFORM_FRAME_IO_H_
#define REFLECTOR_PLATFORM_FRAME_IO_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"

namespace reflector::platform {

inline constexpr size_t kBatchSize = 64;

// A received frame. The bytes belong to the backend until the frame is passed back through
// Transmit or Release; `data` may be modified in place (the engine reflects there), and the
// engine may grow the frame (a STAMP answer longer than its request) by writing up to
// `capacity` bytes at `data` and raising `length`, which Transmit then sends.
struct Frame {
  uint8_t* data = nullptr;
  uint32_t length = 0;
  uint64_t handle = 0;  // backend-private: UMEM address, ring slot, ...
  // The most bytes the frame may hold when sent: its buffer's room from `data` on, within the
  // interface's largest frame (MTU, Ethernet header, two tags) where the backend knows it.
  // 0 (or below `length`): no room to grow.
  uint32_t capacity = 0;
};

// The bytes the engine may use at frame.data.
inline uint32_t Room(const Frame& frame) {
  return frame.capacity > frame.length ? frame.capacity : frame.length;
}

// Counters a backend keeps about its own rings, read outside the hot path.
struct IoStats {
  uint64_t rx_frames = 0;
  uint64_t tx_frames = 0;
  uint64_t tx_dropped = 0;  // could not be queued (ring full, send error)
  uint64_t rx_dropped = 0;  // lost by the kernel before we saw them (ring overrun), if known
};

class FrameIo {
 public:
  virtual ~FrameIo() = default;

  // Fills `frames` with up to frames.size() received frames and returns how many. Waits at
  // most `timeout` when nothing is ready (returns 0 then). Errors are fatal for the backend.
  virtual absl::StatusOr<size_t> Receive(absl::Span<Frame> frames, absl::Duration timeout) = 0;

  // Queues every frame for transmission from its own buffer and takes the frames back; frames
  // that cannot be queued are counted in IoStats::tx_dropped and released.
  virtual absl::Status Transmit(absl::Span<const Frame> frames) = 0;

  // Takes frames back without sending them.
  virtual void Release(absl::Span<const Frame> frames) = 0;

  // Pushes out anything queued but not yet handed to the kernel (partial TX batches).
  virtual absl::Status Flush() { return absl::OkStatus(); }

  virtual IoStats stats() const = 0;

  // "afpacket eth0 queue 0 (fanout)": for banners and errors.
  virtual std::string Describe() const = 0;
};

}  // namespace reflector::platform

#endif  // REFLECTOR_PLATFORM_FRAME_IO_H_
