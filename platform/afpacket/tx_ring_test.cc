#include "platform/afpacket/tx_ring.h"

#include <cstring>
#include <vector>

#include "gtest/gtest.h"

namespace reflector::platform::afpacket {
namespace {

constexpr uint32_t kFrameSize = 2048;
constexpr uint32_t kFrames = 4;

tpacket2_hdr* Slot(std::vector<uint8_t>& memory, uint32_t i) {
  return reinterpret_cast<tpacket2_hdr*>(memory.data() + i * kFrameSize);
}

TEST(TxRingTest, WritesWhereTheKernelReadsAndMarksTheSlot) {
  EXPECT_EQ(kTxDataOffset, 32u);  // TPACKET_ALIGN(sizeof(tpacket2_hdr))
  std::vector<uint8_t> memory(kFrameSize * kFrames, 0);
  TxRing ring(memory.data(), kFrameSize, kFrames);
  const std::vector<uint8_t> frame = {1, 2, 3, 4, 5, 6, 7};
  ASSERT_TRUE(ring.Queue(frame.data(), frame.size()));
  EXPECT_EQ(Slot(memory, 0)->tp_status, TP_STATUS_SEND_REQUEST);
  EXPECT_EQ(Slot(memory, 0)->tp_len, frame.size());
  EXPECT_EQ(std::memcmp(memory.data() + kTxDataOffset, frame.data(), frame.size()), 0);
  EXPECT_EQ(ring.TakeQueued(), 1u);
  EXPECT_EQ(ring.TakeQueued(), 0u);
}

TEST(TxRingTest, FullUntilTheKernelFreesTheNextSlot) {
  std::vector<uint8_t> memory(kFrameSize * kFrames, 0);
  TxRing ring(memory.data(), kFrameSize, kFrames);
  const uint8_t byte = 0xab;
  for (uint32_t i = 0; i < kFrames; ++i) ASSERT_TRUE(ring.Queue(&byte, 1));
  EXPECT_FALSE(ring.Queue(&byte, 1));
  Slot(memory, 1)->tp_status = TP_STATUS_AVAILABLE;  // out of order: slot 0 is next, still busy
  EXPECT_FALSE(ring.Queue(&byte, 1));
  Slot(memory, 0)->tp_status = TP_STATUS_AVAILABLE;
  EXPECT_TRUE(ring.Queue(&byte, 1));
  EXPECT_TRUE(ring.Queue(&byte, 1));
  EXPECT_FALSE(ring.Queue(&byte, 1));
}

TEST(TxRingTest, RejectsFramesLargerThanASlot) {
  std::vector<uint8_t> memory(kFrameSize * kFrames, 0);
  TxRing ring(memory.data(), kFrameSize, kFrames);
  std::vector<uint8_t> big(ring.max_frame_bytes() + 1, 0);
  EXPECT_FALSE(ring.Queue(big.data(), big.size()));
  big.pop_back();
  EXPECT_TRUE(ring.Queue(big.data(), big.size()));
}

}  // namespace
}  // namespace reflector::platform::afpacket
