#include "reflector/packet/dwell.h"

#include <array>
#include <cstdint>
#include <limits>

#include "gtest/gtest.h"

namespace {

constexpr std::array<uint64_t, RF_DWELL_BOUNDS> kBounds = {RF_DWELL_BOUNDS_NS};

// The compare chain agrees with the bounds the histograms are exported with: a bound is in its
// own bucket (inclusive), one more nanosecond in the next, and the bounds only grow.
TEST(DwellTest, BucketsFollowTheBounds) {
  EXPECT_EQ(rf_dwell_bucket(0), 0u);
  for (uint32_t i = 0; i < RF_DWELL_BOUNDS; ++i) {
    SCOPED_TRACE(kBounds[i]);
    EXPECT_EQ(rf_dwell_bucket(kBounds[i]), i);
    EXPECT_EQ(rf_dwell_bucket(kBounds[i] + 1), i + 1);
    if (i > 0) {
      EXPECT_LT(kBounds[i - 1], kBounds[i]);
      EXPECT_EQ(rf_dwell_bucket(kBounds[i - 1] + (kBounds[i] - kBounds[i - 1]) / 2), i);
    }
  }
  EXPECT_EQ(rf_dwell_bucket(std::numeric_limits<uint64_t>::max()), RF_DWELL_BUCKETS - 1u);
  EXPECT_LE(RF_DWELL_BUCKETS, RF_DWELL_SLOTS);
}

}  // namespace
