#include "platform/afpacket/rx_ring.h"

namespace reflector::platform::afpacket {

RxRing::RxRing(uint8_t* base, uint32_t block_size, uint32_t block_count)
    : base_(base),
      block_size_(block_size),
      block_count_(block_count),
      outstanding_(block_count, 0),
      held_(block_count, 0) {}

bool RxRing::OpenBlock() {
  if (held_[cursor_]) return false;  // still ours from the last lap: wait for its frames
  tpacket_hdr_v1& header = Desc(cursor_)->hdr.bh1;
  // Acquire pairs with the kernel's release of the block: the frames are written before the
  // status says TP_STATUS_USER.
  const uint32_t status = __atomic_load_n(&header.block_status, __ATOMIC_ACQUIRE);
  if (!(status & TP_STATUS_USER)) return false;
  if (status & TP_STATUS_LOSING) loss_hint_ = true;
  held_[cursor_] = 1;
  ++blocks_held_;
  frames_left_ = header.num_pkts;
  outstanding_[cursor_] = frames_left_;
  next_frame_ = reinterpret_cast<uint8_t*>(Desc(cursor_)) + header.offset_to_first_pkt;
  open_ = true;
  return true;
}

bool RxRing::Next(tpacket3_hdr** frame, uint32_t* block) {
  while (!open_ || frames_left_ == 0) {
    if (open_) {
      // An empty block (the kernel does not retire those, but stay safe): done with it.
      open_ = false;
      const uint32_t done = cursor_;
      cursor_ = (cursor_ + 1) % block_count_;
      if (outstanding_[done] == 0) GiveBack(done);
      continue;
    }
    if (!OpenBlock()) return false;
  }
  auto* header = reinterpret_cast<tpacket3_hdr*>(next_frame_);
  *frame = header;
  *block = cursor_;
  if (--frames_left_ > 0) {
    next_frame_ += header->tp_next_offset;
  } else {
    open_ = false;
    cursor_ = (cursor_ + 1) % block_count_;
  }
  return true;
}

void RxRing::Return(uint32_t block) {
  if (block >= block_count_ || outstanding_[block] == 0) {
    ++bad_returns_;
    return;
  }
  // Frames not read yet count as outstanding, so zero means read out and all given back.
  if (--outstanding_[block] == 0) GiveBack(block);
}

void RxRing::GiveBack(uint32_t block) {
  held_[block] = 0;
  --blocks_held_;
  // Release: our last reads (and the in-place writes of reflection) complete before the
  // kernel may write the block again.
  __atomic_store_n(&Desc(block)->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
}

}  // namespace reflector::platform::afpacket
