// The XDP program's Y.1731 responder (cfm.h, xdp/cfm_xdp.h) run in-process over the CFM table:
// the table's outcome and exact answer but for the DMR timestamps, those inside the test's
// window of CLOCK_TAI with RxTimeStampf <= TxTimeStampb, the userspace oracle's answer, the
// counters, and in monitor and afxdp modes the frame passed untouched.
#include <linux/bpf.h>

#include <vector>

#include "gtest/gtest.h"
#include "reflector/packet/cfm_responder.h"
#include "reflector/packet/config.h"
#include "reflector/packet/packet.h"
#include "reflector/packet/testing/cfm_frames.h"
#include "reflector/packet/testing/frame_builder.h"
#include "reflector/packet/testing/stamp_frames.h"
#include "testing/lab/require_root.h"
#include "xdp/loader.h"
#include "xdp/shared_program_test.h"
#include "xdp/test_run.h"

namespace reflector::xdp {
namespace {

using packet::CfmOutcome;
using packet::testing::CfmCase;

class CfmProgramTest : public SharedProgramTest<CfmCase> {};

TEST_P(CfmProgramTest, KernelAnswersAsTheTableWithItsOwnClock) {
  REFLECTOR_REQUIRE_ROOT();
  const CfmCase& c = GetParam();
  absl::StatusOr<packet::CompiledConfig> compiled = packet::Compile(c.filter());
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  rf_config config = compiled->wire;
  config.stamp_clock.ptp_shift = 0;
  for (Action action : {Action::kReflect, Action::kMonitor, Action::kRedirect}) {
    SCOPED_TRACE(ActionName(action));
    ASSERT_TRUE(program_->Configure(config, action).ok());
    absl::StatusOr<XdpTestRunner> runner = XdpTestRunner::Create(program_);
    ASSERT_TRUE(runner.ok()) << runner.status();
    const uint64_t before = packet::TaiNowNs();
    absl::StatusOr<TestRunResult> run = runner->Run(c.frame);
    const uint64_t after = packet::TaiNowNs();
    ASSERT_TRUE(run.ok()) << run.status();
    EXPECT_EQ(run->counted.reflect_errors, 0u);
    const ExpectedRun expected = ExpectRun(c.frame, config, action);
    EXPECT_EQ(packet::CfmOutcomeName(expected.cfm), packet::CfmOutcomeName(c.outcome));
    const bool answered = packet::CfmAnswered(c.outcome);
    if (action == Action::kRedirect) {
      // No AF_XDP socket in a test run: an answerable frame falls back to pass, as rejected;
      // the program counts only what it passes as CFM (the workers count their answers).
      EXPECT_EQ(run->action, static_cast<uint32_t>(XDP_PASS));
      EXPECT_EQ(run->frame, c.frame);
      EXPECT_EQ(run->verdict, expected.verdict);
      if (!answered && c.outcome != CfmOutcome::kNotCfm) {
        EXPECT_EQ(run->cfm, c.outcome);
      }
      continue;
    }
    if (c.outcome == CfmOutcome::kNotCfm) {
      EXPECT_FALSE(run->cfm.has_value());
    } else {
      ASSERT_TRUE(run->cfm.has_value());
      EXPECT_EQ(packet::CfmOutcomeName(*run->cfm), packet::CfmOutcomeName(c.outcome));
    }
    // An answer (or, in monitor mode, what would be one) is no rejected frame.
    if (answered) {
      EXPECT_FALSE(run->verdict.has_value());
    } else {
      EXPECT_EQ(run->verdict, expected.verdict);
    }
    if (action == Action::kMonitor || !answered) {
      EXPECT_EQ(run->action, static_cast<uint32_t>(XDP_PASS));
      EXPECT_EQ(run->frame, c.frame);
      continue;
    }
    EXPECT_EQ(run->action, static_cast<uint32_t>(XDP_TX));
    EXPECT_EQ(run->counted.cfm_answered_bytes, c.frame.size());
    // SLR's TxFCb counts this program's SLRs for the test: other runs of the table came first.
    std::vector<uint8_t> got = packet::testing::MaskCfmTimes(run->frame);
    std::vector<uint8_t> oracle = packet::testing::MaskCfmTimes(expected.frame);
    const size_t h = packet::testing::CfmHeaderOffset(run->frame);
    if (c.outcome == CfmOutcome::kSlr) {
      EXPECT_GE(packet::testing::ReadBe(got, h + 16, 4), 1u);
      for (size_t i = h + 16; i < h + 20; ++i) got[i] = oracle[i] = c.expected[i];
    }
    EXPECT_EQ(got, c.expected) << packet::testing::DescribeDifference(c.expected, got);
    EXPECT_EQ(got, oracle);
    if (c.outcome == CfmOutcome::kDmr) {
      const uint64_t rx = packet::testing::ReadBe(run->frame, h + 12, 8);
      const uint64_t tx = packet::testing::ReadBe(run->frame, h + 20, 8);
      EXPECT_LE(packet::testing::StampTimestamp(before, config.stamp_clock, true), rx);
      EXPECT_LE(rx, tx);
      EXPECT_LE(tx, packet::testing::StampTimestamp(after, config.stamp_clock, true));
    }
  }
}

INSTANTIATE_TEST_SUITE_P(CfmTable, CfmProgramTest,
                         ::testing::ValuesIn(packet::testing::CfmTable()),
                         [](const ::testing::TestParamInfo<CfmCase>& info) {
                           return info.param.name;
                         });

// The program's SLR counts: one per SLR of a test, kept across frames, apart per test ID.
class CfmSlmProgramTest : public SharedProgramTest<int> {};

TEST_F(CfmSlmProgramTest, TxFcbCountsTheTestsSlrs) {
  REFLECTOR_REQUIRE_ROOT();
  absl::StatusOr<packet::CompiledConfig> compiled =
      packet::Compile(packet::testing::CfmTestFilter());
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  ASSERT_TRUE(program_->Configure(compiled->wire, Action::kReflect).ok());
  absl::StatusOr<XdpTestRunner> runner = XdpTestRunner::Create(program_);
  ASSERT_TRUE(runner.ok()) << runner.status();
  auto slm = [](uint8_t test) {
    return packet::testing::CfmFrame(packet::testing::kReflectorMac, {},
                                     packet::testing::kCfmTestLevel, RF_CFM_OP_SLM, 16,
                                     {0, 0x21, 0, 0, 0x5e, 0x5e, 0x5e, test, 0, 0, 0, 1, 0, 0, 0, 0});
  };
  auto tx_fcb = [&](uint8_t test) -> uint64_t {
    absl::StatusOr<TestRunResult> run = runner->Run(slm(test));
    EXPECT_TRUE(run.ok()) << run.status();
    if (!run.ok() || run->action != XDP_TX) return 0;
    return packet::testing::ReadBe(run->frame, 14 + 4 + 12, 4);
  };
  EXPECT_EQ(tx_fcb(1), 1u);
  EXPECT_EQ(tx_fcb(1), 2u);
  EXPECT_EQ(tx_fcb(2), 1u);
  EXPECT_EQ(tx_fcb(1), 3u);
}

// --lease in the kernel: with the lease run out an LBM is passed untouched, then answered again.
TEST_F(CfmSlmProgramTest, AnExpiredLeaseStopsTheAnswers) {
  REFLECTOR_REQUIRE_ROOT();
  absl::StatusOr<packet::CompiledConfig> compiled =
      packet::Compile(packet::testing::CfmTestFilter());
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  rf_config config = compiled->wire;
  config.guard.flags |= RF_GUARD_LEASE_EXPIRED;
  ASSERT_TRUE(program_->Configure(config, Action::kReflect).ok());
  absl::StatusOr<XdpTestRunner> runner = XdpTestRunner::Create(program_);
  ASSERT_TRUE(runner.ok()) << runner.status();
  const std::vector<uint8_t> lbm = packet::testing::CfmTable().front().frame;
  absl::StatusOr<TestRunResult> expired = runner->Run(lbm);
  ASSERT_TRUE(expired.ok()) << expired.status();
  EXPECT_EQ(expired->action, XDP_PASS);
  EXPECT_EQ(expired->frame, lbm);
  config.guard.flags &= ~RF_GUARD_LEASE_EXPIRED;
  ASSERT_TRUE(program_->Configure(config, Action::kReflect).ok());
  absl::StatusOr<TestRunResult> renewed = runner->Run(lbm);
  ASSERT_TRUE(renewed.ok()) << renewed.status();
  EXPECT_EQ(renewed->action, XDP_TX);
}

}  // namespace
}  // namespace reflector::xdp
