// pcap replay validation (issue 5): each golden input pcap is replayed with tcpreplay onto
// the tester's veth while reflectord runs with the fixture's flags and mode; what comes back
// must equal the golden output pcap frame by frame, bytes and order. Runs once per data path.
#include <signal.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "reflector/packet/packet.h"
#include "testing/daemon/datapath_lab_test.h"
#include "testing/lab/command.h"
#include "testing/lab/daemon_stats.h"
#include "testing/lab/frame_compare.h"
#include "testing/lab/reflector_lab.h"
#include "testing/lab/require_root.h"
#include "testing/lab/runfiles.h"
#include "testing/golden/classifier_flags.h"
#include "testing/golden/golden_fixtures.h"
#include "platform/pcap/capture_file.h"

namespace reflector::testing {
namespace {

using lab::Frame;
using lab::LabProcess;
using testing::golden::GoldenFixture;

constexpr absl::Duration kReturnTimeout = absl::Seconds(5);
constexpr absl::Duration kStopTimeout = absl::Seconds(10);

absl::StatusOr<std::vector<Frame>> PcapFrames(const std::string& name) {
  absl::StatusOr<std::string> path = lab::RunfilePath("testing/pcaps/" + name);
  if (!path.ok()) return path.status();
  absl::StatusOr<std::vector<reflector::platform::pcap::CapturedFrame>> frames =
      reflector::platform::pcap::ReadCaptureFile(*path);
  if (!frames.ok()) return frames.status();
  std::vector<Frame> bytes;
  for (auto& frame : *frames) bytes.push_back(std::move(frame.bytes));
  return bytes;
}

class PcapReplayTest : public DataPathLabTest {
 protected:
  // Replays `input_pcap` at reflectord with `flags` and compares the return with `expected`.
  void ReplayAndCompare(const std::string& input_pcap, const std::vector<std::string>& flags,
                        const std::vector<Frame>& expected) {
    absl::StatusOr<std::string> input = lab::RunfilePath("testing/pcaps/" + input_pcap);
    ASSERT_TRUE(input.ok()) << input.status();
    absl::StatusOr<LabProcess> daemon = lab_->StartReflectord(flags);
    ASSERT_TRUE(daemon.ok()) << daemon.status();

    // The Debian tcpreplay, as a user would run it, from the tester's namespace.
    const absl::Status replayed = lab_->tester_ns().Run(
        {"tcpreplay", "--quiet", "--topspeed", "--intf1=" + lab_->tester_if(), *input});
    ASSERT_TRUE(replayed.ok()) << replayed;
    absl::StatusOr<lab::Capture> capture = lab_->Collect(expected.size(), kReturnTimeout);
    ASSERT_TRUE(capture.ok()) << capture.status();
    const absl::Status same = lab::CompareFrameSequences(expected, capture->returned);
    EXPECT_TRUE(same.ok()) << same.message() << "\n(the reflector host also sent "
                           << capture->host.size() << " frames of its own: ARP, ICMP, ND...)";

    // Non-UDP frames never count as returned; the counter shows if one was reflected anyway.
    absl::StatusOr<lab::DaemonCounters> counted = lab::RequestStats(*daemon, kReturnTimeout);
    ASSERT_TRUE(counted.ok()) << counted.status();
    EXPECT_EQ(counted->reflected_frames, expected.size());

    ASSERT_TRUE(daemon->Signal(SIGTERM).ok());
    absl::StatusOr<int> exit_code = daemon->Wait(kStopTimeout);
    ASSERT_TRUE(exit_code.ok()) << exit_code.status();
    EXPECT_EQ(*exit_code, 0) << daemon->Describe();
    EXPECT_TRUE(lab_->CheckNothingAttached().ok()) << lab_->CheckNothingAttached();
  }
};

TEST_P(PcapReplayTest, EveryGoldenPcapComesBackAsItsExpectedOutput) {
  for (const GoldenFixture& fixture : testing::golden::GoldenFixtures()) {
    for (packet::Mode mode : packet::kAllModes) {
      const std::string output = OutputPcapName(fixture, mode);
      absl::StatusOr<std::vector<std::string>> classifier_flags =
          testing::golden::ClassifierFlags(fixture.FilterFor(mode));
      ASSERT_TRUE(classifier_flags.ok()) << classifier_flags.status();
      std::vector<std::string> flags = *classifier_flags;
      // One queue, one worker: the order of the frames is part of what is compared. No loop
      // guard: the expected outputs are the offline classifier's, which has none, and an input
      // holds the same frame twice (table_default has one IPv6 frame under two names); the
      // guard has its own lab test (reflectord_guard_test).
      flags.insert(flags.end(), {"--datapath=" + GetParam(), "--queues=1", "--loop_window=0"});
      SCOPED_TRACE(absl::StrCat(InputPcapName(fixture), " -> ", output, " with ",
                                absl::StrJoin(flags, " ")));
      absl::StatusOr<std::vector<Frame>> expected = PcapFrames(output);
      ASSERT_TRUE(expected.ok()) << expected.status();
      ReplayAndCompare(InputPcapName(fixture), flags, *expected);
      if (HasFatalFailure()) return;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(DataPaths, PcapReplayTest,
                         ::testing::Values("xdp", "afxdp", "afpacket"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace reflector::testing
