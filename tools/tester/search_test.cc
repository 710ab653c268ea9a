#include "tools/tester/search.h"

#include <algorithm>
#include <vector>

#include "gtest/gtest.h"

namespace reflector::tester {
namespace {

// A device that loses everything above `capacity` frames per second.
TrialFunction Device(double capacity, std::vector<double>* probes) {
  return [capacity, probes](double rate) -> absl::StatusOr<TrialResult> {
    probes->push_back(rate);
    TrialResult r;
    r.requested_fps = r.tx_fps = rate;
    r.summary.sent = 1000;
    r.summary.lost = rate > capacity ? static_cast<uint64_t>(1000 * (1 - capacity / rate)) : 0;
    r.summary.loss_percent = r.summary.lost / 10.0;
    return r;
  };
}

TEST(SearchTest, PassingAtTheMaximumEndsAtOnce) {
  std::vector<double> probes;
  const absl::StatusOr<SearchOutcome> out =
      SearchThroughput({.max_fps = 1000}, Device(5000, &probes));
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(probes, std::vector<double>{1000});
  EXPECT_EQ(out->throughput_fps, 1000);
  EXPECT_EQ(out->best_step, 0);
  EXPECT_EQ(out->bound, SearchBound::kTop);
}

TEST(SearchTest, TheThroughputNeverExceedsTheRateSent) {
  // A tester that sends 1.5% short of every rate (within the slack, so every trial is judged
  // pass or fail, not tester-bound) against a device that takes everything.
  std::vector<double> probes;
  const absl::StatusOr<SearchOutcome> out = SearchThroughput(
      {.max_fps = 1000}, [&](double rate) -> absl::StatusOr<TrialResult> {
        probes.push_back(rate);
        TrialResult r;
        r.requested_fps = rate;
        r.tx_fps = 0.985 * rate;
        r.summary.sent = 1000;
        return r;
      });
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(probes, std::vector<double>{1000});
  EXPECT_TRUE(out->steps[0].pass());
  EXPECT_EQ(out->steps[0].judgement.judged_fps, 985);
  EXPECT_EQ(out->throughput_fps, 985);  // not the 1000 asked for
  EXPECT_EQ(out->bound, SearchBound::kTop);
}

TEST(SearchTest, EveryJudgedRateIsAtMostTheRateSent) {
  // Sent rates around the requested one, with and without loss, at a device of 600 fps.
  std::vector<double> probes;
  int calls = 0;
  const absl::StatusOr<SearchOutcome> out = SearchThroughput(
      {.max_fps = 1000, .resolution = 0.001, .max_trials = 16},
      [&](double rate) -> absl::StatusOr<TrialResult> {
        probes.push_back(rate);
        TrialResult r;
        r.requested_fps = rate;
        r.tx_fps = rate * (++calls % 2 == 0 ? 1.001 : 0.99);
        r.summary.sent = 1000;
        r.summary.lost = r.tx_fps > 600 ? 5 : 0;
        r.summary.loss_percent = 0.5 * (r.summary.lost != 0);
        return r;
      });
  ASSERT_TRUE(out.ok());
  for (const SearchStep& step : out->steps) {
    EXPECT_LE(step.judgement.judged_fps, step.result.tx_fps) << step.rate_fps;
    EXPECT_LE(step.judgement.judged_fps, step.rate_fps) << step.rate_fps;
  }
  ASSERT_GE(out->best_step, 0);
  EXPECT_LE(out->throughput_fps, out->steps[static_cast<size_t>(out->best_step)].result.tx_fps);
  EXPECT_LE(out->throughput_fps, 600);
  EXPECT_GT(out->throughput_fps, 590);
}

TEST(SearchTest, BisectsToTheCapacity) {
  std::vector<double> probes;
  const absl::StatusOr<SearchOutcome> out = SearchThroughput(
      {.max_fps = 1000, .resolution = 0.01, .max_trials = 20}, Device(300, &probes));
  ASSERT_TRUE(out.ok());
  ASSERT_GE(probes.size(), 3u);
  EXPECT_EQ(probes[0], 1000);
  EXPECT_EQ(probes[1], 500);
  EXPECT_EQ(probes[2], 250);
  EXPECT_LE(out->throughput_fps, 300);
  EXPECT_GT(out->throughput_fps, 290);
  EXPECT_TRUE(out->steps[out->best_step].pass());
  EXPECT_EQ(out->steps.size(), probes.size());
}

TEST(SearchTest, EachStepIsHandedOverAsItEnds) {
  std::vector<double> probes;
  std::vector<double> handed;
  SearchOptions options = {.max_fps = 1000, .resolution = 0.01, .max_trials = 5};
  options.on_step = [&](const SearchStep& step) {
    EXPECT_EQ(step.rate_fps, probes.back());  // before the next trial starts
    handed.push_back(step.rate_fps);
  };
  const absl::StatusOr<SearchOutcome> out = SearchThroughput(options, Device(300, &probes));
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(handed, probes);
}

TEST(SearchTest, TrialBudgetBoundsTheSearch) {
  std::vector<double> probes;
  const absl::StatusOr<SearchOutcome> out = SearchThroughput(
      {.max_fps = 1000, .resolution = 0.0001, .max_trials = 4}, Device(300, &probes));
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(probes.size(), 4u);  // 1000, 500, 250, 375
  EXPECT_EQ(out->throughput_fps, 250);
}

TEST(SearchTest, LossThresholdAcceptsSomeLoss) {
  std::vector<double> probes;
  // At 1000 fps a 900-fps device loses 10%.
  const absl::StatusOr<SearchOutcome> out = SearchThroughput(
      {.max_fps = 1000, .loss_threshold_percent = 10.0}, Device(900, &probes));
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->throughput_fps, 1000);
}

TEST(SearchTest, NothingPassesGivesZero) {
  std::vector<double> probes;
  const absl::StatusOr<SearchOutcome> out =
      SearchThroughput({.max_fps = 1000, .max_trials = 5}, Device(0, &probes));
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->throughput_fps, 0);
  EXPECT_EQ(out->best_step, -1);
}

TEST(SearchTest, TrialErrorsEndTheSearch) {
  const absl::StatusOr<SearchOutcome> out = SearchThroughput(
      {.max_fps = 1000},
      [](double) -> absl::StatusOr<TrialResult> { return absl::UnavailableError("link down"); });
  EXPECT_EQ(out.status().code(), absl::StatusCode::kUnavailable);
}

TEST(SearchTest, NothingSentNeverPasses) {
  TrialResult r;
  EXPECT_FALSE(TrialPasses(r, 0));
  r.summary.sent = 10;
  EXPECT_TRUE(TrialPasses(r, 0));
  r.summary.lost = 1;
  r.summary.loss_percent = 10;
  EXPECT_FALSE(TrialPasses(r, 5));
  EXPECT_TRUE(TrialPasses(r, 10));
}

TEST(SearchTest, ATrialThatCouldNotOfferItsRateFails) {
  TrialResult r;
  r.summary.sent = 1000;
  r.requested_fps = 1e6;
  r.tx_fps = 0.5e6;  // the sender fell behind: no loss, but not at the rate asked for
  EXPECT_TRUE(OfferedShort(r));
  EXPECT_FALSE(TrialPasses(r, 0));
  r.tx_fps = 0.99e6;
  EXPECT_FALSE(OfferedShort(r));
  EXPECT_TRUE(TrialPasses(r, 0));
  EXPECT_EQ(JudgeTrial(r, 0).judged_fps, 0.99e6);  // passes at the rate it sent
  r.tx_fps = 1.001e6;
  EXPECT_EQ(JudgeTrial(r, 0).judged_fps, 1e6);  // never above the rate asked for
}

// A tester that cannot send more than `ceiling` fps, against a device that loses everything
// above `capacity`: each trial reports what it asked for, what it sent, and the loss at that.
TrialFunction CappedTester(double ceiling, double capacity, std::vector<double>* probes) {
  return [=](double rate) -> absl::StatusOr<TrialResult> {
    probes->push_back(rate);
    TrialResult r;
    r.requested_fps = rate;
    r.tx_fps = std::min(rate, ceiling);
    r.summary.sent = 1000;
    r.summary.lost =
        r.tx_fps > capacity ? static_cast<uint64_t>(1000 * (1 - capacity / r.tx_fps)) : 0;
    r.summary.loss_percent = r.summary.lost / 10.0;
    return r;
  };
}

TEST(SearchTest, ALosslessTrialBelowItsRateIsTesterBoundAndTheCeilingEndsTheSearch) {
  std::vector<double> probes;
  // The tester tops out at 800; the device would take 900.
  const absl::StatusOr<SearchOutcome> out = SearchThroughput(
      {.max_fps = 1000, .resolution = 0.01, .max_trials = 10}, CappedTester(800, 900, &probes));
  ASSERT_TRUE(out.ok());
  // 1000 sends 800 without loss; 900 sends 800 again: no higher, the tester's ceiling.
  EXPECT_EQ(probes, (std::vector<double>{1000, 900}));
  ASSERT_EQ(out->steps.size(), 2u);
  EXPECT_EQ(out->steps[0].judgement.verdict, Verdict::kTesterBound);
  EXPECT_TRUE(out->steps[0].judgement.loss_ok);
  EXPECT_FALSE(out->steps[0].pass());
  EXPECT_EQ(out->throughput_fps, 800);  // zero loss at the rate actually sent
  EXPECT_EQ(out->bound, SearchBound::kTester);
}

TEST(SearchTest, LossBelowTheRequestedRateFailsAtTheRateSent) {
  std::vector<double> probes;
  // The tester tops out at 800, the device at 300: the first trial loses frames at 800 fps,
  // so the next probe is below 800, not below 1000.
  const absl::StatusOr<SearchOutcome> out = SearchThroughput(
      {.max_fps = 1000, .resolution = 0.01, .max_trials = 20}, CappedTester(800, 300, &probes));
  ASSERT_TRUE(out.ok());
  ASSERT_GE(probes.size(), 2u);
  EXPECT_EQ(out->steps[0].judgement.verdict, Verdict::kTesterBound);
  EXPECT_FALSE(out->steps[0].judgement.loss_ok);
  EXPECT_EQ(out->steps[0].judgement.judged_fps, 800);
  EXPECT_EQ(probes[1], 400);
  EXPECT_LE(out->throughput_fps, 300);
  EXPECT_GT(out->throughput_fps, 290);
  EXPECT_EQ(out->bound, SearchBound::kLoss);
}

TEST(SearchTest, AMomentaryShortfallDoesNotEndTheSearch) {
  // The first trial at 500 falls short (480 sent, a stall) without loss; the tester can do
  // more, so the search goes on above 480 and finds the device's 900.
  std::vector<double> probes;
  int calls = 0;
  const absl::StatusOr<SearchOutcome> out = SearchThroughput(
      {.max_fps = 1000, .resolution = 0.01, .max_trials = 12},
      [&](double rate) -> absl::StatusOr<TrialResult> {
        probes.push_back(rate);
        TrialResult r;
        r.requested_fps = rate;
        r.tx_fps = ++calls == 2 ? 0.96 * rate : rate;
        r.summary.sent = 1000;
        r.summary.lost = r.tx_fps > 900 ? 10 : 0;
        r.summary.loss_percent = r.summary.lost / 10.0;
        return r;
      });
  ASSERT_TRUE(out.ok());
  ASSERT_GE(probes.size(), 3u);
  EXPECT_EQ(out->steps[1].judgement.verdict, Verdict::kTesterBound);
  EXPECT_EQ(probes[2], (480 + 1000) / 2.0);
  EXPECT_GT(out->throughput_fps, 890);
  EXPECT_LE(out->throughput_fps, 900);
  EXPECT_EQ(out->bound, SearchBound::kLoss);
}

TEST(SearchTest, BoundsNameWhatEndedTheSearch) {
  std::vector<double> probes;
  const absl::StatusOr<SearchOutcome> passed =
      SearchThroughput({.max_fps = 1000}, Device(5000, &probes));
  ASSERT_TRUE(passed.ok());
  EXPECT_EQ(passed->bound, SearchBound::kTop);
  const absl::StatusOr<SearchOutcome> lossy =
      SearchThroughput({.max_fps = 1000, .max_trials = 5}, Device(300, &probes));
  ASSERT_TRUE(lossy.ok());
  EXPECT_EQ(lossy->bound, SearchBound::kLoss);
  EXPECT_STREQ(SearchBoundName(SearchBound::kTester), "tester");
  EXPECT_STREQ(SearchBoundName(SearchBound::kTop), "top");
  EXPECT_STREQ(VerdictName(Verdict::kTesterBound), "tester-bound");
}

TEST(SearchTest, AnInterruptedTrialEndsTheSearchUnjudged) {
  std::vector<double> probes;
  const absl::StatusOr<SearchOutcome> out = SearchThroughput(
      {.max_fps = 1000, .resolution = 0.01, .max_trials = 12},
      [&](double rate) -> absl::StatusOr<TrialResult> {
        probes.push_back(rate);
        TrialResult r;
        r.requested_fps = r.tx_fps = rate;
        r.summary.sent = 1000;
        r.summary.lost = rate > 300 ? 100 : 0;
        r.summary.loss_percent = r.summary.lost / 10.0;
        r.interrupted = probes.size() == 3;  // Ctrl-C during the third trial
        return r;
      });
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(out->interrupted);
  EXPECT_EQ(probes, (std::vector<double>{1000, 500, 250}));
  EXPECT_EQ(out->steps.size(), 2u);  // the interrupted trial at 250 is not judged
  EXPECT_EQ(out->throughput_fps, 0);
}

}  // namespace
}  // namespace reflector::tester
