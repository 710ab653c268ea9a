// The safety envelope on a production network (issue 17, SPEC §8), once per data path:
//   * two reflectors that take each other's frames, the one under test in the reflector
//     namespace and a peer on the tester's end of the veth, with one frame injected: without
//     the loop guard they bounce it for as long as they run (the control that shows the setup
//     loops); with it, a handful of reflections, a `loop` count and one line naming the peer;
//   * a tester's stream through the guard: every frame reflected, no `loop`;
//   * the lease: reflecting until it runs out, nothing (counted as `lease`) after, again once
//     SIGUSR2 renews it. The test waits for the daemon's lines, never for a time.
#include <sched.h>
#include <signal.h>

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "reflector/packet/testing/frame_builder.h"
#include "testing/daemon/datapath_lab_test.h"
#include "testing/lab/daemon_stats.h"
#include "testing/lab/reflections.h"
#include "testing/lab/reflector_lab.h"
#include "testing/lab/runfiles.h"

namespace reflector::testing {
namespace {

using packet::Mode;
using packet::testing::FrameBuilder;

constexpr absl::Duration kTimeout = absl::Seconds(10);

// A software tester's RFC 2544 frame (any OUI) on port 3842 both ways, so that each
// reflection of it is a test frame for the reflector at the other end too.
FrameBuilder LoopingFrame(uint16_t id) {
  return FrameBuilder().Ports(3842, 3842).IpId(id).Custom("RFC2544");
}

class ReflectordGuardTest : public DataPathLabTest {
 protected:
  absl::StatusOr<lab::LabProcess> StartReflector(const std::vector<std::string>& extra) {
    std::vector<std::string> flags = DataPathFlags();
    flags.push_back("--stats_interval=0");
    flags.insert(flags.end(), extra.begin(), extra.end());
    return lab_->StartReflectord(flags);
  }
};

// With a second reflector on the tester's end instead of the tester's XDP_PASS program.
class ReflectordLoopTest : public ReflectordGuardTest {
 protected:
  // The peer brings its own XDP program, which veth needs to deliver the XDP data paths'
  // XDP_TX frames; against afpacket, which sends through a socket and has no XDP program for
  // the peer's XDP_TX frames to reach, the peer is afpacket too.
  lab::ReflectorLabOptions LabOptions() const override {
    lab::ReflectorLabOptions options;
    options.tester_xdp_pass = false;
    return options;
  }

  absl::StatusOr<lab::LabProcess> StartPeer(const std::string& loop_window) {
    absl::StatusOr<std::string> binary = lab::RunfilePath("reflector/reflectord");
    if (!binary.ok()) return binary.status();
    absl::StatusOr<lab::LabProcess> peer = lab_->Spawn(
        lab::End::kTester,
        {*binary, "--interface=" + lab_->tester_if(),
         DataPath() == "afpacket" ? "--datapath=afpacket" : "--datapath=xdp",
         "--stats_format=json", "--stats_interval=0", "--loop_window=" + loop_window});
    if (!peer.ok()) return peer.status();
    if (absl::Status up = peer->WaitForStderr("  data path  ", kTimeout); !up.ok()) {
      return absl::InternalError(absl::StrCat(up.message(), ": ", peer->Describe()));
    }
    return peer;
  }
};

// Stops a daemon and returns the counters of its final JSON line.

TEST_P(ReflectordLoopTest, TwoReflectorsFacingEachOtherLoopWithoutTheGuardOnly) {
  // The control: with the guard off at both ends one frame goes round and round.
  {
    absl::StatusOr<lab::LabProcess> reflector = StartReflector({"--loop_window=0"});
    ASSERT_TRUE(reflector.ok()) << reflector.status();
    absl::StatusOr<lab::LabProcess> peer = StartPeer("0");
    ASSERT_TRUE(peer.ok()) << peer.status();
    ASSERT_TRUE(lab_->Send(LoopingFrame(1).Build()).ok());
    // Each reflection triggers the next: wait until the reflector has counted a thousand.
    bool looping = false;
    for (int i = 0; i < 100 && !looping; ++i) {
      absl::StatusOr<lab::DaemonCounters> now = lab::RequestStats(*reflector, kTimeout);
      ASSERT_TRUE(now.ok()) << now.status();
      looping = now->reflected_frames > 1000;
      if (!looping) absl::SleepFor(absl::Milliseconds(100));
    }
    EXPECT_TRUE(looping) << "the setup does not loop: " << reflector->Describe();
    absl::StatusOr<lab::DaemonCounters> mine = lab::StopAndCount(*reflector, kTimeout);
    absl::StatusOr<lab::DaemonCounters> theirs = lab::StopAndCount(*peer, kTimeout);
    ASSERT_TRUE(mine.ok()) << mine.status();
    ASSERT_TRUE(theirs.ok()) << theirs.status();
    EXPECT_EQ(mine->Rejected("loop"), 0u);
  }

  // With the guard (on by default) at both ends: the reflector under test sees the frame come
  // back and drops it.
  absl::StatusOr<lab::LabProcess> reflector = StartReflector({});
  ASSERT_TRUE(reflector.ok()) << reflector.status();
  absl::StatusOr<lab::LabProcess> peer = StartPeer("100ms");
  ASSERT_TRUE(peer.ok()) << peer.status();
  ASSERT_TRUE(lab_->Send(LoopingFrame(2).Build()).ok());
  const std::string line = absl::StrCat("loop: 1 frame from ",
                                        packet::FormatMac(packet::testing::kTesterMac),
                                        " came back already reflected");
  ASSERT_TRUE(reflector->WaitForStderr(line, kTimeout).ok()) << reflector->Describe();
  // What else would still come, comes within this.
  absl::SleepFor(absl::Milliseconds(500));
  absl::StatusOr<lab::DaemonCounters> mine = lab::StopAndCount(*reflector, kTimeout);
  absl::StatusOr<lab::DaemonCounters> theirs = lab::StopAndCount(*peer, kTimeout);
  ASSERT_TRUE(mine.ok()) << mine.status();
  ASSERT_TRUE(theirs.ok()) << theirs.status();
  EXPECT_LE(mine->reflected_frames + theirs->reflected_frames, 10u)
      << reflector->Describe() << peer->Describe();
  EXPECT_GE(mine->Rejected("loop"), 1u) << reflector->Describe();
  // One line for the episode, however many frames it dropped.
  const std::string errors = reflector->Stderr();
  size_t lines = 0;
  for (size_t at = errors.find("loop: "); at != std::string::npos; at = errors.find("loop: ", at + 1)) {
    ++lines;
  }
  EXPECT_EQ(lines, 1u) << reflector->Describe();
}

TEST_P(ReflectordGuardTest, ATestersStreamPassesTheGuard) {
  // The guard's table is per CPU (XDP) or per worker: one flow's frames, and a loop's one frame,
  // arrive on one CPU, as a NIC's RSS hashes them to one queue. veth receives a frame on the
  // CPU that sent it, so the test sends from one CPU.
  cpu_set_t one_cpu;
  CPU_ZERO(&one_cpu);
  CPU_SET(sched_getcpu(), &one_cpu);
  ASSERT_EQ(sched_setaffinity(0, sizeof(one_cpu), &one_cpu), 0);
  // The longest window: the whole test runs inside it.
  absl::StatusOr<lab::LabProcess> reflector = StartReflector({"--loop_window=60s"});
  ASSERT_TRUE(reflector.ok()) << reflector.status();
  // The frames of a stream differ in a sequence number (here the IP ID): none is a loop.
  constexpr int kFrames = 200;
  for (int i = 0; i < kFrames; ++i) {
    ASSERT_TRUE(lab_->Send(FrameBuilder().IpId(static_cast<uint16_t>(1000 + i)).Build()).ok());
  }
  absl::StatusOr<lab::Capture> capture = lab_->Collect(kFrames, kTimeout);
  ASSERT_TRUE(capture.ok()) << capture.status();
  absl::StatusOr<lab::DaemonCounters> stream = lab::RequestStats(*reflector, kTimeout);
  ASSERT_TRUE(stream.ok()) << stream.status();
  EXPECT_EQ(stream->reflected_frames, static_cast<uint64_t>(kFrames)) << reflector->Describe();
  EXPECT_EQ(stream->Rejected("loop"), 0u) << reflector->Describe();
  // The same frame again within the window is one the reflector already reflected.
  const FrameBuilder repeated = FrameBuilder().IpId(1000);
  ASSERT_TRUE(lab_->Send(repeated.Build()).ok());
  absl::StatusOr<lab::Capture> again = lab_->Collect(1, absl::Seconds(1));
  ASSERT_TRUE(again.ok()) << again.status();
  for (const lab::Frame& back : again->returned) {
    EXPECT_NE(back, repeated.Reflected(Mode::kAll, /*tos_handshake=*/true).Build());
  }
  absl::StatusOr<lab::DaemonCounters> counted = lab::StopAndCount(*reflector, kTimeout);
  ASSERT_TRUE(counted.ok()) << counted.status();
  EXPECT_EQ(counted->reflected_frames, static_cast<uint64_t>(kFrames));
  EXPECT_EQ(counted->Rejected("loop"), 1u) << reflector->Describe();
}

TEST_P(ReflectordGuardTest, TheLeaseStopsReflectingUntilRenewed) {
  absl::StatusOr<lab::LabProcess> reflector = StartReflector({"--lease=2s"});
  ASSERT_TRUE(reflector.ok()) << reflector.status();
  EXPECT_TRUE(absl::StrContains(reflector->Stderr(), "lease 2s (then nothing is reflected"))
      << reflector->Describe();
  const auto reflections = [&](uint16_t id) -> size_t {
    absl::StatusOr<size_t> count = lab::CountReflections(*lab_, id);
    EXPECT_TRUE(count.ok()) << count.status();
    return count.ok() ? *count : 0;
  };
  // Sent at once: the lease has nearly two seconds left.
  EXPECT_EQ(reflections(1), 1u) << reflector->Describe();
  ASSERT_TRUE(reflector->WaitForStderr("lease of 2s ran out: reflecting nothing", kTimeout).ok())
      << reflector->Describe();
  EXPECT_EQ(reflections(2), 0u) << reflector->Describe();
  ASSERT_TRUE(reflector->Signal(SIGUSR2).ok());
  ASSERT_TRUE(reflector->WaitForStderr("lease renewed: reflecting for 2s from now", kTimeout).ok())
      << reflector->Describe();
  EXPECT_EQ(reflections(3), 1u) << reflector->Describe();
  absl::StatusOr<lab::DaemonCounters> counted = lab::StopAndCount(*reflector, kTimeout);
  ASSERT_TRUE(counted.ok()) << counted.status();
  EXPECT_EQ(counted->Rejected("lease"), 1u) << reflector->Describe();
  EXPECT_EQ(counted->reflected_frames, 2u);
}

INSTANTIATE_TEST_SUITE_P(DataPaths, ReflectordLoopTest,
                         ::testing::Values("xdp", "afxdp", "afpacket"),
                         [](const auto& info) { return info.param; });
INSTANTIATE_TEST_SUITE_P(DataPaths, ReflectordGuardTest,
                         ::testing::Values("xdp", "afxdp", "afpacket"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace reflector::testing
