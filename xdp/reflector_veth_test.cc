// The XDP program attached to a veth in its own namespace (SPEC §7): test frames sent from the
// peer come back reflected byte for byte, everything else reaches the stack (ICMP echo works),
// the counters match what was sent, a configuration change applies while attached, and
// nothing stays attached afterwards. Each test builds and deletes its own namespaces.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "reflector/packet/config.h"
#include "reflector/packet/packet.h"
#include "reflector/packet/testing/frame_builder.h"
#include "reflector/packet/testing/frame_table.h"
#include "testing/lab/hosts.h"
#include "testing/lab/packet_socket.h"
#include "testing/lab/ping.h"
#include "testing/lab/reflector_lab.h"
#include "testing/lab/require_root.h"
#include "testing/lab/xdp_pass.h"
#include "xdp/loader.h"

namespace reflector::xdp {
namespace {

using packet::Verdict;
using packet::testing::FrameCase;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::lab::End;
using testing::lab::NetnsEntry;
using testing::lab::PacketSocket;
using testing::lab::ReflectorLab;
using testing::lab::ReflectorLabOptions;

constexpr absl::Duration kReceiveWindow = absl::Seconds(3);

// The program goes on the lab's reflector end. The tester end starts with no address and both
// ends without IPv6, so neither stack sends anything on its own and the counters can be
// compared exactly. `tester_xdp_and_socket`: the tester end gets an XDP_PASS program (veth
// hands XDP_TX frames only to a peer with XDP on) and a packet socket.
absl::StatusOr<std::unique_ptr<ReflectorLab>> MakeLab(int mtu, bool tester_xdp_and_socket) {
  ReflectorLabOptions options;
  options.mtu = mtu;
  options.ipv6 = false;
  options.tester_xdp_pass = tester_xdp_and_socket;
  options.tester_socket = tester_xdp_and_socket;
  return ReflectorLab::Create(options);
}

// The XDP program attached to `interface` of the calling thread's namespace, or 0.
uint32_t AttachedProgramId(absl::string_view interface) {
  const unsigned ifindex = if_nametoindex(std::string(interface).c_str());
  if (ifindex == 0) return 0;
  LIBBPF_OPTS(bpf_xdp_query_opts, query);
  if (bpf_xdp_query(static_cast<int>(ifindex), 0, &query) != 0) return 0;
  return query.prog_id;
}

uint32_t ProgramId(int program_fd) {
  bpf_prog_info info = {};
  uint32_t length = sizeof(info);
  return bpf_obj_get_info_by_fd(program_fd, &info, &length) == 0 ? info.id : 0;
}

// Receives until every frame in `expected` has arrived once (each is removed as it does) or
// the window closes. Other frames (the stack's own traffic) are ignored.
// `tester` is the lab or a packet socket of the tester's.
template <typename Tester>
void ReceiveExpected(Tester& tester, std::vector<std::vector<uint8_t>>& expected,
                     absl::Duration window = kReceiveWindow) {
  const absl::Time deadline = absl::Now() + window;
  while (!expected.empty()) {
    absl::StatusOr<std::optional<std::vector<uint8_t>>> frame = tester.Receive(deadline);
    ASSERT_TRUE(frame.ok()) << frame.status();
    if (!frame->has_value()) return;
    auto match = std::find(expected.begin(), expected.end(), **frame);
    if (match != expected.end()) expected.erase(match);
  }
}

// The frame table's cases that the default configuration classifies and that fit a veth
// with a 1500-byte MTU and the AF_PACKET minimum of an Ethernet header.
std::vector<const FrameCase*> DefaultConfigCases() {
  const rf_config config = packet::testing::DefaultTestConfig();
  std::vector<const FrameCase*> cases;
  for (const FrameCase& c : packet::testing::FrameTable()) {
    if (std::memcmp(&c.config, &config, sizeof(config)) != 0) continue;
    if (c.frame.size() < 14 || c.frame.size() > 1514) continue;
    cases.push_back(&c);
  }
  return cases;
}

class ReflectorVethTest : public ::testing::TestWithParam<AttachMode> {};

TEST_P(ReflectorVethTest, ReflectsTestFramesAndPassesTheRest) {
  REFLECTOR_REQUIRE_ROOT();
  const AttachMode mode = GetParam();
  // Tester side: the XDP_PASS program and the packet socket of the lab.
  absl::StatusOr<std::unique_ptr<ReflectorLab>> lab = MakeLab(1500, true);
  ASSERT_TRUE(lab.ok()) << lab.status();
  ReflectorLab& tester = **lab;

  absl::StatusOr<std::unique_ptr<XdpProgram>> program = XdpProgram::Load();
  ASSERT_TRUE(program.ok()) << program.status();
  const rf_config config = packet::testing::DefaultTestConfig();
  ASSERT_TRUE((*program)->Configure(config, Action::kReflect).ok());
  {
    absl::StatusOr<NetnsEntry> inside = (*lab)->Enter(End::kReflector);
    ASSERT_TRUE(inside.ok()) << inside.status();
    absl::StatusOr<Attachment> attached =
        (*program)->Attach((*lab)->reflector_if(), {.mode = mode});
    ASSERT_TRUE(attached.ok()) << attached.status();
    EXPECT_EQ(attached->mode, mode);
    EXPECT_EQ(attached->fallback_reason, "");
    EXPECT_EQ(AttachedProgramId((*lab)->reflector_if()), ProgramId((*program)->program_fd()));
  }

  // 1. Every table frame of the default configuration: reflected ones come back exact.
  absl::StatusOr<rf_xdp_counters> before = (*program)->ReadCounters();
  ASSERT_TRUE(before.ok()) << before.status();
  std::vector<std::vector<uint8_t>> expected;
  std::array<uint64_t, packet::kVerdictCount> sent = {};
  for (const FrameCase* c : DefaultConfigCases()) {
    ASSERT_TRUE(tester.Send(c->frame).ok()) << c->name;
    ++sent[static_cast<int>(c->verdict)];
    if (c->verdict == Verdict::kReflect) expected.push_back(c->ExpectedReflection());
  }
  const size_t reflected = expected.size();
  ASSERT_GT(reflected, 10u);
  ReceiveExpected(tester, expected);
  EXPECT_TRUE(expected.empty()) << expected.size() << " of " << reflected
                                << " reflected frames did not come back byte-exact";

  absl::StatusOr<rf_xdp_counters> after = (*program)->ReadCounters();
  ASSERT_TRUE(after.ok()) << after.status();
  const rf_xdp_counters counted = CountersSince(*after, *before);
  for (int v = 1; v < packet::kVerdictCount; ++v) {
    EXPECT_EQ(counted.verdict_frames[v], sent[v]) << packet::VerdictName(static_cast<Verdict>(v));
  }
  EXPECT_EQ(ReflectVerdicts(counted), sent[0]);
  EXPECT_EQ(SentFrames(counted, false), reflected);
  EXPECT_EQ(PassedFrames(counted, false), DefaultConfigCases().size() - reflected);

  // 2. A change while attached, no reload: monitor counts the frame and passes it.
  ASSERT_TRUE((*program)->Configure(config, Action::kMonitor).ok());
  const std::vector<uint8_t> probe = packet::testing::FrameBuilder().Build();
  ASSERT_TRUE(tester.Send(probe).ok());
  std::vector<std::vector<uint8_t>> not_expected = {
      packet::testing::FrameBuilder().Reflected(packet::Mode::kAll, /*tos_handshake=*/true).Build()};
  ReceiveExpected(tester, not_expected, absl::Milliseconds(300));
  EXPECT_EQ(not_expected.size(), 1u) << "monitor mode reflected a frame";
  absl::StatusOr<rf_xdp_counters> monitored = (*program)->ReadCounters();
  ASSERT_TRUE(monitored.ok()) << monitored.status();
  EXPECT_EQ(ReflectVerdicts(CountersSince(*monitored, *after)), 1u);
  EXPECT_EQ(PassedFrames(CountersSince(*monitored, *after), /*monitor=*/true), 1u);
  ASSERT_TRUE((*program)->Configure(config, Action::kReflect).ok());

  // 3. Ordinary traffic reaches the reflector's stack: ICMP echo.
  ASSERT_TRUE((*lab)->tester_ns().Run({"ip", "address", "add",
                                       testing::lab::Ipv4Cidr(packet::testing::kTesterIpv4),
                                       "dev", (*lab)->tester_if()}).ok());
  {
    absl::StatusOr<NetnsEntry> inside = (*lab)->Enter(End::kTester);
    ASSERT_TRUE(inside.ok()) << inside.status();
    EXPECT_TRUE(testing::lab::PingIpv4(testing::lab::Ipv4Text(packet::testing::kReflectorIpv4),
                                       absl::Seconds(3))
                    .ok());
  }
  absl::StatusOr<rf_xdp_counters> pinged = (*program)->ReadCounters();
  ASSERT_TRUE(pinged.ok()) << pinged.status();
  EXPECT_GE(CountersSince(*pinged, *monitored).verdict_frames[RF_PROTOCOL], 1u);  // ICMP
  EXPECT_EQ(ReflectVerdicts(CountersSince(*pinged, *monitored)), 0u);

  // 4. Destroying the program detaches it.
  program->reset();
  absl::StatusOr<NetnsEntry> inside = (*lab)->Enter(End::kReflector);
  ASSERT_TRUE(inside.ok()) << inside.status();
  EXPECT_EQ(AttachedProgramId((*lab)->reflector_if()), 0u);
}

INSTANTIATE_TEST_SUITE_P(Modes, ReflectorVethTest,
                         ::testing::Values(AttachMode::kNative, AttachMode::kGeneric),
                         [](const ::testing::TestParamInfo<AttachMode>& info) {
                           return std::string(AttachModeName(info.param));
                         });

// veth refuses native XDP for a program without multi-buffer support when the peer's MTU
// exceeds a page; auto mode then says why and runs generic, which linearizes jumbo frames.
TEST(ReflectorVethFallbackTest, AutoFallsBackToGenericAndReflectsJumboFrames) {
  REFLECTOR_REQUIRE_ROOT();
  absl::StatusOr<std::unique_ptr<ReflectorLab>> lab = MakeLab(9000, false);
  ASSERT_TRUE(lab.ok()) << lab.status();
  absl::StatusOr<std::unique_ptr<XdpProgram>> program = XdpProgram::Load();
  ASSERT_TRUE(program.ok()) << program.status();
  ASSERT_TRUE((*program)->Configure(packet::testing::DefaultTestConfig(), Action::kReflect).ok());
  {
    absl::StatusOr<NetnsEntry> inside = (*lab)->Enter(End::kReflector);
    ASSERT_TRUE(inside.ok()) << inside.status();
    const absl::StatusOr<Attachment> native =
        (*program)->Attach((*lab)->reflector_if(), {.mode = AttachMode::kNative});
    EXPECT_FALSE(native.ok());
    absl::StatusOr<Attachment> attached = (*program)->Attach((*lab)->reflector_if());
    ASSERT_TRUE(attached.ok()) << attached.status();
    EXPECT_EQ(attached->mode, AttachMode::kGeneric);
    EXPECT_THAT(attached->fallback_reason, HasSubstr("native"));
    std::printf("fallback reason: %s\n", attached->fallback_reason.c_str());
  }
  // Generic XDP_TX goes out through the stack, so the tester needs no XDP program here.
  absl::StatusOr<NetnsEntry> inside = (*lab)->Enter(End::kTester);
  ASSERT_TRUE(inside.ok()) << inside.status();
  absl::StatusOr<PacketSocket> tester = PacketSocket::Open((*lab)->tester_if());
  ASSERT_TRUE(tester.ok()) << tester.status();
  const packet::testing::FrameBuilder jumbo =
      packet::testing::FrameBuilder().Ito("DATA:OT").FrameSize(9000);
  ASSERT_TRUE(tester->Send(jumbo.Build()).ok());
  std::vector<std::vector<uint8_t>> expected = {
      jumbo.Reflected(packet::Mode::kAll, /*tos_handshake=*/true).Build()};
  ReceiveExpected(*tester, expected);
  EXPECT_TRUE(expected.empty()) << "the 9000-byte frame did not come back reflected";
}

// A device that already runs someone else's XDP program is refused unless replace is asked
// for; a program held by another owner's bpf_link cannot be replaced at all.
TEST(ReflectorVethOwnershipTest, RefusesOrReplacesAnotherProgram) {
  REFLECTOR_REQUIRE_ROOT();
  absl::StatusOr<std::unique_ptr<ReflectorLab>> lab = MakeLab(1500, false);
  ASSERT_TRUE(lab.ok()) << lab.status();
  absl::StatusOr<NetnsEntry> inside = (*lab)->Enter(End::kReflector);
  ASSERT_TRUE(inside.ok()) << inside.status();
  const int ifindex = (*lab)->ifindex(End::kReflector);
  absl::StatusOr<testing::lab::XdpPassProgram> other = testing::lab::XdpPassProgram::Load();
  ASSERT_TRUE(other.ok()) << other.status();
  absl::StatusOr<std::unique_ptr<XdpProgram>> program = XdpProgram::Load();
  ASSERT_TRUE(program.ok()) << program.status();

  // Netlink-attached, as `ip link set dev X xdp ...` does.
  ASSERT_EQ(bpf_xdp_attach(ifindex, other->program_fd(), XDP_FLAGS_DRV_MODE, nullptr), 0);
  const absl::StatusOr<Attachment> refused = (*program)->Attach((*lab)->reflector_if());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.status().message(), HasSubstr("already runs XDP program 'rf_lab_pass'"));
  // A command that works on a netlink-attached program.
  EXPECT_THAT(refused.status().message(),
              HasSubstr("ip link set dev " + (*lab)->reflector_if() + " xdpdrv off"));
  EXPECT_EQ(AttachedProgramId((*lab)->reflector_if()), ProgramId(other->program_fd()));

  absl::StatusOr<Attachment> replaced =
      (*program)->Attach((*lab)->reflector_if(), {.replace = true});
  ASSERT_TRUE(replaced.ok()) << replaced.status();
  EXPECT_THAT(replaced->replaced, HasSubstr("rf_lab_pass"));
  EXPECT_EQ(AttachedProgramId((*lab)->reflector_if()), ProgramId((*program)->program_fd()));
  (*program)->Detach();
  EXPECT_EQ(AttachedProgramId((*lab)->reflector_if()), 0u);

  // Held by a bpf_link: even replace must refuse, and say why.
  ASSERT_TRUE(other->Attach(ifindex).ok());
  const absl::StatusOr<Attachment> held =
      (*program)->Attach((*lab)->reflector_if(), {.replace = true});
  EXPECT_EQ(held.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(held.status().message(), HasSubstr("bpf_link"));
  // The link is ours here, so the process that holds it is this test.
  EXPECT_THAT(held.status().message(), HasSubstr(absl::StrCat("held by pid ", getpid(), " (")));
  const absl::StatusOr<Attachment> held_no_replace = (*program)->Attach((*lab)->reflector_if());
  EXPECT_THAT(held_no_replace.status().message(),
              HasSubstr(absl::StrCat("held by pid ", getpid(), " (")));
  EXPECT_THAT(held_no_replace.status().message(), Not(HasSubstr("ip link set")));
}

}  // namespace
}  // namespace reflector::xdp
