// The slots of a mapped TPACKET_V2 TX ring: copy a frame in, mark it for the kernel, and know
// when the ring is full. Sending (the send() that makes the kernel walk the ring) is the
// owner's job. No syscalls, so it is tested on plain memory.
//
// Why TPACKET_V2 for TX while RX is TPACKET_V3: V3's block layout only exists for RX. A V3 TX
// ring is accepted only with a full tpacket_req3 whose block-only fields are zero, and the
// previous reflector passed a tpacket_req under V3 and got EINVAL (research §6.6). V2 frames
// are fixed slots the kernel walks in order, with the data at TPACKET2_HDRLEN -
// sizeof(sockaddr_ll) from the slot start: the offset the previous V2 ring got wrong.
#ifndef REFLECTOR_PLATFORM_AFPACKET_TX_RING_H_
#define REFLECTOR_PLATFORM_AFPACKET_TX_RING_H_

#include <linux/if_packet.h>

#include <cstddef>
#include <cstdint>

namespace reflector::platform::afpacket {

// Where the kernel reads frame data in a V2 TX slot (without PACKET_TX_HAS_OFF).
inline constexpr uint32_t kTxDataOffset = TPACKET2_HDRLEN - sizeof(sockaddr_ll);

class TxRing {
 public:
  // `base` is the mapped ring of `frame_count` slots of `frame_size` bytes, laid out back to
  // back (the owner makes the block size a multiple of the frame size).
  TxRing(uint8_t* base, uint32_t frame_size, uint32_t frame_count);

  // Copies the frame into the next slot and hands the slot to the kernel. False when the
  // next slot is still being sent (ring full) or the frame does not fit a slot.
  bool Queue(const uint8_t* data, uint32_t length);

  uint32_t max_frame_bytes() const { return frame_size_ - kTxDataOffset; }
  // Slots queued since the last TakeQueued() (the owner kicks the kernel when non-zero).
  uint32_t TakeQueued() {
    const uint32_t queued = queued_;
    queued_ = 0;
    return queued;
  }

 private:
  tpacket2_hdr* Slot(uint32_t index) const {
    return reinterpret_cast<tpacket2_hdr*>(base_ + static_cast<size_t>(index) * frame_size_);
  }

  uint8_t* base_;
  uint32_t frame_size_;
  uint32_t frame_count_;
  uint32_t head_ = 0;  // the next slot we fill; the kernel walks the slots in the same order
  uint32_t queued_ = 0;
};

}  // namespace reflector::platform::afpacket

#endif  // REFLECTOR_PLATFORM_AFPACKET_TX_RING_H_
