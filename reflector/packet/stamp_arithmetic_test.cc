// The arithmetic of the STAMP reflector (stamp.h): the timestamp conversion at the NTP era and
// around now against the test oracle, and the incremental checksum update against a checksum
// computed from scratch when the sender's MBZ bytes are not zero (the TLV step included).
#include <cstdint>
#include <vector>

#include "gtest/gtest.h"
#include "reflector/packet/config.h"
#include "reflector/packet/packet.h"
#include "reflector/packet/stamp.h"
#include "reflector/packet/stamp_tlv.h"
#include "reflector/packet/testing/frame_builder.h"
#include "reflector/packet/testing/stamp_frames.h"

namespace reflector::packet {
namespace {

constexpr uint64_t kNsPerS = 1'000'000'000;
// TAI 2025-11-24 16:00:00 (a time of this project), in seconds.
constexpr uint64_t kNowTaiSeconds = 1'764'000'037;
// The NTP shift of a clock 37 s behind TAI, and the first TAI second of NTP era 1
// (2036-02-07 06:28:16 UTC), where the 32-bit NTP seconds wrap to 0.
constexpr int64_t kNtpShift = 2'208'988'800 - 37;
constexpr uint64_t kEra1TaiSeconds = (uint64_t{1} << 32) - kNtpShift;

TEST(StampTimeTest, NtpSecondsWrapAtTheEra) {
  rf_stamp_clock clock = {};
  clock.ntp_shift = kNtpShift;
  const uint64_t era1 = kEra1TaiSeconds * kNsPerS;
  // The last nanosecond of era 0 and the first of era 1 (RFC 5905 §6: the seconds wrap).
  EXPECT_EQ(rf_stamp_time(era1 - 1, &clock, 0), (0xffffffffull << 32) | 0xfffffffbull);
  EXPECT_EQ(rf_stamp_time(era1, &clock, 0), 0ull);
  EXPECT_EQ(rf_stamp_time(era1 + 500'000'000, &clock, 0), 0x80000000ull);
  // PTP seconds are TAI since 1970 (ptp_shift 0) and do not wrap there.
  EXPECT_EQ(rf_stamp_time(era1 + 7, &clock, 1), (kEra1TaiSeconds << 32) | 7);
}

TEST(StampTimeTest, MatchesTheTestOracleAroundNow) {
  rf_stamp_clock clock = {};
  clock.ntp_shift = kNtpShift;
  clock.ptp_shift = -5;
  for (uint64_t s = kNowTaiSeconds - 100; s < kNowTaiSeconds + 100; ++s) {
    for (uint64_t ns : {uint64_t{0}, uint64_t{1}, uint64_t{123'456'789}, kNsPerS - 1}) {
      const uint64_t t = s * kNsPerS + ns;
      for (bool ptp : {false, true}) {
        EXPECT_EQ(rf_stamp_time(t, &clock, ptp), testing::StampTimestamp(t, clock, ptp)) << t;
      }
    }
  }
}

// rf_stamp_time divides by 10^9 with multiplies (no division in BPF): exact at every
// remainder edge of the whole range it accepts, and on a deterministic walk across it.
TEST(StampTimeTest, DividesByFiveToTheNinthExactly) {
  constexpr uint64_t kD = 1'953'125;  // 5^9
  constexpr uint64_t kMax = (uint64_t{1} << 55) - 1;
  std::vector<uint64_t> values = {0, 1, kD - 1, kD, kD + 1, kMax, kMax - 1};
  for (uint64_t q : {uint64_t{1}, uint64_t{2}, uint64_t{1000}, uint64_t{1} << 20,
                     uint64_t{1} << 30, (uint64_t{1} << 34) - 1, kMax / kD - 1, kMax / kD}) {
    for (uint64_t y : {q * kD - 1, q * kD, q * kD + 1, q * kD + kD - 1}) {
      if (y <= kMax) values.push_back(y);
    }
  }
  for (uint64_t i = 0; i < 1'000'000; ++i) values.push_back((i * 0x9e3779b97f4a7c15ull) >> 9);
  for (uint64_t y : values) {
    ASSERT_EQ(rf_stamp_div_5pow9(y), y / kD) << y;
  }
}

TEST(StampTimeTest, EqualsTheDivisionsItReplaces) {
  rf_stamp_clock clock = {};
  clock.ntp_shift = kNtpShift;
  clock.ptp_shift = -5;
  std::vector<uint64_t> times = {0, kNsPerS - 1, kNsPerS, ~uint64_t{0}, ~uint64_t{0} - kNsPerS};
  for (uint64_t i = 0; i < 1'000'000; ++i) times.push_back(i * 0x9e3779b97f4a7c15ull);
  // Every nanosecond remainder's fraction edge: the NTP fraction steps at each multiple of
  // 10^9 / 2^32 ns, so walk them in a prime step across a second.
  for (uint64_t ns = 0; ns < kNsPerS; ns += 997) times.push_back(kNowTaiSeconds * kNsPerS + ns);
  for (uint64_t t : times) {
    const uint64_t seconds = t / kNsPerS;
    const uint64_t ns = t % kNsPerS;
    ASSERT_EQ(rf_stamp_time(t, &clock, 0),
              ((seconds + static_cast<uint64_t>(kNtpShift)) << 32) | ((ns << 32) / kNsPerS))
        << t;
    ASSERT_EQ(rf_stamp_time(t, &clock, 1), ((seconds - 5) << 32) | ns) << t;
  }
}

TEST(StampTimeTest, StoresBigEndian) {
  uint8_t bytes[10] = {};
  rf_stamp_store_be64(bytes + 1, 0x0102030405060708ull);
  const uint8_t expected[10] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 0};
  for (int i = 0; i < 10; ++i) EXPECT_EQ(bytes[i], expected[i]) << i;
}

// The checksum is updated over the words that change only. A sender's MBZ bytes need not be
// zero (the reflector overwrites them): with them set, every answer must still carry exactly
// the checksum computed from scratch, for times across second boundaries.
TEST(StampChecksumTest, UpdateEqualsAFullChecksumWithMbzBytesSet) {
  absl::StatusOr<CompiledConfig> compiled = Compile(testing::StampTestFilter());
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  rf_stamp_clock& clock = compiled->wire.stamp_clock;
  clock.ntp_shift = kNtpShift;
  clock.error_estimate = RF_STAMP_S | 0x0102;
  int answered = 0;
  for (testing::StampCase c : testing::StampTable()) {
    // Senders shorter than the answer have no MBZ bytes to set (the frame grows: stamp_test).
    if (c.verdict != Verdict::kReflect || c.payload.size() < RF_STAMP_LEN) continue;
    for (size_t i = 16; i < RF_STAMP_LEN; ++i) c.payload[i] = static_cast<uint8_t>(i * 37 + 11);
    c.sender.Payload(c.payload);
    for (uint64_t t2 : {kNowTaiSeconds * kNsPerS - 1, kNowTaiSeconds * kNsPerS + 999'999'000,
                        kEra1TaiSeconds * kNsPerS - 700}) {
      for (uint64_t dwell : {uint64_t{0}, uint64_t{1}, uint64_t{700}, uint64_t{1'000'001}}) {
        std::vector<uint8_t> frame = c.frame();
        const Classification result = Classify(frame, compiled->wire);
        ASSERT_TRUE(result.reflect()) << c.name;
        rf_stamp_pending pending = {};
        uint8_t* data = frame.data();
        const uint8_t* end = data + frame.size();
        ASSERT_EQ(rf_stamp_build(data, end, &result.where, &clock, t2, &pending), 0);
        ASSERT_EQ(rf_stamp_finish(data, end, &pending, &clock, t2 + dwell), 0);
        ASSERT_EQ(rf_stamp_tlvs(data, end, &result.where, &clock, RF_STAMP_TS_SW_LOCAL), 0);
        const std::vector<uint8_t> expected = c.Expected(t2, t2 + dwell, clock);
        ASSERT_EQ(frame, expected) << c.name << " t2 " << t2 << " dwell " << dwell << "\n"
                                   << testing::DescribeDifference(expected, frame);
        ++answered;
      }
    }
  }
  EXPECT_GE(answered, 20 * 12);  // the table's 20 answered cases of 44 bytes or more, 12 times each
}

}  // namespace
}  // namespace reflector::packet
