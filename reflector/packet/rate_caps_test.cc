// Rate caps (guard.h, guard_stage.h): the settings' syntax, their wire form, and the buckets'
// arithmetic on an injected clock, alone, per source, per rule and from several threads.
#include <cstdint>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "reflector/packet/guard.h"
#include "reflector/packet/guard_stage.h"
#include "reflector/packet/packet.h"
#include "reflector/packet/rate_limit.h"
#include "reflector/packet/testing/frame_builder.h"

namespace reflector::packet {
namespace {

using testing::FrameBuilder;

constexpr uint64_t kUnitsPerNs = uint64_t{1} << RF_RATE_SHIFT;
constexpr uint64_t kSecond = 1'000'000'000 * kUnitsPerNs;

TEST(ParseRateLimit, TakesFramesBitsAndBoth) {
  EXPECT_EQ(*ParseRateLimit("100kfps"), (RateLimit{100'000, 0}));
  EXPECT_EQ(*ParseRateLimit("1.5Mfps"), (RateLimit{1'500'000, 0}));
  EXPECT_EQ(*ParseRateLimit("500Mbit"), (RateLimit{0, 500'000'000}));
  EXPECT_EQ(*ParseRateLimit("500 Mbps"), (RateLimit{0, 500'000'000}));
  EXPECT_EQ(*ParseRateLimit("1Gbit/s"), (RateLimit{0, 1'000'000'000}));
  EXPECT_EQ(*ParseRateLimit("100kfps, 500Mbit"), (RateLimit{100'000, 500'000'000}));
  EXPECT_EQ(*ParseRateLimit("250fps"), (RateLimit{250, 0}));
  for (const char* none : {"", "0", "off", "none", "  "}) {
    EXPECT_FALSE(ParseRateLimit(none)->set()) << none;
  }
}

TEST(ParseRateLimit, RefusesWhatItCannotMeanWithOneLine) {
  for (const char* bad : {"100", "100k", "fps", "-5fps", "0fps", "1e12fps", "10bit", "1Tbit",
                          "5fps,6fps", "1Mbit,2Mbit", "100kfps;1Mbit", "nanfps", "100 kpps"}) {
    const absl::StatusOr<RateLimit> parsed = ParseRateLimit(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.status().message().find('\n'), absl::string_view::npos);
    EXPECT_NE(parsed.status().message().find("invalid rate cap"), absl::string_view::npos);
  }
}

TEST(FormatRateLimit, ReadsBack) {
  EXPECT_EQ(FormatRateLimit({100'000, 0}), "100 kfps");
  EXPECT_EQ(FormatRateLimit({0, 500'000'000}), "500 Mbit/s");
  EXPECT_EQ(FormatRateLimit({1'500'000, 2'000'000'000}), "1.5 Mfps, 2 Gbit/s");
  EXPECT_EQ(FormatRateLimit({1'234'567, 0}), "1234.567 kfps");
  EXPECT_EQ(FormatRateLimit({999, 1'000}), "999 fps, 1 kbit/s");
  EXPECT_EQ(FormatRateLimit({}), "none");
  for (const RateLimit limit : {RateLimit{1'234'567, 0}, RateLimit{1'500'000, 2'000'000'000},
                                RateLimit{7, 99'999'999'999}, RateLimit{1'000'000'001, 0}}) {
    const absl::StatusOr<RateLimit> back = ParseRateLimit(FormatRateLimit(limit));
    if (limit.frames_per_second > kMaxFramesPerSecond) {
      EXPECT_FALSE(back.ok());
      continue;
    }
    ASSERT_TRUE(back.ok()) << FormatRateLimit(limit) << ": " << back.status();
    EXPECT_EQ(*back, limit) << FormatRateLimit(limit);
  }
}

TEST(ToWireCap, CostsAreTheCapsTimePerFrameAndPerByte) {
  const rf_rate_cap frames = ToWireCap({100'000, 0});
  EXPECT_EQ(frames.frame_cost, 10'000 * kUnitsPerNs);  // 10 us a frame
  EXPECT_EQ(frames.byte_cost, 0u);
  const rf_rate_cap bits = ToWireCap({0, 1'000'000'000});
  EXPECT_EQ(bits.byte_cost, 8 * kUnitsPerNs);  // 8 ns a byte at 1 Gbit/s
  EXPECT_EQ(rf_rate_cost(&bits, 125), 1000 * kUnitsPerNs);
  // Both: the larger cost binds.
  const rf_rate_cap both = ToWireCap({1'000'000, 1'000'000'000});
  EXPECT_EQ(rf_rate_cost(&both, 64), 1000 * kUnitsPerNs);  // 1 us a frame beats 512 ns
  EXPECT_EQ(rf_rate_cost(&both, 100), 1000 * kUnitsPerNs);
  EXPECT_EQ(rf_rate_cost(&both, 125), 1000 * kUnitsPerNs);
  EXPECT_EQ(rf_rate_cost(&both, 1500), 12000 * kUnitsPerNs);
}

// Offers `frames` frames evenly over `seconds` to one bucket; returns how many conform.
uint64_t OfferEvenly(__u64* tat, uint64_t start, uint64_t frames, double seconds,
                     uint64_t cost, uint64_t burst) {
  uint64_t taken = 0;
  const double step = seconds * kSecond / frames;
  for (uint64_t i = 0; i < frames; ++i) {
    taken += rf_rate_take(tat, start + static_cast<uint64_t>(i * step), cost, burst);
  }
  return taken;
}

TEST(RateTake, AMillionFramesASecondAgainstAHundredThousandGetsExactlyTheCap) {
  const uint64_t cost = ToWireCap({100'000, 0}).frame_cost;
  __u64 tat = 0;
  // No burst: exactly one frame per 10 us, the first at once.
  EXPECT_EQ(OfferEvenly(&tat, 5 * kSecond, 1'000'000, 1.0, cost, 0), 100'000u);
  // A 10 ms burst allowance adds 10 ms of the cap once: 1,000 frames.
  tat = 0;
  EXPECT_EQ(OfferEvenly(&tat, 5 * kSecond, 1'000'000, 1.0, cost, RateBurstUnits(absl::Milliseconds(10))),
            101'000u);
}

TEST(RateTake, TrafficUnderTheCapPassesWhole) {
  const uint64_t cost = ToWireCap({100'000, 0}).frame_cost;
  __u64 tat = 0;
  EXPECT_EQ(OfferEvenly(&tat, kSecond, 90'000, 1.0, cost, 0), 90'000u);
}

TEST(RateTake, AnIdleBucketDoesNotSaveUpMoreThanTheBurst) {
  const uint64_t cost = ToWireCap({1'000, 0}).frame_cost;  // 1 ms a frame
  const uint64_t burst = RateBurstUnits(absl::Milliseconds(10));
  __u64 tat = 0;
  EXPECT_TRUE(rf_rate_take(&tat, kSecond, cost, burst));
  // An hour later, back to back: the frame now plus the 10 ms of burst, nothing more.
  const uint64_t later = kSecond * 3600;
  int taken = 0;
  for (int i = 0; i < 100; ++i) taken += rf_rate_take(&tat, later, cost, burst);
  EXPECT_EQ(taken, 11);
}

TEST(RateTake, ABitCapCountsBytes) {
  const rf_rate_cap cap = ToWireCap({0, 8'000'000});  // 1 MB/s
  __u64 tat = 0;
  uint64_t taken = 0;
  // 1,000-byte frames at 10,000 a second, one second: 1,000 fit.
  for (int i = 0; i < 10'000; ++i) {
    taken += rf_rate_take(&tat, kSecond + i * (kSecond / 10'000), rf_rate_cost(&cap, 1000), 0);
  }
  EXPECT_EQ(taken, 1000u);
}

// A test frame from `source`, classified under the default test config.
struct Classified {
  std::vector<uint8_t> frame;
  rf_result where;
};
Classified FrameFrom(uint8_t source_last_byte, uint16_t size = 64) {
  testing::Ipv4Address source = testing::kTesterIpv4;
  source[3] = source_last_byte;
  Classified c;
  c.frame = FrameBuilder().Ipv4(source, testing::kReflectorIpv4).Ito().FrameSize(size).Build();
  const Classification result = Classify(c.frame, testing::DefaultTestConfig());
  EXPECT_TRUE(result.reflect()) << VerdictName(result.verdict);
  c.where = result.where;
  return c;
}

rf_guard GuardWith(const RateLimit& global, const RateLimit& per_source) {
  rf_guard guard = {};
  guard.global.all = ToWireCap(global);
  guard.global.per_source = ToWireCap(per_source);
  if (HasRateCaps(guard)) guard.flags |= RF_GUARD_RATE_CAPS;
  return guard;
}

TEST(RateBuckets, EachSourceGetsItsOwnCap) {
  RateBuckets buckets;
  const rf_guard guard = GuardWith({}, {1'000, 0});  // 1 ms a frame per source
  const Classified a = FrameFrom(1), b = FrameFrom(2);
  uint64_t now = 10 * kSecond;
  int a_taken = 0, b_taken = 0;
  for (int i = 0; i < 1000; ++i, now += kSecond / 10'000) {  // 10 kfps from each, 0.1 s
    a_taken += buckets.Conform(a.frame, a.where, guard, now);
    b_taken += buckets.Conform(b.frame, b.where, guard, now);
  }
  EXPECT_EQ(a_taken, 100);
  EXPECT_EQ(b_taken, 100);
}

TEST(RateBuckets, TheGlobalCapIsSharedBySources) {
  RateBuckets buckets;
  const rf_guard guard = GuardWith({1'000, 0}, {});
  const Classified a = FrameFrom(1), b = FrameFrom(2);
  uint64_t now = 10 * kSecond;
  int taken = 0;
  for (int i = 0; i < 1000; ++i, now += kSecond / 10'000) {
    taken += buckets.Conform(a.frame, a.where, guard, now);
    taken += buckets.Conform(b.frame, b.where, guard, now);
  }
  EXPECT_EQ(taken, 100);
}

TEST(RateBuckets, ASourceOverItsCapDoesNotSpendTheGlobalCap) {
  RateBuckets buckets;
  rf_guard guard = GuardWith({2'000, 0}, {1'000, 0});
  // The two sources' frames arrive at the same instants: a 1 ms burst lets both through.
  guard.rate_burst = RateBurstUnits(absl::Milliseconds(1));
  const Classified flood = FrameFrom(1), quiet = FrameFrom(2);
  uint64_t now = 10 * kSecond;
  int quiet_taken = 0;
  for (int i = 0; i < 1000; ++i, now += kSecond / 10'000) {
    buckets.Conform(flood.frame, flood.where, guard, now);  // 10 kfps, capped to 1 kfps
    if (i % 10 == 0) quiet_taken += buckets.Conform(quiet.frame, quiet.where, guard, now);
  }
  EXPECT_EQ(quiet_taken, 100);  // all of its 1 kfps fits beside the flood's 1 kfps
}

TEST(RateBuckets, ARulesCapHoldsOnlyItsFrames) {
  RateBuckets buckets;
  rf_guard guard = {};
  guard.rules[3].all = ToWireCap({1'000, 0});
  guard.flags |= RF_GUARD_RATE_CAPS;
  Classified frame = FrameFrom(1);
  uint64_t now = 10 * kSecond;
  int rule3 = 0, rule0 = 0;
  for (int i = 0; i < 1000; ++i, now += kSecond / 10'000) {
    frame.where.rule = 3;
    rule3 += buckets.Conform(frame.frame, frame.where, guard, now);
    frame.where.rule = 0;
    rule0 += buckets.Conform(frame.frame, frame.where, guard, now);
  }
  EXPECT_EQ(rule3, 100);
  EXPECT_EQ(rule0, 1000);
}

TEST(RateBuckets, IPv6SourcesAreTellApartByTheirWholeAddress) {
  RateBuckets buckets;
  const rf_guard guard = GuardWith({}, {1, 0});  // one frame per source per second
  int taken = 0;
  for (uint8_t last = 1; last <= 50; ++last) {
    testing::Ipv6Address source = testing::kTesterIpv6;
    source[15] = last;
    const std::vector<uint8_t> frame =
        FrameBuilder().Ipv6(source, testing::kReflectorIpv6).Ito().Build();
    const Classification c = Classify(frame, testing::DefaultTestConfig());
    ASSERT_TRUE(c.reflect()) << VerdictName(c.verdict);
    taken += buckets.Conform(frame, c.where, guard, kSecond);
    taken += buckets.Conform(frame, c.where, guard, kSecond);  // the same source again: over
  }
  EXPECT_EQ(taken, 50);
}

// Two workers on one cap: the locks make the total exactly what one worker would get.
TEST(RateBuckets, TwoThreadsShareACapExactly) {
  RateBuckets buckets;
  const rf_guard guard = GuardWith({100'000, 0}, {});
  const Classified frame = FrameFrom(1);
  std::atomic<int> taken{0};
  const auto worker = [&](uint64_t offset) {
    int mine = 0;
    for (int i = 0; i < 500'000; ++i) {
      // Each thread offers 500 kfps over the same second, interleaved in time.
      const uint64_t now = 10 * kSecond + offset + static_cast<uint64_t>(i) * (kSecond / 500'000);
      mine += buckets.Conform(frame.frame, frame.where, guard, now);
    }
    taken += mine;
  };
  std::thread first(worker, 0), second(worker, kSecond / 1'000'000);
  first.join();
  second.join();
  // Times from the two threads are not in order, so a frame can conform "early" by at most the
  // interleaving: the total stays within a few frames of the cap.
  EXPECT_GE(taken.load(), 100'000 - 5);
  EXPECT_LE(taken.load(), 100'000 + 5);
}

TEST(GuardFrame, LeaseThenLoopThenRate) {
  RateBuckets buckets;
  LoopGuard loops;
  rf_guard guard = GuardWith({}, {1, 0});
  guard.loop_window_ticks = 100;
  const Classified a = FrameFrom(1);
  GuardClock clock;
  clock.loop_ticks = 1000;
  clock.rate_time = kSecond;
  EXPECT_EQ(GuardFrame(a.frame, a.where, guard, &loops, &buckets, clock), Verdict::kReflect);
  EXPECT_EQ(GuardFrame(a.frame, a.where, guard, &loops, &buckets, clock), Verdict::kLoop);
  const Classified a2 = FrameFrom(1, 80);  // the same source, another frame
  EXPECT_EQ(GuardFrame(a2.frame, a2.where, guard, &loops, &buckets, clock), Verdict::kRateLimited);
  guard.flags |= RF_GUARD_LEASE_EXPIRED;
  EXPECT_EQ(GuardFrame(a2.frame, a2.where, guard, &loops, &buckets, clock), Verdict::kLease);
  // Without buckets (a test that passes none) caps hold nothing back.
  guard.flags &= ~RF_GUARD_LEASE_EXPIRED;
  const Classified b = FrameFrom(9);
  EXPECT_EQ(GuardFrame(b.frame, b.where, guard, &loops, nullptr, clock), Verdict::kReflect);
}

}  // namespace
}  // namespace reflector::packet
