// The ledger of a UMEM: where each frame is at every moment. A frame is in exactly one place;
// it only moves when the caller says where it is coming from, and the move is refused when the
// frame is not there. That refusal is what keeps a buffer that is still on the TX ring from
// also landing in the fill ring (the corruption reflector-native suffered), and the per-place
// counts let tests prove that nothing leaks.
//
// Thread-compatible, no allocation after construction, O(1) per frame.
#ifndef REFLECTOR_PLATFORM_AFXDP_FRAME_POOL_H_
#define REFLECTOR_PLATFORM_AFXDP_FRAME_POOL_H_

#include <array>
#include <cstdint>
#include <vector>

namespace reflector::platform::afxdp {

enum class Place : uint8_t {
  kFree,      // in userspace, on the free stack, waiting for room in the fill ring
  kKernelRx,  // given to the kernel for receiving: fill ring, driver, or RX ring
  kEngine,    // handed out by Receive, not yet given back
  kKernelTx,  // given to the kernel for sending: TX ring or completion ring
};
inline constexpr int kPlaceCount = 4;

class FramePool {
 public:
  // `frame_size` must be a power of two. Every frame starts free.
  FramePool(uint32_t frame_count, uint32_t frame_size);

  // Moves the frame that holds UMEM address `addr` (any offset inside the frame) from `from`
  // to `to`. Returns false and changes nothing when `addr` lies outside the UMEM or the frame
  // is not in `from`.
  bool Move(uint64_t addr, Place from, Place to) {
    const uint64_t index = addr >> frame_shift_;
    if (index >= places_.size() || places_[index] != from) return false;
    places_[index] = to;
    --counts_[static_cast<int>(from)];
    ++counts_[static_cast<int>(to)];
    if (to == Place::kFree) free_.push_back(index << frame_shift_);  // capacity: every frame
    return true;
  }

  // Takes a free frame into `to` and returns its base address in `*addr`; false when none is
  // free.
  bool TakeFree(Place to, uint64_t* addr) {
    if (free_.empty()) return false;
    *addr = free_.back();
    free_.pop_back();
    places_[*addr >> frame_shift_] = to;
    --counts_[static_cast<int>(Place::kFree)];
    ++counts_[static_cast<int>(to)];
    return true;
  }

  uint32_t count(Place place) const { return counts_[static_cast<int>(place)]; }
  uint32_t frame_count() const { return static_cast<uint32_t>(places_.size()); }

 private:
  uint32_t frame_shift_;
  std::vector<Place> places_;   // by frame index
  std::vector<uint64_t> free_;  // base addresses; reserved for every frame up front
  std::array<uint32_t, kPlaceCount> counts_ = {};
};

}  // namespace reflector::platform::afxdp

#endif  // REFLECTOR_PLATFORM_AFXDP_FRAME_POOL_H_
