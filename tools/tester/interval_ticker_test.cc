#include "tools/tester/interval_ticker.h"

#include <atomic>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"

namespace reflector::tester {
namespace {

// Counts that grow on every read, as a sender and a receiver would.
struct FakeCounts {
  std::atomic<uint64_t> reads{0};
  RunningCounts Read() {
    const uint64_t n = ++reads;
    return {10 * n, 9 * n};
  }
};

TEST(IntervalTickerTest, SamplesCoverTheRunWithoutGapsAndAddUp) {
  FakeCounts counts;
  absl::Mutex mutex;
  std::vector<IntervalSample> samples;
  absl::Notification three;
  IntervalTicker ticker(
      1000000, [&] { return counts.Read(); },
      [&](const IntervalSample& sample) {
        absl::MutexLock lock(&mutex);
        samples.push_back(sample);
        if (samples.size() == 3) three.Notify();
      });
  ticker.Start();
  three.WaitForNotification();
  ticker.Stop();
  ticker.Stop();  // idempotent

  absl::MutexLock lock(&mutex);
  ASSERT_GE(samples.size(), 4u);  // three whole intervals and the part before Stop
  EXPECT_EQ(samples.front().start_s, 0);
  uint64_t sent = 0;
  uint64_t received = 0;
  for (size_t i = 0; i < samples.size(); ++i) {
    if (i > 0) {
      EXPECT_EQ(samples[i].start_s, samples[i - 1].end_s) << i;
    }
    EXPECT_GT(samples[i].end_s, samples[i].start_s) << i;
    sent += samples[i].sent;
    received += samples[i].received;
  }
  // Whole intervals end on the interval's multiples.
  EXPECT_DOUBLE_EQ(samples[0].end_s, 0.001);
  EXPECT_DOUBLE_EQ(samples[2].end_s, 0.003);
  // The first read (at Start) is the base; the last one (at Stop) is what was reported last.
  const uint64_t reads = counts.reads.load();
  EXPECT_EQ(sent, 10 * (reads - 1));
  EXPECT_EQ(received, 9 * (reads - 1));
}

TEST(IntervalTickerTest, CountsThatGoBackAreNotNegative) {
  std::atomic<int> reads{0};
  std::vector<IntervalSample> samples;
  IntervalTicker ticker(
      3600000000000,  // an hour: only Stop reports
      [&]() -> RunningCounts {
        return ++reads == 1 ? RunningCounts{100, 100} : RunningCounts{50, 120};
      },
      [&](const IntervalSample& sample) { samples.push_back(sample); });
  ticker.Start();
  ticker.Stop();
  ASSERT_EQ(samples.size(), 1u);
  EXPECT_EQ(samples[0].sent, 0u);
  EXPECT_EQ(samples[0].received, 20u);
}

TEST(IntervalTickerTest, NoLineForAnEmptyTailBeforeStop) {
  std::vector<IntervalSample> samples;
  IntervalTicker ticker(
      3600000000000, [] { return RunningCounts{7, 7}; },
      [&](const IntervalSample& sample) { samples.push_back(sample); });
  ticker.Start();
  ticker.Stop();
  EXPECT_TRUE(samples.empty());
}

}  // namespace
}  // namespace reflector::tester
