#include "platform/afxdp/frame_pool.h"

#include "absl/numeric/bits.h"

namespace reflector::platform::afxdp {

FramePool::FramePool(uint32_t frame_count, uint32_t frame_size)
    : frame_shift_(static_cast<uint32_t>(absl::countr_zero(frame_size))),
      places_(frame_count, Place::kFree) {
  free_.reserve(frame_count);
  // Hand out low addresses first: easier to read in a debugger, and no behaviour depends on it.
  for (uint32_t i = frame_count; i > 0; --i) {
    free_.push_back(static_cast<uint64_t>(i - 1) << frame_shift_);
  }
  counts_[static_cast<int>(Place::kFree)] = frame_count;
}

}  // namespace reflector::platform::afxdp
