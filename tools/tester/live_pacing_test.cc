#include "tools/tester/live_pacing.h"

#include <cstdint>

#include "gtest/gtest.h"
#include "tools/tester/live_pace.h"

namespace reflector::tester {
namespace {

// Runs the program's pacer over a loop that looks at a frame every `step_ns` from `from_ns` to
// `to_ns` (as a test run does between batches) and returns the frames released.
uint64_t Loop(ito_tester_tx_pacer& pacer, uint64_t from_ns, uint64_t to_ns, uint64_t step_ns) {
  uint64_t released = 0;
  for (uint64_t now = from_ns; now < to_ns; now += step_ns) {
    released += static_cast<uint64_t>(ito_tester_tx_pace(&pacer, now));
  }
  return released;
}

TEST(FramesForTest, RateTimesDurationWithoutAnExtraFrame) {
  EXPECT_EQ(FramesFor(1e6, 1000000000), 1000000u);  // not 1000001: no lone frame at t = 1 s
  EXPECT_EQ(FramesFor(2.5e6, 2000000000), 5000000u);
  EXPECT_EQ(FramesFor(3, 500000000), 2u);  // 1.5 rounds to 2
  EXPECT_EQ(FramesFor(1, 1000), 1u);       // at least one
}

TEST(MakePacerTest, IntervalInPicoseconds) {
  const PacingLimits limits;
  const ito_tester_tx_pacer p = MakePacer(3e6, 100, 5000, limits);
  EXPECT_EQ(p.interval_ps, 333333u);
  EXPECT_EQ(p.count, 100u);
  EXPECT_EQ(p.deadline_ns, 5000u);
  EXPECT_EQ(p.max_lag_ps, limits.max_lag_ns * 1000);
  EXPECT_EQ(p.released, 0u);
  EXPECT_EQ(MakePacer(0, 7, 0, limits).interval_ps, 0u);  // unpaced
  EXPECT_EQ(MakePacer(1e13, 7, 0, limits).count, 0u);     // not expressible
}

TEST(RateOverSpanTest, FramesPerSecondOfSpan) {
  EXPECT_DOUBLE_EQ(RateOverSpan(1000, 1000000), 1e6);
  EXPECT_DOUBLE_EQ(RateOverSpan(3, 2000000000), 1.5);
  EXPECT_EQ(RateOverSpan(10, 0), 0);
}

TEST(RateOverSpanTest, ATrailingStallIsNotSendingTime) {
  // The old engine divided by the wall time of its test runs: 1e6 frames over 1 s plus one
  // run's 24 ms stall came out 2.3% short and failed the 2% offer check for that alone. The
  // program's clock reads end with the frames.
  EXPECT_DOUBLE_EQ(RateOverSpan(1000000, 1000000000), 1e6);
  EXPECT_LT(RateOverSpan(1000000, 1000000000 + 24000000), 0.98e6);
}

TEST(PaceTest, ReleasesFramesAtTheRate) {
  // 1 Mfps, looked at every 50 ns (a loop far faster than the rate): one frame per us.
  ito_tester_tx_pacer p = MakePacer(1e6, 1000000, 0, PacingLimits{});
  EXPECT_EQ(Loop(p, 1000, 1000 + 10000000, 50), 10000u);  // 10 ms
  EXPECT_EQ(p.slips, 0u);
}

TEST(PaceTest, NeverMoreThanOneFrameEarly) {
  ito_tester_tx_pacer p = MakePacer(1e6, 100, 0, PacingLimits{});
  EXPECT_EQ(ito_tester_tx_pace(&p, 5000), 1);  // frame 0 starts the clock
  EXPECT_EQ(ito_tester_tx_pace(&p, 5999), 0);  // frame 1 is due at 6000
  EXPECT_EQ(ito_tester_tx_pace(&p, 6000), 1);
  EXPECT_EQ(ito_tester_tx_pace(&p, 6001), 0);
  EXPECT_EQ(p.released, 2u);
}

TEST(PaceTest, StopsAtTheCountAndTheDeadline) {
  ito_tester_tx_pacer p = MakePacer(1e6, 5, 0, PacingLimits{});
  EXPECT_EQ(Loop(p, 1, 1000000, 100), 5u);
  ito_tester_tx_pacer q = MakePacer(1e6, 1000, 3000, PacingLimits{});
  EXPECT_EQ(Loop(q, 1000, 10000, 100), 3u);  // due at 1000, 2000, 3000; nothing after 3000
  ito_tester_tx_pacer unpaced = MakePacer(0, 4, 0, PacingLimits{});
  EXPECT_EQ(Loop(unpaced, 0, 100, 1), 4u);
}

TEST(PaceTest, SmallLatenessIsCaughtUp) {
  // A batch's processing delays the loop by 100 us (under the 200 us allowed): the frames due
  // meanwhile go out at once and the rate over the whole run stays exact.
  ito_tester_tx_pacer p = MakePacer(1e6, 1000000, 0, PacingLimits{.max_lag_ns = 200000});
  EXPECT_EQ(Loop(p, 1000, 1000 + 1000000, 50), 1000u);
  EXPECT_EQ(Loop(p, 1000 + 1100000, 1000 + 2000000, 50), 1000u);
  EXPECT_EQ(p.slips, 0u);
}

TEST(PaceTest, AStallMovesTheScheduleInsteadOfBursting) {
  // The loop does not run for 24 ms. Afterwards, only the 200 us of allowed lag are caught
  // up, not 24,000 frames: the stall shows as a lower rate, not as a burst.
  ito_tester_tx_pacer p = MakePacer(1e6, 1000000, 0, PacingLimits{.max_lag_ns = 200000});
  EXPECT_EQ(Loop(p, 0, 1000000, 50), 1000u);
  const uint64_t after_stall = Loop(p, 25000000, 26000000, 50);
  EXPECT_LE(after_stall, 1000u + 201u);
  EXPECT_GE(after_stall, 1000u);
  EXPECT_EQ(p.slips, 1u);
  EXPECT_NEAR(static_cast<double>(p.slipped_ns), 24000000 - 200000, 1000);
}

TEST(PaceTest, ASlowLoopSendsWhatItCan) {
  // Asked for 10 Mfps by a loop that looks at a frame every 250 ns: 4 Mfps leave, the pacer
  // keeps moving on, and the rate measured shows the shortfall (tester-bound).
  ito_tester_tx_pacer p = MakePacer(1e7, 100000000, 0, PacingLimits{.max_lag_ns = 200000});
  EXPECT_EQ(Loop(p, 0, 10000000, 250), 40000u);
  EXPECT_GT(p.slips, 0u);
}

}  // namespace
}  // namespace reflector::tester
