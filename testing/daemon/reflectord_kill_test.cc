// What reflectord leaves on its interface when it is killed (issue 11 §2), once per data path:
// nothing. The XDP program and the afpacket tc filter hang on bpf_links (tcx where the kernel
// has it) that the kernel detaches when the process dies, even by SIGKILL; the next start
// works, and exits cleanly on SIGINT. A clsact qdisc that an operator had there before stays,
// and the daemon does not complain about it.
//
// The rx-vlan-offload that the XDP paths turn off stays off after SIGKILL and is turned back
// on by the next start. To check more of the interface after an exit, extend
// ExpectInterfaceAsBefore: every test here calls it after every exit.
#include <signal.h>

#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "reflector/packet/testing/frame_builder.h"
#include "testing/daemon/datapath_lab_test.h"
#include "testing/lab/command.h"
#include "testing/lab/frame_compare.h"
#include "testing/lab/kernel.h"
#include "testing/lab/reflector_lab.h"

namespace reflector::testing {
namespace {

using packet::Mode;
using packet::testing::FrameBuilder;

constexpr absl::Duration kTimeout = absl::Seconds(5);

class ReflectordKillTest : public DataPathLabTest {
 protected:
  // Starts reflectord on the data path under test and checks that it reflects a frame.
  std::optional<lab::LabProcess> StartAndReflect() {
    absl::StatusOr<lab::LabProcess> daemon = lab_->StartReflectord({"--datapath=" + GetParam()});
    if (!daemon.ok()) {
      ADD_FAILURE() << daemon.status();
      return std::nullopt;
    }
    ExpectAttachmentNamedInBanner(*daemon);
    ExpectOneFrameReflected(*daemon);
    // Something is attached now, or "nothing left" below would prove nothing.
    EXPECT_FALSE(lab_->CheckNothingAttached().ok()) << "the data path should be attached now";
    return std::optional<lab::LabProcess>(*std::move(daemon));
  }

  void ExpectOneFrameReflected(const lab::LabProcess& daemon) {
    const uint16_t id = static_cast<uint16_t>(++frames_sent_);
    ASSERT_TRUE(lab_->Send(FrameBuilder().IpId(id).Build()).ok());
    absl::StatusOr<lab::Capture> capture = lab_->Collect(1, kTimeout);
    ASSERT_TRUE(capture.ok()) << capture.status();
    ASSERT_EQ(capture->returned.size(), 1u) << daemon.Describe();
    EXPECT_EQ(capture->returned[0],
              FrameBuilder().IpId(id).Reflected(Mode::kAll, /*tos_handshake=*/true).Build());
  }

  // The banner says how the afpacket filter is attached, which decides what SIGKILL leaves.
  void ExpectAttachmentNamedInBanner(const lab::LabProcess& daemon) {
    if (GetParam() != "afpacket") return;
    const std::string expected = lab::KernelHasTcx() ? "tc ingress filter through tcx link"
                                                     : "tc ingress filter through netlink tc";
    EXPECT_TRUE(absl::StrContains(daemon.Stderr(), expected)) << daemon.Stderr();
  }

  // Sends `signal` and waits for the exit it should cause.
  void Stop(lab::LabProcess& daemon, int signal) {
    ASSERT_TRUE(daemon.Signal(signal).ok());
    absl::StatusOr<int> exit_code = daemon.Wait(kTimeout);
    ASSERT_TRUE(exit_code.ok()) << exit_code.status();
    EXPECT_EQ(*exit_code, signal == SIGKILL ? -SIGKILL : 0) << daemon.Describe();
    // libbpf prints this when asked to create a clsact qdisc that exists.
    EXPECT_FALSE(absl::StrContains(daemon.Stderr(), "Exclusivity flag")) << daemon.Stderr();
  }

  // "on" or "off".
  std::string RxVlanOffload() {
    absl::StatusOr<std::string> features = lab::RunCommandOutput(
        {"ip", "netns", "exec", lab_->reflector_ns().name(), "ethtool", "-k", lab_->reflector_if()});
    if (!features.ok()) return features.status().ToString();
    if (absl::StrContains(*features, "rx-vlan-offload: on")) return "on";
    if (absl::StrContains(*features, "rx-vlan-offload: off")) return "off";
    return *features;
  }

  // The XDP paths turn veth's rx-vlan-offload off while they run; afpacket leaves it alone.
  bool TurnsOffloadOff() const { return GetParam() != "afpacket"; }

  // After any exit: nothing of the daemon's is left on the interface (an operator's clsact
  // qdisc, if the test added one, is still there).
  void ExpectInterfaceAsBefore() {
    // A link goes with the last reference to it, the dead process's file descriptors, which
    // the kernel closes as the process exits; allow it a moment all the same.
    absl::Status nothing = lab_->CheckNothingAttached();
    for (int i = 0; i < 20 && !nothing.ok(); ++i) {
      absl::SleepFor(absl::Milliseconds(50));
      nothing = lab_->CheckNothingAttached();
    }
    EXPECT_TRUE(nothing.ok()) << nothing;
  }

 private:
  int frames_sent_ = 0;
};

TEST_P(ReflectordKillTest, SigkillLeavesNothingAndTheNextStartWorks) {
  {
    std::optional<lab::LabProcess> daemon = StartAndReflect();
    if (HasFailure()) return;
    EXPECT_EQ(RxVlanOffload(), TurnsOffloadOff() ? "off" : "on");
    Stop(*daemon, SIGKILL);
  }
  ExpectInterfaceAsBefore();
  // A killed process restores nothing: the offload stays off until the next start.
  EXPECT_EQ(RxVlanOffload(), TurnsOffloadOff() ? "off" : "on");

  // The next start (here afpacket, which does not touch the offload itself, so that the
  // restore shows) turns it back on first and says so.
  {
    absl::StatusOr<lab::LabProcess> restorer = lab_->StartReflectord({"--datapath=afpacket"});
    ASSERT_TRUE(restorer.ok()) << restorer.status();
    EXPECT_EQ(RxVlanOffload(), "on");
    EXPECT_EQ(absl::StrContains(restorer->Stderr(), "turned rx-vlan-offload back on, left off by "
                                                    "a reflectord that did not stop cleanly"),
              TurnsOffloadOff())
        << restorer->Describe();
    Stop(*restorer, SIGINT);
  }

  std::optional<lab::LabProcess> next = StartAndReflect();
  if (HasFailure()) return;
  Stop(*next, SIGINT);
  ExpectInterfaceAsBefore();
  EXPECT_EQ(RxVlanOffload(), "on");
}

TEST_P(ReflectordKillTest, AClsactQdiscThatWasThereStaysAfterAnyExit) {
  ASSERT_TRUE(lab_->AddClsactQdisc().ok());
  for (int signal : {SIGINT, SIGKILL}) {
    SCOPED_TRACE(strsignal(signal));
    std::optional<lab::LabProcess> daemon = StartAndReflect();
    if (HasFailure()) return;
    Stop(*daemon, signal);
    ExpectInterfaceAsBefore();
  }
}

INSTANTIATE_TEST_SUITE_P(DataPaths, ReflectordKillTest,
                         ::testing::Values("xdp", "afxdp", "afpacket"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace reflector::testing
