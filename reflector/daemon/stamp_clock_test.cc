#include "reflector/daemon/stamp_clock.h"

#include <cmath>

#include "gtest/gtest.h"
#include "reflector/packet/stamp.h"

namespace reflector::daemon {
namespace {

// The error an estimate stands for, in microseconds: Multiplier * 2^(Scale - 32) s.
double EstimateMicros(uint16_t estimate) {
  const int scale = (estimate >> 8) & 0x3f;
  const int multiplier = estimate & 0xff;
  return multiplier * std::ldexp(1.0, scale - 32) * 1e6;
}

TEST(StampClockTest, ErrorEstimateCoversTheErrorWithinOneStep) {
  for (uint64_t us : {1ull, 7ull, 250ull, 1000ull, 123456ull, 16000000ull}) {
    const uint16_t estimate = ErrorEstimate(us, true);
    EXPECT_EQ(estimate & RF_STAMP_S, RF_STAMP_S);
    EXPECT_EQ(estimate & RF_STAMP_Z, 0);
    EXPECT_NE(estimate & 0xff, 0) << us;
    const double covered = EstimateMicros(estimate);
    EXPECT_GE(covered, static_cast<double>(us)) << us;
    EXPECT_LE(covered, static_cast<double>(us) * 1.01 + 0.01) << us;
  }
}

TEST(StampClockTest, UnsynchronisedClearsS) {
  EXPECT_EQ(ErrorEstimate(16000000, false) & RF_STAMP_S, 0);
}

TEST(StampClockTest, ShiftsFollowTheKernelTaiOffset) {
  const rf_stamp_clock set = StampClock(37, true, 100);
  EXPECT_EQ(set.ntp_shift, 2208988800 - 37);
  EXPECT_EQ(set.ptp_shift, 0);
  const rf_stamp_clock unset = StampClock(0, false, 100);
  EXPECT_EQ(unset.ntp_shift, 2208988800);
  EXPECT_EQ(unset.ptp_shift, kAssumedTaiOffset);
}

TEST(StampClockTest, ReadsTheKernelClock) {
  const rf_stamp_clock clock = ReadStampClock();
  EXPECT_GE(clock.ntp_shift, 2208988800 - 100);
  EXPECT_NE(clock.error_estimate & 0xff, 0);
}

}  // namespace
}  // namespace reflector::daemon
