#include "tools/tester/stream_stats.h"

#include <vector>

#include "gtest/gtest.h"

namespace reflector::tester {
namespace {

TEST(StreamStatsTest, AllBackInOrderIsNoLoss) {
  StreamStats stats(10, 10);
  for (uint32_t seq = 0; seq < 10; ++seq) stats.Record(seq, 1000);
  const StreamSummary s = stats.Summarize(10);
  EXPECT_EQ(s.sent, 10u);
  EXPECT_EQ(s.received, 10u);
  EXPECT_EQ(s.lost, 0u);
  EXPECT_EQ(s.loss_percent, 0.0);
  EXPECT_EQ(s.duplicates, 0u);
  EXPECT_EQ(s.out_of_order, 0u);
  ASSERT_TRUE(s.rtt.has_value());
  EXPECT_DOUBLE_EQ(s.rtt->min_us, 1.0);
  EXPECT_DOUBLE_EQ(s.rtt->max_us, 1.0);
  EXPECT_DOUBLE_EQ(s.rtt->jitter_us, 0.0);
}

TEST(StreamStatsTest, CountsLossDuplicatesAndReorder) {
  StreamStats stats(10, 10);
  // 0 1 3 2 2 5 9 : 4, 6, 7, 8 lost; 2 arrives after 3 (reordered), then again (duplicate).
  for (const uint32_t seq : {0u, 1u, 3u, 2u, 2u, 5u, 9u}) stats.Record(seq, 500);
  const StreamSummary s = stats.Summarize(10);
  EXPECT_EQ(s.received, 7u);
  EXPECT_EQ(s.unique, 6u);
  EXPECT_EQ(s.lost, 4u);
  EXPECT_DOUBLE_EQ(s.loss_percent, 40.0);
  EXPECT_EQ(s.duplicates, 1u);
  EXPECT_EQ(s.out_of_order, 1u);
}

TEST(StreamStatsTest, SequenceNeverSentIsUnknownNotReceived) {
  StreamStats stats(4, 4);
  stats.Record(7, 100);
  const StreamSummary s = stats.Summarize(4);
  EXPECT_EQ(s.unknown, 1u);
  EXPECT_EQ(s.unique, 0u);
  EXPECT_EQ(s.lost, 4u);
  EXPECT_FALSE(s.rtt.has_value());
}

TEST(StreamStatsTest, NothingSentIsNoLoss) {
  StreamStats stats(0, 0);
  const StreamSummary s = stats.Summarize(0);
  EXPECT_EQ(s.lost, 0u);
  EXPECT_EQ(s.loss_percent, 0.0);
}

TEST(StreamStatsTest, PercentilesAreNearestRank) {
  // 1..1000 us in reverse order: p50 = 500, p90 = 900, p99 = 990, p99.9 = 999.
  StreamStats stats(1000, 1000);
  for (uint32_t i = 0; i < 1000; ++i) stats.Record(i, (1000 - i) * 1000);
  const StreamSummary s = stats.Summarize(1000);
  ASSERT_TRUE(s.rtt.has_value());
  EXPECT_DOUBLE_EQ(s.rtt->min_us, 1);
  EXPECT_DOUBLE_EQ(s.rtt->p50_us, 500);
  EXPECT_DOUBLE_EQ(s.rtt->p90_us, 900);
  EXPECT_DOUBLE_EQ(s.rtt->p99_us, 990);
  EXPECT_DOUBLE_EQ(s.rtt->p999_us, 999);
  EXPECT_DOUBLE_EQ(s.rtt->max_us, 1000);
  EXPECT_DOUBLE_EQ(s.rtt->mean_us, 500.5);
  EXPECT_EQ(s.rtt->samples, 1000u);
}

TEST(StreamStatsTest, NearestRankOfSmallSets) {
  EXPECT_EQ(NearestRank({7}, 50), 7u);
  EXPECT_EQ(NearestRank({7}, 99.9), 7u);
  EXPECT_EQ(NearestRank({1, 2}, 50), 1u);
  EXPECT_EQ(NearestRank({1, 2}, 51), 2u);
  EXPECT_EQ(NearestRank({1, 2, 3, 4}, 0), 1u);
  EXPECT_EQ(NearestRank({1, 2, 3, 4}, 100), 4u);
}

TEST(StreamStatsTest, JitterFollowsRfc3550) {
  // Transit alternates 100 / 300 ns: |D| = 200 each time, J_n = J_{n-1} + (200 - J_{n-1}) / 16.
  StreamStats stats(3, 3);
  stats.Record(0, 100);
  stats.Record(1, 300);
  stats.Record(2, 100);
  const double j1 = 200.0 / 16;
  const double j2 = j1 + (200 - j1) / 16;
  const StreamSummary s = stats.Summarize(3);
  ASSERT_TRUE(s.rtt.has_value());
  EXPECT_NEAR(s.rtt->jitter_us, j2 / 1000, 1e-12);
}

TEST(StreamStatsTest, DuplicatesDoNotMoveJitterOrRtt) {
  StreamStats stats(2, 2);
  stats.Record(0, 100);
  stats.Record(0, 900000);
  stats.Record(1, 100);
  const StreamSummary s = stats.Summarize(2);
  EXPECT_EQ(s.duplicates, 1u);
  EXPECT_DOUBLE_EQ(s.rtt->max_us, 0.1);
  EXPECT_DOUBLE_EQ(s.rtt->jitter_us, 0.0);
}

TEST(StreamStatsTest, RttCapKeepsExtremesExact) {
  // Only 2 samples kept for percentiles, but min, max and mean see every frame.
  StreamStats stats(4, 2);
  const uint32_t rtts[] = {4000, 1000, 3000, 2000};
  for (uint32_t seq = 0; seq < 4; ++seq) stats.Record(seq, rtts[seq]);
  const StreamSummary s = stats.Summarize(4);
  EXPECT_EQ(s.rtt->samples, 2u);
  EXPECT_DOUBLE_EQ(s.rtt->min_us, 1);
  EXPECT_DOUBLE_EQ(s.rtt->max_us, 4);
  EXPECT_DOUBLE_EQ(s.rtt->mean_us, 2.5);
}

}  // namespace
}  // namespace reflector::tester
