#include "platform/afpacket/tx_ring.h"

#include <cstring>

namespace reflector::platform::afpacket {

TxRing::TxRing(uint8_t* base, uint32_t frame_size, uint32_t frame_count)
    : base_(base), frame_size_(frame_size), frame_count_(frame_count) {}

bool TxRing::Queue(const uint8_t* data, uint32_t length) {
  if (length > max_frame_bytes()) return false;
  tpacket2_hdr* slot = Slot(head_);
  // Acquire pairs with the kernel's release when it finished sending from the slot. With
  // PACKET_LOSS set the kernel also frees slots it could not send (no WRONG_FORMAT jam), so
  // anything but AVAILABLE means the ring is full.
  if (__atomic_load_n(&slot->tp_status, __ATOMIC_ACQUIRE) != TP_STATUS_AVAILABLE) return false;
  std::memcpy(reinterpret_cast<uint8_t*>(slot) + kTxDataOffset, data, length);
  slot->tp_len = length;
  slot->tp_snaplen = length;
  // Release: the bytes are in the slot before the kernel can see SEND_REQUEST.
  __atomic_store_n(&slot->tp_status, TP_STATUS_SEND_REQUEST, __ATOMIC_RELEASE);
  head_ = head_ + 1 == frame_count_ ? 0 : head_ + 1;
  ++queued_;
  return true;
}

}  // namespace reflector::platform::afpacket
