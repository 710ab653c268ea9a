// XdpProgram's errors and bookkeeping that need no network namespace.
#include "xdp/loader.h"

#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/lab/require_root.h"
#include "xdp/bpf_status.h"

namespace reflector::xdp {
namespace {

using ::testing::HasSubstr;

TEST(LoaderTest, LoadsAndReportsVerifiedInstructions) {
  REFLECTOR_REQUIRE_ROOT();
  absl::StatusOr<std::unique_ptr<XdpProgram>> program = XdpProgram::Load({.max_queues = 4});
  ASSERT_TRUE(program.ok()) << program.status();
  EXPECT_GT((*program)->verified_instructions(), 0u);
  EXPECT_GE((*program)->program_fd(), 0);
  EXPECT_GE((*program)->xsk_map_fd(), 0);
  EXPECT_EQ((*program)->xsk_map_size(), 4u);
  EXPECT_FALSE((*program)->attachment().has_value());
  // Never configured: all zero, which is monitor.
  EXPECT_EQ((*program)->config().action, RF_XDP_MONITOR);
  absl::StatusOr<rf_xdp_counters> counters = (*program)->ReadCounters();
  ASSERT_TRUE(counters.ok()) << counters.status();
  EXPECT_EQ(RejectedFrames(*counters) + ReflectVerdicts(*counters), 0u);
  std::printf("verifier: %u instructions processed\n", (*program)->verified_instructions());
}

TEST(LoaderTest, ZeroQueuesIsAnError) {
  EXPECT_EQ(XdpProgram::Load({.max_queues = 0}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(LoaderTest, UnknownInterfaceListsTheOnesThatExist) {
  REFLECTOR_REQUIRE_ROOT();
  absl::StatusOr<std::unique_ptr<XdpProgram>> program = XdpProgram::Load();
  ASSERT_TRUE(program.ok()) << program.status();
  const absl::StatusOr<Attachment> attached = (*program)->Attach("rfxdp-none0");
  EXPECT_EQ(attached.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(attached.status().message(),
              HasSubstr("rfxdp-none0: no such interface; interfaces: lo"));
}

// Capabilities belong to a thread: drop them in a fresh one and the error must name them.
TEST(LoaderTest, MissingCapabilitiesAreNamed) {
  REFLECTOR_REQUIRE_ROOT();
  absl::Status status;
  std::string missing;
  std::thread([&] {
    __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[2] = {};
    ASSERT_EQ(syscall(SYS_capget, &header, data), 0);
    for (int cap : {CAP_BPF, CAP_SYS_ADMIN, CAP_NET_ADMIN}) {
      data[cap / 32].effective &= ~(1u << (cap % 32));
    }
    ASSERT_EQ(syscall(SYS_capset, &header, data), 0);
    missing = MissingBpfCapabilities();
    status = XdpProgram::Load().status();
  }).join();
  EXPECT_EQ(missing, "CAP_BPF, CAP_NET_ADMIN");
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied) << status;
  EXPECT_THAT(status.message(), HasSubstr("missing CAP_BPF, CAP_NET_ADMIN"));
}

TEST(LoaderTest, CountersSinceSubtractsEveryField) {
  rf_xdp_counters before = {};
  rf_xdp_counters after = {};
  before.verdict_frames[RF_PORT] = 2;
  after.verdict_frames[RF_PORT] = 5;
  after.rule_bytes[4] = 64;
  after.rule_frames[4] = 1;
  after.reflect_errors = 1;
  const rf_xdp_counters delta = CountersSince(after, before);
  EXPECT_EQ(delta.verdict_frames[RF_PORT], 3u);
  EXPECT_EQ(delta.rule_bytes[4], 64u);
  EXPECT_EQ(delta.reflect_errors, 1u);
  EXPECT_EQ(delta.redirected, 0u);
}

TEST(LoaderTest, TheRuleHintAndTheReasonScratchAreNotCounted) {
  rf_xdp_counters cpu0 = {};
  rf_xdp_counters cpu1 = {};
  cpu0.rule_hint = 3;
  cpu1.rule_hint = 4;
  cpu0.rule_reason = RF_PORT;
  cpu1.rule_reason = RF_SIGNATURE;
  cpu1.rule_frames[4] = 9;
  const rf_xdp_counters sum = SumCounters({cpu0, cpu1});
  EXPECT_EQ(sum.rule_hint, 0u);
  EXPECT_EQ(sum.rule_reason, 0u);
  EXPECT_EQ(sum.rule_frames[4], 9u);
  EXPECT_EQ(CountersSince(cpu1, cpu0).rule_hint, 0u);
  EXPECT_EQ(CountersSince(cpu1, cpu0).rule_reason, 0u);
}

TEST(LoaderTest, DerivedCountersFollowTheProgramsArithmetic) {
  rf_xdp_counters c = {};
  c.verdict_frames[RF_PORT] = 3;
  c.verdict_frames[RF_DST_MAC] = 2;
  c.rule_frames[0] = 7;
  c.rule_frames[31] = 1;
  c.rule_bytes[0] = 700;
  c.reflect_errors = 1;
  EXPECT_EQ(ReflectVerdicts(c), 8u);
  EXPECT_EQ(ReflectBytes(c), 700u);
  EXPECT_EQ(RejectedFrames(c), 5u);
  EXPECT_EQ(PassedFrames(c, /*monitor=*/false), 6u);  // rejects + the reflect error
  EXPECT_EQ(PassedFrames(c, /*monitor=*/true), 13u);
  EXPECT_EQ(SentFrames(c, /*monitor=*/false), 7u);
  EXPECT_EQ(SentFrames(c, /*monitor=*/true), 0u);
  c.redirected = 5;
  c.redirect_fallback = 2;
  c.reflect_errors = 0;
  EXPECT_EQ(SentFrames(c, false), 1u);
  EXPECT_EQ(PassedFrames(c, false), 7u);
}

TEST(LoaderTest, Names) {
  EXPECT_EQ(ActionName(Action::kMonitor), "monitor");
  EXPECT_EQ(ActionName(Action::kReflect), "xdp");
  EXPECT_EQ(ActionName(Action::kRedirect), "afxdp");
  EXPECT_EQ(AttachModeName(AttachMode::kAuto), "auto");
  EXPECT_EQ(AttachModeName(AttachMode::kNative), "native");
  EXPECT_EQ(AttachModeName(AttachMode::kGeneric), "generic");
}

TEST(BpfStatusTest, ErrnoBecomesAnActionableStatus) {
  EXPECT_EQ(BpfErrorToStatus(-ENODEV, "attach XDP to eth1").code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(BpfErrorToStatus(ENODEV, "attach XDP to eth1").message(),
              HasSubstr("cannot attach XDP to eth1: the interface is gone"));
  EXPECT_EQ(BpfErrorToStatus(-EBUSY, "x").code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(BpfErrorToStatus(-EBUSY, "x").message(), HasSubstr("another XDP program"));
  EXPECT_EQ(BpfErrorToStatus(-ENOMEM, "x").code(), absl::StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace reflector::xdp
