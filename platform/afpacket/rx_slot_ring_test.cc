#include "platform/afpacket/rx_slot_ring.h"

#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace reflector::platform::afpacket {
namespace {

constexpr uint32_t kFrameSize = 256;
constexpr uint32_t kSlots = 8;

// Plays the kernel: writes frames into the slots at its own head, in ring order, and hands
// each to userspace. Each frame's tp_len carries a serial number so the test can tell frames
// apart. Like the kernel, it drops a frame when the slot at its head is not TP_STATUS_KERNEL.
class FakeKernelRing {
 public:
  FakeKernelRing() : memory_(kFrameSize * kSlots, 0), ring_(memory_.data(), kFrameSize, kSlots) {}

  // Returns false when the kernel would have dropped the frame (ring full at its head).
  bool Deliver(uint32_t status = TP_STATUS_USER) {
    tpacket2_hdr* slot = Slot(head_);
    if (slot->tp_status != TP_STATUS_KERNEL) return false;
    slot->tp_len = next_serial_++;
    slot->tp_status = status;
    head_ = (head_ + 1) % kSlots;
    return true;
  }
  bool OwnedByKernel(uint32_t slot) { return Slot(slot)->tp_status == TP_STATUS_KERNEL; }

  // Reads up to `max` frames: (serial, slot) pairs.
  std::vector<std::pair<uint32_t, uint32_t>> Read(size_t max) {
    std::vector<std::pair<uint32_t, uint32_t>> got;
    tpacket2_hdr* frame;
    uint32_t slot;
    while (got.size() < max && ring_.Next(&frame, &slot)) got.emplace_back(frame->tp_len, slot);
    return got;
  }

  RxSlotRing& ring() { return ring_; }

 private:
  tpacket2_hdr* Slot(uint32_t slot) {
    return reinterpret_cast<tpacket2_hdr*>(memory_.data() + slot * kFrameSize);
  }

  std::vector<uint8_t> memory_;
  RxSlotRing ring_;
  uint32_t head_ = 0;
  uint32_t next_serial_ = 0;
};

TEST(RxSlotRingTest, HandsOutEachFrameAsSoonAsItLandsInOrder) {
  FakeKernelRing k;
  EXPECT_TRUE(k.Read(64).empty());
  ASSERT_TRUE(k.Deliver());
  // One frame is a whole "batch": no waiting for more frames or for a timer.
  auto got = k.Read(64);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0], std::make_pair(0u, 0u));
  ASSERT_TRUE(k.Deliver());
  ASSERT_TRUE(k.Deliver());
  got = k.Read(64);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0], std::make_pair(1u, 1u));
  EXPECT_EQ(got[1], std::make_pair(2u, 2u));
  EXPECT_EQ(k.ring().slots_held(), 3u);
}

TEST(RxSlotRingTest, ASlotGoesBackWhenItsFrameDoesInAnyOrder) {
  FakeKernelRing k;
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(k.Deliver());
  ASSERT_EQ(k.Read(64).size(), 3u);
  k.ring().Return(2);
  EXPECT_TRUE(k.OwnedByKernel(2));
  EXPECT_FALSE(k.OwnedByKernel(0));
  k.ring().Return(0);
  k.ring().Return(1);
  EXPECT_TRUE(k.OwnedByKernel(0));
  EXPECT_TRUE(k.OwnedByKernel(1));
  EXPECT_EQ(k.ring().slots_held(), 0u);
}

TEST(RxSlotRingTest, DoesNotRereadAHeldSlotAfterWrapping) {
  FakeKernelRing k;
  for (uint32_t i = 0; i < kSlots; ++i) ASSERT_TRUE(k.Deliver());
  EXPECT_FALSE(k.Deliver()) << "a full ring drops at the kernel's head";
  ASSERT_EQ(k.Read(64).size(), kSlots);
  // Every slot is still ours and still says TP_STATUS_USER: nothing new to read.
  EXPECT_TRUE(k.Read(64).empty());
  k.ring().Return(0);
  EXPECT_TRUE(k.Read(64).empty()) << "slot 0 is the kernel's until it is filled again";
  ASSERT_TRUE(k.Deliver());
  const auto second = k.Read(64);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0], std::make_pair(kSlots, 0u));
}

TEST(RxSlotRingTest, ReportsLossOnce) {
  FakeKernelRing k;
  ASSERT_TRUE(k.Deliver(TP_STATUS_USER | TP_STATUS_LOSING));
  EXPECT_FALSE(k.ring().TakeLossHint());
  EXPECT_EQ(k.Read(64).size(), 1u);
  EXPECT_TRUE(k.ring().TakeLossHint());
  EXPECT_FALSE(k.ring().TakeLossHint());
}

TEST(RxSlotRingTest, CountsReturnsOfFramesNeverHandedOut) {
  FakeKernelRing k;
  ASSERT_TRUE(k.Deliver());
  const auto got = k.Read(64);
  ASSERT_EQ(got.size(), 1u);
  k.ring().Return(got[0].second);
  k.ring().Return(got[0].second);
  k.ring().Return(1);
  k.ring().Return(kSlots + 7);
  EXPECT_EQ(k.ring().bad_returns(), 3u);
  EXPECT_EQ(k.ring().slots_held(), 0u);
  EXPECT_TRUE(k.OwnedByKernel(0));
}

}  // namespace
}  // namespace reflector::platform::afpacket
