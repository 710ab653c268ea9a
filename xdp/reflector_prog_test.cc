// The XDP program run in-process (bpf_prog_test_run_opts) over the packet library's frame
// table: for every frame, every reflect mode and every action, the kernel's verdict, action
// and output bytes must be those of the userspace classifier and reflector.
#include <linux/bpf.h>

#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "reflector/packet/packet.h"
#include "reflector/packet/testing/frame_table.h"
#include "testing/lab/require_root.h"
#include "xdp/loader.h"
#include "xdp/shared_program_test.h"
#include "xdp/test_run.h"

namespace reflector::xdp {
namespace {

using packet::Mode;
using packet::Verdict;
using packet::testing::DescribeDifference;
using packet::testing::FrameCase;
using packet::testing::WithMode;
using packet::testing::FrameTable;

// A frame longer than this does not fit the single buffer a test run (or a driver running a
// program without multi-buffer support) gives the program; see ProgramSeesOnlyOneBuffer.
constexpr size_t kSingleBufferLimit = 3000;

class ReflectorProgramTest : public SharedProgramTest<FrameCase> {
 protected:
  // Runs `c` under `action` (and `mode` for the reflect action) and compares with userspace.
  void ExpectSameAsUserspace(const FrameCase& c, Action action, Mode mode) {
    const rf_config config = WithMode(c.config, mode);
    ASSERT_TRUE(program_->Configure(config, action).ok());
    absl::StatusOr<XdpTestRunner> runner = XdpTestRunner::Create(program_);
    ASSERT_TRUE(runner.ok()) << runner.status();
    absl::StatusOr<TestRunResult> run = runner->Run(c.frame);
    ASSERT_TRUE(run.ok()) << run.status();
    const ExpectedRun expected = ExpectRun(c.frame, config, action);
    const std::string where = std::string(ActionName(action)) + "/" +
                              std::string(packet::ModeName(mode));

    ASSERT_TRUE(run->verdict.has_value()) << where << ": not exactly one verdict counted";
    EXPECT_EQ(*run->verdict, expected.verdict)
        << where << ": kernel " << packet::VerdictName(*run->verdict) << ", userspace "
        << packet::VerdictName(expected.verdict);
    EXPECT_EQ(*run->verdict, c.verdict) << where;
    EXPECT_EQ(run->action, expected.action) << where;
    EXPECT_EQ(run->frame, expected.frame)
        << where << ": " << DescribeDifference(expected.frame, run->frame);

    const rf_xdp_counters& counted = run->counted;
    const bool reflect = c.verdict == Verdict::kReflect;
    EXPECT_EQ(counted.rejected_bytes, reflect ? 0u : c.frame.size()) << where;
    if (reflect) {
      EXPECT_EQ(run->rule, c.rule) << where << ": expected rule " << c.rule_name;
      EXPECT_EQ(counted.rule_bytes[c.rule], c.frame.size()) << where;
    }
    const bool monitor = action == Action::kMonitor;
    EXPECT_EQ(SentFrames(counted, monitor), reflect && action == Action::kReflect ? 1u : 0u)
        << where;
    EXPECT_EQ(counted.redirect_fallback, reflect && action == Action::kRedirect ? 1u : 0u)
        << where;
    EXPECT_EQ(PassedFrames(counted, monitor), run->action == XDP_PASS ? 1u : 0u) << where;
    EXPECT_EQ(counted.redirected, 0u) << where;
    EXPECT_EQ(counted.reflect_errors, 0u) << where;
    if (reflect && action == Action::kReflect && c.has_builder) {
      EXPECT_EQ(run->frame, c.ExpectedReflection(mode))
          << where << ": " << DescribeDifference(c.ExpectedReflection(mode), run->frame);
    }
  }

};

TEST_P(ReflectorProgramTest, SameVerdictActionAndBytesAsUserspace) {
  REFLECTOR_REQUIRE_ROOT();
  const FrameCase& c = GetParam();
  if (c.frame.size() < kMinTestRunFrame) {
    GTEST_SKIP() << "the kernel refuses test runs under 14 bytes (see ShortFramesAreRefused)";
  }
  if (c.frame.size() > kSingleBufferLimit) {
    GTEST_SKIP() << "larger than one XDP buffer (see ProgramSeesOnlyOneBuffer)";
  }
  for (Mode mode : packet::kAllModes) ExpectSameAsUserspace(c, Action::kReflect, mode);
  const Mode configured = static_cast<Mode>(c.config.rules[c.rule].mode);
  ExpectSameAsUserspace(c, Action::kMonitor, configured);
  // No AF_XDP socket in the XSKMAP: accepted frames fall back to XDP_PASS.
  ExpectSameAsUserspace(c, Action::kRedirect, configured);
}

INSTANTIATE_TEST_SUITE_P(FrameTable, ReflectorProgramTest, ::testing::ValuesIn(FrameTable()),
                         ::testing::PrintToStringParamName());

TEST_F(ReflectorProgramTest, ShortFramesAreRefused) {
  REFLECTOR_REQUIRE_ROOT();
  absl::StatusOr<XdpTestRunner> runner = XdpTestRunner::Create(program_);
  ASSERT_TRUE(runner.ok()) << runner.status();
  const std::vector<uint8_t> frame(kMinTestRunFrame - 1, 0x02);
  EXPECT_EQ(runner->Run(frame).status().code(), absl::StatusCode::kInvalidArgument);
}

// A test run (like a native driver) hands a program without multi-buffer support only the
// first buffer of a jumbo frame. The classifier then sees an IP length beyond the data it has
// and passes the frame untouched: fail-safe. On real interfaces native mode refuses an MTU
// that large for such a program, and generic mode linearizes the frame (see the veth test).
TEST_F(ReflectorProgramTest, ProgramSeesOnlyOneBuffer) {
  REFLECTOR_REQUIRE_ROOT();
  for (const FrameCase& c : FrameTable()) {
    if (c.frame.size() <= kSingleBufferLimit) continue;
    SCOPED_TRACE(c.name);
    ASSERT_TRUE(program_->Configure(c.config, Action::kReflect).ok());
    absl::StatusOr<XdpTestRunner> runner = XdpTestRunner::Create(program_);
    ASSERT_TRUE(runner.ok()) << runner.status();
    absl::StatusOr<TestRunResult> run = runner->Run(c.frame);
    ASSERT_TRUE(run.ok()) << run.status();
    EXPECT_EQ(run->action, static_cast<uint32_t>(XDP_PASS));
    EXPECT_EQ(run->frame, c.frame);
  }
}

TEST_F(ReflectorProgramTest, ConfigurationRejectsUnknownModeActionAndOversizedTables) {
  REFLECTOR_REQUIRE_ROOT();
  rf_config config = packet::testing::DefaultTestConfig();
  config.rules[4].mode = RF_MODE_COUNT;
  EXPECT_EQ(program_->Configure(config, Action::kReflect).code(),
            absl::StatusCode::kInvalidArgument);
  config.rules[4].mode = RF_MODE_MAC;
  config.rule_count = RF_MAX_RULES + 1;
  EXPECT_EQ(program_->Configure(config, Action::kReflect).code(),
            absl::StatusCode::kInvalidArgument);
  config.rule_count = 5;
  EXPECT_EQ(program_->Configure(config, static_cast<Action>(RF_XDP_ACTION_COUNT)).code(),
            absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(program_->Configure(config, Action::kMonitor).ok());
  EXPECT_EQ(program_->config().action, RF_XDP_MONITOR);
  EXPECT_EQ(program_->config().filter.rules[4].mode, RF_MODE_MAC);
}

}  // namespace
}  // namespace reflector::xdp
