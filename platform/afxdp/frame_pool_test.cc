#include "platform/afxdp/frame_pool.h"

#include <cstdint>
#include <set>

#include "gtest/gtest.h"

namespace reflector::platform::afxdp {
namespace {

constexpr uint32_t kFrames = 8;
constexpr uint32_t kFrameSize = 2048;

uint32_t Total(const FramePool& pool) {
  return pool.count(Place::kFree) + pool.count(Place::kKernelRx) + pool.count(Place::kEngine) +
         pool.count(Place::kKernelTx);
}

TEST(FramePoolTest, StartsWithEveryFrameFreeAndHandsOutDistinctFrames) {
  FramePool pool(kFrames, kFrameSize);
  EXPECT_EQ(pool.count(Place::kFree), kFrames);
  std::set<uint64_t> seen;
  uint64_t addr = 0;
  while (pool.TakeFree(Place::kKernelRx, &addr)) {
    EXPECT_EQ(addr % kFrameSize, 0u);
    EXPECT_LT(addr, uint64_t{kFrames} * kFrameSize);
    EXPECT_TRUE(seen.insert(addr).second) << addr;
  }
  EXPECT_EQ(seen.size(), kFrames);
  EXPECT_EQ(pool.count(Place::kKernelRx), kFrames);
  EXPECT_EQ(pool.count(Place::kFree), 0u);
}

TEST(FramePoolTest, MovesByAnyAddressInsideTheFrame) {
  FramePool pool(kFrames, kFrameSize);
  uint64_t addr = 0;
  ASSERT_TRUE(pool.TakeFree(Place::kKernelRx, &addr));
  // The kernel hands back addresses with the headroom offset added.
  EXPECT_TRUE(pool.Move(addr + 256, Place::kKernelRx, Place::kEngine));
  EXPECT_TRUE(pool.Move(addr + kFrameSize - 1, Place::kEngine, Place::kKernelTx));
  EXPECT_TRUE(pool.Move(addr + 256, Place::kKernelTx, Place::kFree));
  EXPECT_EQ(pool.count(Place::kFree), kFrames);
  // It comes back as its base address.
  uint64_t again = 1;
  ASSERT_TRUE(pool.TakeFree(Place::kKernelRx, &again));
  EXPECT_EQ(again, addr);
}

TEST(FramePoolTest, RefusesAFrameThatIsNotWhereTheCallerSays) {
  FramePool pool(kFrames, kFrameSize);
  uint64_t addr = 0;
  ASSERT_TRUE(pool.TakeFree(Place::kKernelRx, &addr));
  ASSERT_TRUE(pool.Move(addr, Place::kKernelRx, Place::kEngine));
  ASSERT_TRUE(pool.Move(addr, Place::kEngine, Place::kKernelTx));
  // Released while still on the TX ring: refused, so it cannot reach the fill ring twice.
  EXPECT_FALSE(pool.Move(addr, Place::kEngine, Place::kFree));
  EXPECT_EQ(pool.count(Place::kKernelTx), 1u);
  EXPECT_EQ(pool.count(Place::kFree), kFrames - 1);
}

TEST(FramePoolTest, RefusesAddressesOutsideTheUmem) {
  FramePool pool(kFrames, kFrameSize);
  EXPECT_FALSE(pool.Move(uint64_t{kFrames} * kFrameSize, Place::kFree, Place::kEngine));
  EXPECT_FALSE(pool.Move(UINT64_MAX, Place::kFree, Place::kEngine));
  EXPECT_EQ(pool.count(Place::kFree), kFrames);
}

TEST(FramePoolTest, ManyCyclesKeepEveryFrameAccountedFor) {
  FramePool pool(kFrames, kFrameSize);
  uint64_t held[kFrames];
  for (int cycle = 0; cycle < 1000; ++cycle) {
    uint32_t n = 0;
    while (n < kFrames && pool.TakeFree(Place::kKernelRx, &held[n])) ++n;
    for (uint32_t i = 0; i < n; ++i) {
      ASSERT_TRUE(pool.Move(held[i], Place::kKernelRx, Place::kEngine));
      // Alternate the two ways back: sent and completed, or released.
      if ((i + cycle) % 2 == 0) {
        ASSERT_TRUE(pool.Move(held[i], Place::kEngine, Place::kKernelTx));
        ASSERT_TRUE(pool.Move(held[i], Place::kKernelTx, Place::kFree));
      } else {
        ASSERT_TRUE(pool.Move(held[i], Place::kEngine, Place::kFree));
      }
      ASSERT_EQ(Total(pool), kFrames);
    }
  }
  EXPECT_EQ(pool.count(Place::kFree), kFrames);
}

}  // namespace
}  // namespace reflector::platform::afxdp
