#include "platform/afpacket/rx_ring.h"

#include <cstring>
#include <vector>

#include "gtest/gtest.h"

namespace reflector::platform::afpacket {
namespace {

constexpr uint32_t kBlockSize = 1 << 16;
constexpr uint32_t kBlocks = 4;
constexpr uint32_t kFrameStride = 128;

// Plays the kernel: lays frames into a block and hands it to userspace. Each frame's tp_len
// carries a serial number so the test can tell frames apart.
class FakeKernelRing {
 public:
  FakeKernelRing() : memory_(kBlockSize * kBlocks, 0), ring_(memory_.data(), kBlockSize, kBlocks) {}

  void Fill(uint32_t block, uint32_t frames, uint32_t status = TP_STATUS_USER) {
    auto* desc = Desc(block);
    desc->version = TPACKET_V3;
    desc->hdr.bh1.offset_to_first_pkt = 64;
    desc->hdr.bh1.num_pkts = frames;
    uint8_t* at = reinterpret_cast<uint8_t*>(desc) + 64;
    for (uint32_t i = 0; i < frames; ++i) {
      auto* frame = reinterpret_cast<tpacket3_hdr*>(at);
      frame->tp_len = next_serial_++;
      frame->tp_next_offset = i + 1 < frames ? kFrameStride : 0;
      at += kFrameStride;
    }
    desc->hdr.bh1.block_status = status;
  }
  bool OwnedByKernel(uint32_t block) { return Desc(block)->hdr.bh1.block_status == TP_STATUS_KERNEL; }

  // Reads up to `max` frames: (serial, block) pairs.
  std::vector<std::pair<uint32_t, uint32_t>> Read(size_t max) {
    std::vector<std::pair<uint32_t, uint32_t>> got;
    tpacket3_hdr* frame;
    uint32_t block;
    while (got.size() < max && ring_.Next(&frame, &block)) got.emplace_back(frame->tp_len, block);
    return got;
  }
  void ReturnAll(const std::vector<std::pair<uint32_t, uint32_t>>& frames) {
    for (const auto& f : frames) ring_.Return(f.second);
  }

  RxRing& ring() { return ring_; }

 private:
  tpacket_block_desc* Desc(uint32_t block) {
    return reinterpret_cast<tpacket_block_desc*>(memory_.data() + block * kBlockSize);
  }

  std::vector<uint8_t> memory_;
  RxRing ring_;
  uint32_t next_serial_ = 0;
};

TEST(RxRingTest, ReadsABlockLargerThanABatchOnceInOrder) {
  FakeKernelRing k;
  k.Fill(0, 150);
  std::vector<uint32_t> serials;
  for (int batch = 0; batch < 4; ++batch) {
    const auto got = k.Read(64);
    for (const auto& f : got) serials.push_back(f.first);
    // Handing frames back before the block is read out must not return the block.
    k.ReturnAll(got);
    if (serials.size() < 150) {
      EXPECT_FALSE(k.OwnedByKernel(0)) << serials.size();
    }
  }
  ASSERT_EQ(serials.size(), 150u);
  for (uint32_t i = 0; i < 150; ++i) EXPECT_EQ(serials[i], i);
  EXPECT_TRUE(k.OwnedByKernel(0));
  EXPECT_EQ(k.ring().blocks_held(), 0u);
}

TEST(RxRingTest, BlockReturnsOnlyWhenEveryFrameIsBack) {
  FakeKernelRing k;
  k.Fill(0, 3);
  k.Fill(1, 2);
  const auto got = k.Read(64);
  ASSERT_EQ(got.size(), 5u);
  // Block 1's frames come back first: it is returned, block 0 is not.
  k.ring().Return(1);
  k.ring().Return(1);
  EXPECT_TRUE(k.OwnedByKernel(1));
  k.ring().Return(0);
  k.ring().Return(0);
  EXPECT_FALSE(k.OwnedByKernel(0));
  k.ring().Return(0);
  EXPECT_TRUE(k.OwnedByKernel(0));
}

TEST(RxRingTest, DoesNotRereadAHeldBlockAfterWrapping) {
  FakeKernelRing k;
  for (uint32_t b = 0; b < kBlocks; ++b) k.Fill(b, 1);
  const auto lap = k.Read(64);
  ASSERT_EQ(lap.size(), kBlocks);
  // Every block is still ours and still says TP_STATUS_USER: nothing new to read.
  EXPECT_TRUE(k.Read(64).empty());
  k.ring().Return(0);
  EXPECT_TRUE(k.OwnedByKernel(0));
  EXPECT_TRUE(k.Read(64).empty()) << "block 0 is the kernel's until it is filled again";
  k.Fill(0, 2);
  const auto second = k.Read(64);
  ASSERT_EQ(second.size(), 2u);
  EXPECT_EQ(second[0].first, kBlocks);
  EXPECT_EQ(second[1].first, kBlocks + 1);
}

TEST(RxRingTest, WaitsForTheKernelAndReportsLoss) {
  FakeKernelRing k;
  EXPECT_TRUE(k.Read(64).empty());
  k.Fill(0, 1, TP_STATUS_USER | TP_STATUS_LOSING);
  EXPECT_FALSE(k.ring().TakeLossHint());
  EXPECT_EQ(k.Read(64).size(), 1u);
  EXPECT_TRUE(k.ring().TakeLossHint());
  EXPECT_FALSE(k.ring().TakeLossHint());
}

TEST(RxRingTest, CountsReturnsOfFramesNeverHandedOut) {
  FakeKernelRing k;
  k.Fill(0, 1);
  const auto got = k.Read(64);
  k.ReturnAll(got);
  k.ReturnAll(got);
  k.ring().Return(kBlocks + 7);
  EXPECT_EQ(k.ring().bad_returns(), 2u);
  EXPECT_EQ(k.ring().blocks_held(), 0u);
}

}  // namespace
}  // namespace reflector::platform::afpacket
