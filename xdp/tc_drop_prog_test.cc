// The afpacket data path's tc program run in-process (bpf_prog_test_run_opts) over the packet
// library's frame table: for every frame and every reflect mode, the kernel's verdict must be
// the userspace classifier's, the program must drop exactly the test frames (TC_ACT_SHOT) and
// hand every other frame on (TC_ACT_UNSPEC), and it must never change a byte.
//
// A test run builds an skb from the frame without VLAN offload, so the program sees every tag
// inline; the outer tag in skb metadata (skb->vlan_present) is covered by the veth tests.
#include <linux/pkt_cls.h>

#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "reflector/packet/cfm_responder.h"
#include "reflector/packet/config.h"
#include "reflector/packet/packet.h"
#include "reflector/packet/testing/cfm_frames.h"
#include "reflector/packet/testing/frame_table.h"
#include "testing/lab/require_root.h"
#include "xdp/counters.h"
#include "xdp/tc_drop_filter.h"
#include "xdp/test_run.h"

namespace reflector::xdp {
namespace {

using packet::Mode;
using packet::Verdict;
using packet::testing::DescribeDifference;
using packet::testing::FrameCase;
using packet::testing::WithMode;
using packet::testing::FrameTable;

// A test run puts the frame into one page together with the skb's headroom and shared info;
// a longer frame is refused (EINVAL), see JumboFramesAreRefused.
constexpr size_t kOnePageLimit = 3000;

constexpr uint32_t kDrop = static_cast<uint32_t>(TC_ACT_SHOT);
constexpr uint32_t kNext = static_cast<uint32_t>(TC_ACT_UNSPEC);

// One loaded program per suite (the verifier takes its time), configured per case.
template <typename Case>
class SharedTcProgramTest : public ::testing::TestWithParam<Case> {
 protected:
  static void SetUpTestSuite() {
    if (!testing::lab::HaveRoot()) return;
    absl::StatusOr<std::unique_ptr<TcDropFilter>> loaded =
        TcDropFilter::Load(packet::testing::DefaultTestConfig());
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    program_ = std::move(*loaded).release();
  }
  static void TearDownTestSuite() {
    delete program_;
    program_ = nullptr;
  }
  static TcDropFilter* program_;
};

template <typename Case>
TcDropFilter* SharedTcProgramTest<Case>::program_ = nullptr;

class TcDropProgramTest : public SharedTcProgramTest<FrameCase> {
 protected:

  // Runs `c` under `mode` and compares with userspace.
  void ExpectSameAsUserspace(const FrameCase& c, Mode mode) {
    const rf_config config = WithMode(c.config, mode);
    ASSERT_TRUE(program_->SetConfig(config).ok());
    absl::StatusOr<TestRunner> runner = TestRunner::Create(program_);
    ASSERT_TRUE(runner.ok()) << runner.status();
    absl::StatusOr<TestRunResult> run = runner->Run(c.frame);
    ASSERT_TRUE(run.ok()) << run.status();
    const ExpectedRun expected = ExpectTcRun(c.frame, config);
    const std::string where(packet::ModeName(mode));

    ASSERT_TRUE(run->verdict.has_value()) << where << ": not exactly one verdict counted";
    EXPECT_EQ(*run->verdict, expected.verdict)
        << where << ": kernel " << packet::VerdictName(*run->verdict) << ", userspace "
        << packet::VerdictName(expected.verdict);
    EXPECT_EQ(*run->verdict, c.verdict) << where;
    const bool reflect = c.verdict == Verdict::kReflect;
    EXPECT_EQ(run->action, reflect ? kDrop : kNext) << where;
    EXPECT_EQ(run->action, expected.action) << where;
    EXPECT_EQ(run->frame, c.frame) << where << ": " << DescribeDifference(c.frame, run->frame);

    const rf_xdp_counters& counted = run->counted;
    EXPECT_EQ(counted.rejected_bytes, reflect ? 0u : c.frame.size()) << where;
    if (reflect) {
      EXPECT_EQ(run->rule, c.rule) << where << ": expected rule " << c.rule_name;
      EXPECT_EQ(counted.rule_bytes[c.rule], c.frame.size()) << where;
    }
    EXPECT_EQ(ReflectVerdicts(counted), reflect ? 1u : 0u) << where << ": the dropped test frames";
    EXPECT_EQ(PassedFrames(counted, false), reflect ? 0u : 1u) << where;
    EXPECT_EQ(counted.redirected, 0u) << where;
    EXPECT_EQ(counted.redirect_fallback, 0u) << where;
    EXPECT_EQ(counted.reflect_errors, 0u) << where;
  }
};

TEST_P(TcDropProgramTest, SameVerdictAsUserspaceDropsOnlyTestFramesChangesNothing) {
  REFLECTOR_REQUIRE_ROOT();
  const FrameCase& c = GetParam();
  if (TcTestRunRefuses(c.frame)) {
    GTEST_SKIP() << "too short for a test run's skb (see FramesTooShortForAnSkbAreRefused)";
  }
  if (c.frame.size() > kOnePageLimit) {
    GTEST_SKIP() << "larger than a test run's skb (see JumboFramesAreRefused)";
  }
  for (Mode mode : packet::kAllModes) ExpectSameAsUserspace(c, mode);
}

INSTANTIATE_TEST_SUITE_P(FrameTable, TcDropProgramTest, ::testing::ValuesIn(FrameTable()),
                         ::testing::PrintToStringParamName());

// The kernel builds an skb from the frame: it refuses one without a whole Ethernet header, and
// reads the IP header of an untagged IP frame, so it refuses one that is cut short there too.
// On a real interface tc does see cut IP headers: the veth tests send them.
TEST_F(TcDropProgramTest, FramesTooShortForAnSkbAreRefused) {
  REFLECTOR_REQUIRE_ROOT();
  int short_ethernet = 0;
  int cut_ip = 0;
  for (const FrameCase& c : FrameTable()) {
    if (!TcTestRunRefuses(c.frame)) continue;
    SCOPED_TRACE(c.name);
    ++(c.frame.size() < kMinTestRunFrame ? short_ethernet : cut_ip);
    absl::StatusOr<TestRunner> runner = TestRunner::Create(program_);
    ASSERT_TRUE(runner.ok()) << runner.status();
    EXPECT_EQ(runner->Run(c.frame).status().code(), absl::StatusCode::kInvalidArgument);
  }
  EXPECT_GT(short_ethernet, 0) << "the table has no frame under 14 bytes any more";
  EXPECT_GT(cut_ip, 0) << "the table has no frame with a cut IP header any more";
}

// Unlike XDP, a tc test run has no multi-buffer frames: the skb's data must fit one page. The
// table's jumbo frames are the ones beyond it; on a real interface the program pulls them
// whole into the linear area (the veth tests send them).
TEST_F(TcDropProgramTest, JumboFramesAreRefused) {
  REFLECTOR_REQUIRE_ROOT();
  int jumbo = 0;
  for (const FrameCase& c : FrameTable()) {
    if (c.frame.size() <= kOnePageLimit) continue;
    SCOPED_TRACE(c.name);
    ++jumbo;
    ASSERT_TRUE(program_->SetConfig(c.config).ok());
    absl::StatusOr<TestRunner> runner = TestRunner::Create(program_);
    ASSERT_TRUE(runner.ok()) << runner.status();
    EXPECT_EQ(runner->Run(c.frame).status().code(), absl::StatusCode::kInvalidArgument);
  }
  EXPECT_GT(jumbo, 0) << "the table has no frame beyond one page any more";
}

// The Y.1731 responder's frames (the CFM table): a request the workers answer is dropped like
// a test frame and counted as an answer, not as rejected; any other CFM frame is counted by
// reason and as the classifier's reject, and goes on to the stack; nothing is changed.
class TcCfmProgramTest : public SharedTcProgramTest<packet::testing::CfmCase> {};

TEST_P(TcCfmProgramTest, DropsWhatTheWorkersAnswerPassesTheRest) {
  REFLECTOR_REQUIRE_ROOT();
  const packet::testing::CfmCase& c = GetParam();
  if (TcTestRunRefuses(c.frame)) GTEST_SKIP() << "too short for a test run's skb";
  absl::StatusOr<packet::CompiledConfig> compiled = packet::Compile(c.filter());
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  ASSERT_TRUE(program_->SetConfig(compiled->wire).ok());
  absl::StatusOr<TestRunner> runner = TestRunner::Create(program_);
  ASSERT_TRUE(runner.ok()) << runner.status();
  absl::StatusOr<TestRunResult> run = runner->Run(c.frame);
  ASSERT_TRUE(run.ok()) << run.status();
  const ExpectedRun expected = ExpectTcRun(c.frame, compiled->wire);
  EXPECT_EQ(packet::CfmOutcomeName(expected.cfm), packet::CfmOutcomeName(c.outcome));
  EXPECT_EQ(run->frame, c.frame) << DescribeDifference(c.frame, run->frame);
  EXPECT_EQ(run->action, expected.action);
  const rf_xdp_counters& counted = run->counted;
  if (c.outcome == packet::CfmOutcome::kNotCfm) {
    EXPECT_FALSE(run->cfm.has_value());
  } else {
    ASSERT_TRUE(run->cfm.has_value());
    EXPECT_EQ(packet::CfmOutcomeName(*run->cfm), packet::CfmOutcomeName(c.outcome));
  }
  if (packet::CfmAnswered(c.outcome)) {
    EXPECT_EQ(run->action, kDrop);
    EXPECT_FALSE(run->verdict.has_value()) << "an answered request counted as rejected";
    EXPECT_EQ(counted.rejected_bytes, 0u);
    EXPECT_EQ(counted.cfm_answered_bytes, c.frame.size());
    EXPECT_EQ(CfmAnswers(counted), 1u);
    EXPECT_EQ(PassedFrames(counted, false), 0u) << "an answered request went to the stack";
  } else {
    EXPECT_EQ(run->action, kNext);
    EXPECT_EQ(run->verdict, expected.verdict);
    EXPECT_EQ(counted.cfm_answered_bytes, 0u);
    EXPECT_EQ(CfmAnswers(counted), 0u);
    EXPECT_EQ(PassedFrames(counted, false), 1u);
  }
}

INSTANTIATE_TEST_SUITE_P(CfmTable, TcCfmProgramTest,
                         ::testing::ValuesIn(packet::testing::CfmTable()),
                         [](const ::testing::TestParamInfo<packet::testing::CfmCase>& info) {
                           return info.param.name;
                         });

}  // namespace
}  // namespace reflector::xdp
