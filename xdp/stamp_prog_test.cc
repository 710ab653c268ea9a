// The XDP program's STAMP / TWAMP-Light reflector (stamp.h, rf_xdp_stamp) run in-process over
// the stamp table: the verdict, rule and action of the userspace classifier, the oracle's
// bytes but for the two timestamps and the UDP checksum, a valid checksum, and T2 <= T3 both
// inside the test's window of CLOCK_TAI, and the dwell they carry counted once (issue 15).
#include <linux/bpf.h>

#include <algorithm>
#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "reflector/packet/config.h"
#include "reflector/packet/packet.h"
#include "reflector/packet/stamp_sessions.h"
#include "reflector/packet/testing/frame_builder.h"
#include "reflector/packet/testing/stamp_frames.h"
#include "testing/lab/require_root.h"
#include "xdp/loader.h"
#include "xdp/shared_program_test.h"
#include "xdp/test_run.h"

namespace reflector::xdp {
namespace {

using packet::Verdict;
using packet::testing::StampCase;

uint64_t Be64(const std::vector<uint8_t>& frame, size_t at) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | frame[at + i];
  return v;
}

// What one run added to the program's STAMP dwell histogram: answers, the sum of their dwells
// and the bucket of the last one counted (a single answer's).
struct StampDwell {
  uint64_t count = 0;
  uint64_t sum_ns = 0;
  uint32_t bucket = 0;
};
StampDwell DwellAdded(const rf_dwell_histogram& before, const rf_dwell_histogram& after) {
  StampDwell added;
  for (uint32_t i = 0; i < RF_DWELL_SLOTS; ++i) {
    const uint64_t n = after.buckets[i] - before.buckets[i];
    added.count += n;
    if (n != 0) added.bucket = i;
  }
  added.sum_ns = after.sum_ns - before.sum_ns;
  return added;
}

class StampProgramTest : public SharedProgramTest<StampCase> {};

// The program's answer `run` to `frame` is userspace's `expected` but for the timestamps, with
// a valid UDP checksum. Returns the UDP header's offset.
size_t ExpectAnswerAsUserspace(const std::vector<uint8_t>& frame, const TestRunResult& run,
                               const std::vector<uint8_t>& expected, const rf_config& config) {
  const packet::Classification where = packet::Classify(frame, config);
  const size_t udp = where.where.l4_offset;
  EXPECT_EQ(packet::testing::MaskStampTimes(run.frame, udp),
            packet::testing::MaskStampTimes(expected, udp))
      << packet::testing::DescribeDifference(expected, run.frame);
  EXPECT_TRUE(packet::testing::UdpChecksumValid(run.frame, where.where.l3_offset, udp,
                                                where.where.ip_version));
  return udp;
}

TEST_P(StampProgramTest, KernelAnswersAsTheOracleWithItsOwnClock) {
  REFLECTOR_REQUIRE_ROOT();
  const StampCase& c = GetParam();
  absl::StatusOr<packet::CompiledConfig> compiled = packet::Compile(packet::testing::StampTestFilter());
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  rf_config config = compiled->wire;
  config.stamp_clock.ntp_shift = 2208988800 - 37;
  config.stamp_clock.ptp_shift = 0;
  config.stamp_clock.error_estimate = RF_STAMP_S | (5 << 8) | 0x11;
  for (Action action : {Action::kReflect, Action::kMonitor, Action::kRedirect}) {
    SCOPED_TRACE(ActionName(action));
    ASSERT_TRUE(program_->Configure(config, action).ok());
    absl::StatusOr<XdpTestRunner> runner = XdpTestRunner::Create(program_);
    ASSERT_TRUE(runner.ok()) << runner.status();
    const std::vector<uint8_t> frame = c.frame();
    // The program keeps its STAMP dwell across the cases: what this run added.
    absl::StatusOr<rf_dwell_histogram> dwell_before = program_->ReadStampDwell();
    ASSERT_TRUE(dwell_before.ok()) << dwell_before.status();
    const uint64_t before = packet::TaiNowNs();
    absl::StatusOr<TestRunResult> run = runner->Run(frame);
    const uint64_t after = packet::TaiNowNs();
    ASSERT_TRUE(run.ok()) << run.status();
    absl::StatusOr<rf_dwell_histogram> dwell_after = program_->ReadStampDwell();
    ASSERT_TRUE(dwell_after.ok()) << dwell_after.status();
    const StampDwell dwell = DwellAdded(*dwell_before, *dwell_after);
    const bool answered = c.verdict == Verdict::kReflect && action == Action::kReflect;
    EXPECT_EQ(dwell.count, answered ? 1u : 0u);
    ASSERT_TRUE(run->verdict.has_value());
    EXPECT_EQ(*run->verdict, c.verdict) << packet::VerdictName(*run->verdict);
    EXPECT_EQ(run->counted.reflect_errors, 0u);
    const ExpectedRun expected = ExpectRun(frame, config, action);
    EXPECT_EQ(run->action, expected.action);
    if (c.verdict != Verdict::kReflect || action != Action::kReflect) {
      EXPECT_EQ(run->frame, frame);
      continue;
    }
    EXPECT_EQ(run->rule, static_cast<int>(std::find_if(compiled->rules.begin(),
                                                       compiled->rules.end(),
                                                       [&c](const packet::Rule& r) {
                                                         return r.name == c.rule_name;
                                                       }) -
                                          compiled->rules.begin()));
    const packet::Classification where = packet::Classify(frame, config);
    const size_t udp = where.where.l4_offset;
    const std::vector<uint8_t> oracle = c.Expected(0, 0, config.stamp_clock);
    EXPECT_EQ(packet::testing::MaskStampTimes(run->frame, udp),
              packet::testing::MaskStampTimes(oracle, udp))
        << packet::testing::DescribeDifference(oracle, run->frame);
    EXPECT_EQ(packet::testing::MaskStampTimes(run->frame, udp),
              packet::testing::MaskStampTimes(expected.frame, udp));
    EXPECT_TRUE(packet::testing::UdpChecksumValid(run->frame, where.where.l3_offset, udp,
                                                  where.where.ip_version));
    const bool ptp = (c.payload[12] & 0x40) != 0;
    const uint64_t t3 = Be64(run->frame, udp + RF_UDP_HLEN + 4);
    const uint64_t t2 = Be64(run->frame, udp + RF_UDP_HLEN + 16);
    EXPECT_LE(packet::testing::StampTimestamp(before, config.stamp_clock, ptp), t2);
    EXPECT_LE(t2, t3);
    EXPECT_LE(t3, packet::testing::StampTimestamp(after, config.stamp_clock, ptp));
    // The histogram counts the dwell the answer carries: exactly so with PTP timestamps
    // (seconds and nanoseconds); an NTP fraction rounds, so there only its bucket.
    if (ptp) {
      EXPECT_EQ(dwell.sum_ns, packet::testing::StampPtpDwellNs(run->frame, udp));
    }
    EXPECT_EQ(dwell.bucket, rf_dwell_bucket(dwell.sum_ns));
  }
}

INSTANTIATE_TEST_SUITE_P(StampTable, StampProgramTest,
                         ::testing::ValuesIn(packet::testing::StampTable()),
                         [](const ::testing::TestParamInfo<StampCase>& info) {
                           return info.param.name;
                         });

// Short senders' frames grown at the front and moved to the new start (rf_xdp_stamp_room's
// fallback where a buffer has no tailroom, as on veth): the same answers, byte for byte but
// the timestamps, as userspace's, for every answered case of the table.
TEST(StampGrowAtFrontTest, MovedFramesGiveTheSameAnswers) {
  REFLECTOR_REQUIRE_ROOT();
  absl::StatusOr<packet::CompiledConfig> compiled =
      packet::Compile(packet::testing::StampTestFilter());
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  const rf_config& config = compiled->wire;
  LoadOptions options;
  options.stamp_grow_at_tail = false;
  absl::StatusOr<std::unique_ptr<XdpProgram>> program = XdpProgram::Load(options);
  ASSERT_TRUE(program.ok()) << program.status();
  ASSERT_TRUE((*program)->Configure(config, Action::kReflect).ok());
  absl::StatusOr<XdpTestRunner> runner = XdpTestRunner::Create(program->get());
  ASSERT_TRUE(runner.ok()) << runner.status();
  int grown = 0;
  for (const StampCase& c : packet::testing::StampTable()) {
    if (c.verdict != Verdict::kReflect) continue;
    SCOPED_TRACE(c.name);
    const std::vector<uint8_t> frame = c.frame();
    absl::StatusOr<TestRunResult> run = runner->Run(frame);
    ASSERT_TRUE(run.ok()) << run.status();
    ASSERT_EQ(run->action, static_cast<uint32_t>(XDP_TX));
    EXPECT_EQ(run->counted.reflect_errors, 0u);
    ExpectAnswerAsUserspace(frame, *run, ExpectRun(frame, config, Action::kReflect).frame, config);
    if (run->frame.size() > frame.size()) ++grown;
  }
  EXPECT_GE(grown, 8);  // the table's short senders
}

// The stateful Session-Reflector (stamp_session.h): three rounds of the table's answered
// packets through one program, against the userspace reflector with one table: the same
// bytes but for the timestamps, so the same count per session, in the kernel's LRU map.
TEST(StatefulStampProgramTest, KernelCountsSessionsAsUserspaceDoes) {
  REFLECTOR_REQUIRE_ROOT();
  packet::FilterConfig filter = packet::testing::StampTestFilter();
  filter.stamp_stateful = true;
  absl::StatusOr<packet::CompiledConfig> compiled = packet::Compile(filter);
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  const rf_config& config = compiled->wire;
  absl::StatusOr<std::unique_ptr<XdpProgram>> program = XdpProgram::Load();
  ASSERT_TRUE(program.ok()) << program.status();
  ASSERT_TRUE((*program)->Configure(config, Action::kReflect).ok());
  absl::StatusOr<XdpTestRunner> runner = XdpTestRunner::Create(program->get());
  ASSERT_TRUE(runner.ok()) << runner.status();
  packet::StampSessions oracle;
  uint32_t highest = 0;
  int answered = 0;
  for (int round = 0; round < 3; ++round) {
    for (const StampCase& c : packet::testing::StampTable()) {
      if (c.verdict != Verdict::kReflect) continue;
      SCOPED_TRACE(c.name);
      const std::vector<uint8_t> frame = c.frame();
      absl::StatusOr<TestRunResult> run = runner->Run(frame);
      ASSERT_TRUE(run.ok()) << run.status();
      const ExpectedRun expected =
          ExpectRun(frame, config, Action::kReflect, nullptr, 0, nullptr, nullptr, &oracle);
      ASSERT_EQ(run->action, static_cast<uint32_t>(XDP_TX));
      ASSERT_EQ(expected.action, static_cast<uint32_t>(XDP_TX));
      const size_t udp = ExpectAnswerAsUserspace(frame, *run, expected.frame, config);
      const size_t seq = udp + RF_UDP_HLEN;
      highest = std::max<uint32_t>(highest, (uint32_t{run->frame[seq]} << 24) |
                                                (uint32_t{run->frame[seq + 1]} << 16) |
                                                (uint32_t{run->frame[seq + 2]} << 8) |
                                                run->frame[seq + 3]);
      ++answered;
    }
  }
  EXPECT_GT(answered, 20);
  // Every session had at least three packets: the counts really moved.
  EXPECT_GE(highest, 2u);
  EXPECT_LT(highest, static_cast<uint32_t>(answered));
}

}  // namespace
}  // namespace reflector::xdp
