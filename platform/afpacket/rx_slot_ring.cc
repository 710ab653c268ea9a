#include "platform/afpacket/rx_slot_ring.h"

namespace reflector::platform::afpacket {

RxSlotRing::RxSlotRing(uint8_t* base, uint32_t frame_size, uint32_t frame_count)
    : base_(base), frame_size_(frame_size), frame_count_(frame_count), held_(frame_count, 0) {}

bool RxSlotRing::Next(tpacket2_hdr** frame, uint32_t* slot) {
  if (held_[cursor_]) return false;  // still ours from the last lap: the ring is full
  tpacket2_hdr* header = Slot(cursor_);
  // Acquire pairs with the kernel's release of the slot: the frame is written before the
  // status says TP_STATUS_USER.
  const uint32_t status = __atomic_load_n(&header->tp_status, __ATOMIC_ACQUIRE);
  if (!(status & TP_STATUS_USER)) return false;
  if (status & TP_STATUS_LOSING) loss_hint_ = true;
  held_[cursor_] = 1;
  ++slots_held_;
  *frame = header;
  *slot = cursor_;
  cursor_ = cursor_ + 1 == frame_count_ ? 0 : cursor_ + 1;
  return true;
}

void RxSlotRing::Return(uint32_t slot) {
  if (slot >= frame_count_ || !held_[slot]) {
    ++bad_returns_;
    return;
  }
  held_[slot] = 0;
  --slots_held_;
  // Release: our last reads (and the in-place writes of reflection) complete before the
  // kernel may write the slot again.
  __atomic_store_n(&Slot(slot)->tp_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
}

}  // namespace reflector::platform::afpacket
