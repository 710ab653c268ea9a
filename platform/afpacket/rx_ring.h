// Walks the blocks of a mapped TPACKET_V3 RX ring and decides when each block goes back to the
// kernel. It fixes the defects of the previous reflector's ring walk (research §6.6):
//   * a cursor inside the current block, so a block of more than one batch is read once, in
//     order, and never restarted at its first frame;
//   * a block returns to the kernel only when every frame in it has been handed out and given
//     back (Return), in any order, so the kernel never overwrites a frame still in use;
//   * a block that is still ours when the cursor comes round again is not read a second time,
//     even though its status word still says TP_STATUS_USER.
// Single-threaded: one worker owns the ring. No syscalls, so it is tested on plain memory.
#ifndef REFLECTOR_PLATFORM_AFPACKET_RX_RING_H_
#define REFLECTOR_PLATFORM_AFPACKET_RX_RING_H_

#include <linux/if_packet.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace reflector::platform::afpacket {

class RxRing {
 public:
  using Header = tpacket3_hdr;

  // `base` is the mapped ring: `block_count` blocks of `block_size` bytes.
  RxRing(uint8_t* base, uint32_t block_size, uint32_t block_count);

  // The next frame and the block it lives in, or false when the block at the cursor still
  // belongs to the kernel (or to us from the previous lap).
  bool Next(tpacket3_hdr** frame, uint32_t* block);

  // One frame of `block` given back; the last one returns the block to the kernel.
  void Return(uint32_t block);

  // True once after a block that the kernel marked TP_STATUS_LOSING (it dropped frames
  // because the ring was full): the owner then reads PACKET_STATISTICS.
  bool TakeLossHint() {
    const bool hint = loss_hint_;
    loss_hint_ = false;
    return hint;
  }

  // Blocks we read from and have not returned yet (for tests and diagnostics).
  uint32_t blocks_held() const { return blocks_held_; }
  // Return calls for a block with no frame outstanding: an engine bug, counted not trusted.
  uint64_t bad_returns() const { return bad_returns_; }

 private:
  tpacket_block_desc* Desc(uint32_t block) const {
    return reinterpret_cast<tpacket_block_desc*>(base_ + static_cast<size_t>(block) * block_size_);
  }
  bool OpenBlock();
  void GiveBack(uint32_t block);

  uint8_t* base_;
  uint32_t block_size_;
  uint32_t block_count_;

  // Cursor: the block being read, and what is left of it.
  uint32_t cursor_ = 0;
  bool open_ = false;
  uint32_t frames_left_ = 0;
  uint8_t* next_frame_ = nullptr;

  // Per block: frames not yet given back; `held_` from the block's first read to its return.
  std::vector<uint32_t> outstanding_;
  std::vector<uint8_t> held_;
  uint32_t blocks_held_ = 0;
  bool loss_hint_ = false;
  uint64_t bad_returns_ = 0;
};

}  // namespace reflector::platform::afpacket

#endif  // REFLECTOR_PLATFORM_AFPACKET_RX_RING_H_
