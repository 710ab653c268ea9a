#include "tools/bench/bpf_interpreter.h"

#include <linux/bpf.h>
#include <sched.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "reflector/packet/config.h"
#include "reflector/packet/loop_guard.h"
#include "reflector/packet/testing/frame_builder.h"
#include "reflector/packet/testing/frame_table.h"
#include "testing/lab/require_root.h"
#include "xdp/loader.h"
#include "xdp/test_run.h"

namespace reflector::bench {
namespace {

using packet::testing::FrameCase;
using packet::testing::FrameTable;

// bpf_prog_test_run hands a longer frame to the program in fragments, of which the program
// sees the first (xdp/reflector_prog_test.cc); the interpreter has the frame in one buffer.
constexpr size_t kSingleBufferLimit = 3000;

// The interpreter's run and then the kernel's from the same map contents (the interpreter
// writes only its copy): the same action and the same bytes out.
void ExpectSameAsKernel(const xdp::XdpProgram& program, xdp::TestRunner& kernel,
                        const std::vector<uint8_t>& frame, const std::string& name,
                        uint64_t* instructions = nullptr) {
  const absl::StatusOr<InterpretedRun> interpreted =
      InterpretXdp(program.instructions(), frame, /*cpu=*/0);
  ASSERT_TRUE(interpreted.ok()) << name << ": " << interpreted.status();
  const absl::StatusOr<xdp::TestRunResult> ran = kernel.Run(frame);
  ASSERT_TRUE(ran.ok()) << name << ": " << ran.status();
  EXPECT_EQ(interpreted->action, ran->action) << name;
  EXPECT_EQ(interpreted->frame, ran->frame) << name;
  EXPECT_GT(interpreted->instructions, 0u) << name;
  if (instructions != nullptr) *instructions = interpreted->instructions;
}

class BpfInterpreterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    REFLECTOR_REQUIRE_ROOT();
    // The kernel's test runs on CPU 0, whose per-CPU map values the interpreter copies.
    cpu_set_t cpus;
    CPU_ZERO(&cpus);
    CPU_SET(0, &cpus);
    ASSERT_EQ(sched_setaffinity(0, sizeof(cpus), &cpus), 0);
    absl::StatusOr<std::unique_ptr<xdp::XdpProgram>> loaded = xdp::XdpProgram::Load();
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    program_ = std::move(*loaded);
    absl::StatusOr<xdp::TestRunner> runner = xdp::TestRunner::Create(program_.get());
    ASSERT_TRUE(runner.ok()) << runner.status();
    runner_ = std::make_unique<xdp::TestRunner>(std::move(*runner));
  }
  std::unique_ptr<xdp::XdpProgram> program_;
  std::unique_ptr<xdp::TestRunner> runner_;
};

// Every frame of the packet library's table (every verdict, rule, tag count, IP version and
// reflect mode it holds), each under its own configuration: the action and bytes the kernel
// gives, whichever of the program's paths the frame takes.
TEST_F(BpfInterpreterTest, SameActionAndBytesAsTheKernelForTheFrameTable) {
  int compared = 0;
  for (const FrameCase& c : FrameTable()) {
    if (c.frame.size() < xdp::kMinTestRunFrame || c.frame.size() > kSingleBufferLimit) continue;
    for (const xdp::Action action :
         {xdp::Action::kReflect, xdp::Action::kMonitor, xdp::Action::kRedirect}) {
      ASSERT_TRUE(program_->Configure(c.config, action).ok()) << c.name;
      // Twice: the second run has the rule hint and the session's cache way the first left.
      for (int run = 0; run < 2; ++run) {
        ExpectSameAsKernel(*program_, *runner_, c.frame,
                           absl::StrCat(c.name, ", ", xdp::ActionName(action), ", run ", run + 1));
        if (HasFatalFailure()) return;
      }
    }
    ++compared;
  }
  EXPECT_GT(compared, 50);
}

// The loop guard's two paths: a new frame is reflected and remembered, the same frame again
// is dropped as a loop; and a frame that passes costs instructions the interpreter counts.
TEST_F(BpfInterpreterTest, LoopGuardAndCounts) {
  packet::FilterConfig filter;
  filter.dst_mac_filter = false;
  absl::StatusOr<rf_config> config = packet::ToWire(filter);
  ASSERT_TRUE(config.ok()) << config.status();
  config->guard.loop_window_ticks = packet::LoopWindowTicks(absl::Milliseconds(100));
  ASSERT_TRUE(program_->Configure(*config, xdp::Action::kReflect).ok());
  const std::vector<uint8_t> frame = packet::testing::FrameBuilder()
                                         .SrcMac({0x00, 0xc0, 0x17, 0x54, 0x05, 0x98})
                                         .DstMac({0x02, 0x00, 0x5e, 0x10, 0x00, 0x02})
                                         .Ports(RF_DEFAULT_PORT, RF_DEFAULT_PORT)
                                         .Custom("RFC2544")
                                         .FrameSize(64)
                                         .Build();
  uint64_t first = 0;
  ExpectSameAsKernel(*program_, *runner_, frame, "new frame", &first);
  const absl::StatusOr<InterpretedRun> again =
      InterpretXdp(program_->instructions(), frame, /*cpu=*/0);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->action, XDP_DROP) << "the kernel's table holds the frame now";
  ExpectSameAsKernel(*program_, *runner_, frame, "the same frame again");
  // A reflected test frame's path: more than a bare MAC swap's few instructions, far fewer
  // than a run bound.
  EXPECT_GT(first, 50u);
  EXPECT_LT(first, 2000u);
}

}  // namespace
}  // namespace reflector::bench
