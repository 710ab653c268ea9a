// reflectord's Y.1731 responder on a veth pair, once per data path (issue 14): started with
// the y1731 profile alone, it answers exactly the CFM table's unicast requests of its level
// (LBM, DMM, SLM; untagged and tagged) with the table's bytes but for the DMR timestamps, which
// lie in order inside the test's window, and passes every other CFM frame; its JSON counters
// name each answer and each reason, and count no answered request as rejected. The host stack
// (a packet socket bound to the CFM EtherType, which only frames passed on to the stack reach)
// sees every frame passed and none answered. The class-1 multicast LBM is answered when
// --y1731_multicast_lbm is on and passed (reason address) when it is off.
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <signal.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "reflector/base/unique_fd.h"
#include "reflector/daemon/stamp_clock.h"
#include "reflector/packet/cfm_responder.h"
#include "reflector/packet/config.h"
#include "reflector/packet/packet.h"
#include "reflector/packet/testing/cfm_frames.h"
#include "reflector/packet/testing/stamp_frames.h"
#include "testing/daemon/datapath_lab_test.h"
#include "testing/lab/daemon_stats.h"
#include "testing/lab/frame_compare.h"
#include "testing/lab/reflector_lab.h"

namespace reflector::testing {
namespace {

using packet::CfmOutcome;
using packet::testing::CfmCase;
using packet::testing::ReadBe;

// What reaches the reflector host's stack: a packet socket bound to the CFM EtherType in the
// reflector's namespace. Such a socket is a protocol handler, served after tc ingress and only
// for frames the XDP program passed, unlike an ETH_P_ALL tap. Frames come without the outer tag
// the kernel took into metadata.
class StackProbe {
 public:
  static absl::StatusOr<StackProbe> Open(const lab::ReflectorLab& the_lab) {
    absl::StatusOr<lab::NetnsEntry> inside = the_lab.Enter(lab::End::kReflector);
    if (!inside.ok()) return inside.status();
    UniqueFd fd(socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(RF_ETHERTYPE_CFM)));
    if (!fd.valid()) return absl::ErrnoToStatus(errno, "open a CFM packet socket");
    sockaddr_ll address = {};
    address.sll_family = AF_PACKET;
    address.sll_protocol = htons(RF_ETHERTYPE_CFM);
    address.sll_ifindex = the_lab.ifindex(lab::End::kReflector);
    if (bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
      return absl::ErrnoToStatus(errno, "bind the CFM packet socket");
    }
    const int size = 4 << 20;
    setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size));
    return StackProbe(std::move(fd));
  }
  // Every frame that reached the stack so far.
  std::vector<std::vector<uint8_t>> Drain() {
    std::vector<std::vector<uint8_t>> frames;
    std::vector<uint8_t> buffer(2048);
    for (;;) {
      const ssize_t n = recv(fd_.get(), buffer.data(), buffer.size(), MSG_DONTWAIT);
      if (n < 0) return frames;
      frames.emplace_back(buffer.begin(), buffer.begin() + n);
    }
  }

 private:
  explicit StackProbe(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
};

// `frame` as the stack gets it: without its outer tag.
std::vector<uint8_t> WithoutOuterTag(const std::vector<uint8_t>& frame) {
  if (frame.size() < 18 || !((frame[12] == 0x81 && frame[13] == 0x00) ||
                             (frame[12] == 0x88 && frame[13] == 0xa8))) {
    return frame;
  }
  std::vector<uint8_t> stripped(frame.begin(), frame.begin() + 12);
  stripped.insert(stripped.end(), frame.begin() + 16, frame.end());
  return stripped;
}

bool Contains(const std::vector<std::vector<uint8_t>>& frames, const std::vector<uint8_t>& f) {
  return std::find(frames.begin(), frames.end(), f) != frames.end();
}

class ReflectordY1731Test : public DataPathLabTest {};

TEST_P(ReflectordY1731Test, AnswersTheTablesRequestsAndPassesTheRest) {
  std::vector<std::string> flags = {"--profile=y1731",
                                    absl::StrCat("--y1731_level=", packet::testing::kCfmTestLevel),
                                    absl::StrCat("--y1731_mep_id=", packet::testing::kCfmTestMepId)};
  for (const std::string& flag : DataPathFlags()) flags.push_back(flag);
  absl::StatusOr<lab::LabProcess> daemon = lab_->StartReflectord(flags);
  ASSERT_TRUE(daemon.ok()) << daemon.status();

  // The cases of the default settings (no VLAN, no multicast), as a veth carries them (at
  // least 60 bytes: the kernel pads nothing a packet socket sends). SLM's TxFCb counts per
  // test: the table's SLMs share one test, so the n-th carries n.
  absl::StatusOr<StackProbe> stack = StackProbe::Open(*lab_);
  ASSERT_TRUE(stack.ok()) << stack.status();
  std::vector<lab::Frame> expected;
  std::vector<const CfmCase*> answered, passed;
  std::map<std::string, uint64_t> outcomes;  // what the y1731 counters must say
  std::map<std::string, uint64_t> rejected;  // and the classifier's reasons for the rest
  int sent = 0;
  uint32_t slrs = 0;
  const uint64_t before = packet::TaiNowNs();
  for (const CfmCase& c : packet::testing::CfmTable()) {
    if (c.vlan.has_value() || c.multicast_lbm || c.frame.size() < 60) continue;
    ASSERT_TRUE(lab_->Send(c.frame).ok()) << c.name;
    ++sent;
    if (c.outcome != CfmOutcome::kNotCfm) {
      ++outcomes[std::string(packet::CfmOutcomeName(c.outcome))];
    }
    if (!packet::CfmAnswered(c.outcome)) {
      absl::StatusOr<packet::CompiledConfig> compiled = packet::Compile(c.filter());
      ASSERT_TRUE(compiled.ok()) << compiled.status();
      ++rejected[std::string(
          packet::VerdictName(packet::Classify(c.frame, compiled->wire).verdict))];
      passed.push_back(&c);
      continue;
    }
    answered.push_back(&c);
    std::vector<uint8_t> answer = c.expected;
    if (c.outcome == CfmOutcome::kSlr) {
      answer[packet::testing::CfmHeaderOffset(answer) + 19] = static_cast<uint8_t>(++slrs);
    }
    expected.push_back(answer);
  }
  ASSERT_GT(expected.size(), 5u);
  // Not Collect: its reflections are UDP, CFM answers are what it counts as host traffic.
  absl::StatusOr<std::vector<lab::Frame>> arrived = lab_->ReceiveUntilQuiet(absl::Seconds(1));
  const uint64_t after = packet::TaiNowNs();
  ASSERT_TRUE(arrived.ok()) << arrived.status();
  std::vector<lab::Frame> masked;
  for (const lab::Frame& f : *arrived) {
    const size_t h = packet::testing::CfmHeaderOffset(f);
    if (h < 14 || h > f.size() || f[h - 2] != 0x89 || f[h - 1] != 0x02) continue;  // not CFM
    if (f.size() > h + 28 && f[h + 1] == RF_CFM_OP_DMR) {
      const rf_stamp_clock clock = daemon::ReadStampClock();  // as the daemon converts
      EXPECT_LE(packet::testing::StampTimestamp(before, clock, true), ReadBe(f, h + 12, 8));
      EXPECT_LE(ReadBe(f, h + 12, 8), ReadBe(f, h + 20, 8));
      EXPECT_LE(ReadBe(f, h + 20, 8), packet::testing::StampTimestamp(after, clock, true));
    }
    masked.push_back(packet::testing::MaskCfmTimes(f));
  }
  EXPECT_TRUE(lab::CompareFrameMultisets(expected, masked).ok())
      << lab::CompareFrameMultisets(expected, masked);

  absl::StatusOr<lab::DaemonCounters> counted = lab::RequestStats(*daemon, absl::Seconds(5));
  ASSERT_TRUE(counted.ok()) << counted.status();
  EXPECT_EQ(counted->rx_frames, static_cast<uint64_t>(sent));
  EXPECT_EQ(counted->reflected_frames, expected.size());
  // Each answer and each reason as often as the table says, and no answered request among
  // the rejected frames (afpacket's tc program once counted them as ethertype rejects).
  EXPECT_EQ(counted->y1731, outcomes);
  EXPECT_EQ(counted->rejected, rejected);
  EXPECT_EQ(counted->rejected_frames, passed.size());

  // The stack saw every passed CFM frame (those whose EtherType it can tell: untagged) and
  // none of the answered ones.
  const std::vector<std::vector<uint8_t>> at_stack = stack->Drain();
  int untagged_passed = 0;
  for (const CfmCase* c : passed) {
    if (c->outcome == CfmOutcome::kNotCfm || c->frame[12] != 0x89 || c->frame[13] != 0x02) {
      continue;
    }
    ++untagged_passed;
    EXPECT_TRUE(Contains(at_stack, c->frame)) << c->name << " did not reach the stack";
  }
  EXPECT_GT(untagged_passed, 3);
  for (const CfmCase* c : answered) {
    EXPECT_FALSE(Contains(at_stack, WithoutOuterTag(c->frame)))
        << c->name << " was answered and reached the stack too";
  }
  ASSERT_TRUE(daemon->Signal(SIGTERM).ok());
  absl::StatusOr<int> exit_code = daemon->Wait(absl::Seconds(10));
  ASSERT_TRUE(exit_code.ok()) << exit_code.status();
  EXPECT_EQ(*exit_code, 0) << daemon->Describe();
  EXPECT_TRUE(lab_->CheckNothingAttached().ok()) << lab_->CheckNothingAttached();
}

// The class-1 multicast LBM (01:80:C2:00:00:3x, x the level) with --y1731_multicast_lbm on:
// answered from the interface MAC and kept from the stack; off: passed for its address.
TEST_P(ReflectordY1731Test, MulticastLbmAnsweredOnlyWhenEnabled) {
  const CfmCase* multicast = nullptr;
  for (const CfmCase& c : packet::testing::CfmTable()) {
    if (c.name == "lbm_multicast_on") multicast = &c;
  }
  ASSERT_NE(multicast, nullptr) << "the CFM table has no lbm_multicast_on any more";
  ASSERT_TRUE(multicast->multicast_lbm && multicast->outcome == CfmOutcome::kLbr);
  for (const bool enabled : {true, false}) {
    SCOPED_TRACE(enabled ? "enabled" : "disabled");
    std::vector<std::string> flags = {
        "--profile=y1731", absl::StrCat("--y1731_level=", packet::testing::kCfmTestLevel),
        absl::StrCat("--y1731_mep_id=", packet::testing::kCfmTestMepId),
        absl::StrCat("--y1731_multicast_lbm=", enabled ? "true" : "false")};
    for (const std::string& flag : DataPathFlags()) flags.push_back(flag);
    absl::StatusOr<lab::LabProcess> daemon = lab_->StartReflectord(flags);
    ASSERT_TRUE(daemon.ok()) << daemon.status();
    absl::StatusOr<StackProbe> stack = StackProbe::Open(*lab_);
    ASSERT_TRUE(stack.ok()) << stack.status();
    constexpr int kFrames = 3;
    for (int i = 0; i < kFrames; ++i) ASSERT_TRUE(lab_->Send(multicast->frame).ok());
    absl::StatusOr<std::vector<lab::Frame>> arrived = lab_->ReceiveUntilQuiet(absl::Seconds(1));
    ASSERT_TRUE(arrived.ok()) << arrived.status();
    int answers = 0;
    for (const lab::Frame& f : *arrived) {
      if (f == multicast->expected) ++answers;
    }
    const std::vector<std::vector<uint8_t>> at_stack = stack->Drain();
    const int seen_by_stack =
        static_cast<int>(std::count(at_stack.begin(), at_stack.end(), multicast->frame));
    absl::StatusOr<lab::DaemonCounters> counted = lab::RequestStats(*daemon, absl::Seconds(5));
    ASSERT_TRUE(counted.ok()) << counted.status();
    if (enabled) {
      EXPECT_EQ(answers, kFrames);
      EXPECT_EQ(seen_by_stack, 0);
      EXPECT_EQ(counted->y1731, (std::map<std::string, uint64_t>{{"lbr", kFrames}}));
      EXPECT_EQ(counted->reflected_frames, static_cast<uint64_t>(kFrames));
      EXPECT_EQ(counted->rejected_frames, 0u);
    } else {
      EXPECT_EQ(answers, 0);
      EXPECT_EQ(seen_by_stack, kFrames);
      EXPECT_EQ(counted->y1731, (std::map<std::string, uint64_t>{{"address", kFrames}}));
      EXPECT_EQ(counted->reflected_frames, 0u);
      EXPECT_EQ(counted->rejected_frames, static_cast<uint64_t>(kFrames));
    }
    ASSERT_TRUE(daemon->Signal(SIGTERM).ok());
    absl::StatusOr<int> exit_code = daemon->Wait(absl::Seconds(10));
    ASSERT_TRUE(exit_code.ok()) << exit_code.status();
    EXPECT_EQ(*exit_code, 0) << daemon->Describe();
  }
}

INSTANTIATE_TEST_SUITE_P(DataPaths, ReflectordY1731Test,
                         ::testing::Values("xdp", "afxdp", "afpacket"),
                         [](const auto& info) { return lab::DataPathTestName(info.param); });

}  // namespace
}  // namespace reflector::testing
