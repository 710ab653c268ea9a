// Walks the frame slots of a mapped TPACKET_V2 RX ring: the latency-first RX mode. Unlike V3's
// blocks, each slot is the user's as soon as the kernel has written its frame, so a worker sees
// a frame the moment it lands, whatever the rate (no block retire timer).
//   * the cursor follows the kernel's order; a slot is read once, when its status says
//     TP_STATUS_USER;
//   * a slot goes back to the kernel when its frame is given back (Return), in any order: the
//     kernel only ever looks at the slot at its own head, so returns need not be in order;
//   * a slot still ours when the cursor comes round again is not read a second time.
// Single-threaded: one worker owns the ring. No syscalls, so it is tested on plain memory.
#ifndef REFLECTOR_PLATFORM_AFPACKET_RX_SLOT_RING_H_
#define REFLECTOR_PLATFORM_AFPACKET_RX_SLOT_RING_H_

#include <linux/if_packet.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace reflector::platform::afpacket {

class RxSlotRing {
 public:
  using Header = tpacket2_hdr;

  // `base` is the mapped ring: `frame_count` slots of `frame_size` bytes, back to back (the
  // owner makes the block size a multiple of the frame size).
  RxSlotRing(uint8_t* base, uint32_t frame_size, uint32_t frame_count);

  // The next frame and its slot, or false when the slot at the cursor still belongs to the
  // kernel (or to us from the previous lap).
  bool Next(tpacket2_hdr** frame, uint32_t* slot);

  // The frame of `slot` given back: the slot returns to the kernel.
  void Return(uint32_t slot);

  // True once after a frame the kernel marked TP_STATUS_LOSING (it dropped frames because the
  // ring was full): the owner then reads PACKET_STATISTICS.
  bool TakeLossHint() {
    const bool hint = loss_hint_;
    loss_hint_ = false;
    return hint;
  }

  // Bytes of each slot, its header included: a frame may grow up to its slot's end.
  uint32_t frame_size() const { return frame_size_; }

  // Slots read and not returned yet (for tests and diagnostics).
  uint32_t slots_held() const { return slots_held_; }
  // Return calls for a slot that is not ours: an engine bug, counted not trusted.
  uint64_t bad_returns() const { return bad_returns_; }

 private:
  tpacket2_hdr* Slot(uint32_t slot) const {
    return reinterpret_cast<tpacket2_hdr*>(base_ + static_cast<size_t>(slot) * frame_size_);
  }

  uint8_t* base_;
  uint32_t frame_size_;
  uint32_t frame_count_;
  uint32_t cursor_ = 0;
  std::vector<uint8_t> held_;  // per slot: read and not yet returned
  uint32_t slots_held_ = 0;
  bool loss_hint_ = false;
  uint64_t bad_returns_ = 0;
};

}  // namespace reflector::platform::afpacket

#endif  // REFLECTOR_PLATFORM_AFPACKET_RX_SLOT_RING_H_
