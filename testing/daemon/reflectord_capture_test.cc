// reflectord --capture on each data path (issue 21): a mix of reflected and rejected frames,
// a capture of `rejected`; the file opens in tshark and holds exactly the rejected frames with
// their reasons in the packet comments, while every test frame is still reflected. Sampling
// and the frame bound hold under a burst; an unwritable path is one line and reflecting goes
// on; SIGHUP and PUT /api/v1/config start and stop the capture without a restart, and a PUT
// naming an unwritable file or a full disk is refused with one line while capture and
// reflecting go on.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "reflector/packet/testing/frame_builder.h"
#include "testing/daemon/datapath_lab_test.h"
#include "testing/lab/reflector_lab.h"

namespace reflector::testing {
namespace {

using ::testing::HasSubstr;
using packet::testing::FrameBuilder;

constexpr absl::Duration kReturnTimeout = absl::Seconds(5);
constexpr absl::Duration kStopTimeout = absl::Seconds(10);

const packet::MacAddress kIntelOui = {0x00, 0x1b, 0x21, 0x01, 0x02, 0x03};

// The comment of every packet in `path`, sorted, as tshark reads them.
std::vector<std::string> SortedComments(const std::string& path) {
  std::string out;
  FILE* pipe = popen(
      absl::StrCat("tshark -r ", path, " -T fields -e frame.comment 2>&1").c_str(), "r");
  if (pipe == nullptr) return {"popen failed"};
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) out.append(buffer, n);
  pclose(pipe);
  std::vector<std::string> lines = absl::StrSplit(out, '\n', absl::SkipEmpty());
  // tshark warns about running as root on stderr; only comments are wanted.
  lines.erase(std::remove_if(lines.begin(), lines.end(),
                             [](const std::string& l) { return absl::StartsWith(l, "Running as"); }),
              lines.end());
  std::sort(lines.begin(), lines.end());
  return lines;
}

class ReflectordCaptureTest : public DataPathLabTest {
 protected:
  std::string TempPath(const std::string& name) const {
    const char* dir = std::getenv("TEST_TMPDIR");
    return absl::StrCat(dir ? dir : "/tmp", "/", name, "-", getpid(), "-", DataPath());
  }
  // Sends `reflected` test frames and the rejected mix; checks every test frame comes back.
  void SendMix(int reflected) {
    for (int i = 0; i < reflected; ++i) {
      ASSERT_TRUE(lab_->Send(FrameBuilder().IpId(static_cast<uint16_t>(i)).Build()).ok());
    }
    for (const auto& frame : RejectedMix()) ASSERT_TRUE(lab_->Send(frame).ok());
    absl::StatusOr<lab::Capture> back = lab_->Collect(reflected, kReturnTimeout);
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(back->returned.size(), static_cast<size_t>(reflected));
  }
  static std::vector<std::vector<uint8_t>> RejectedMix() {
    return {FrameBuilder().SrcMac(kIntelOui).Build(), FrameBuilder().SrcMac(kIntelOui).Build(),
            FrameBuilder().Ports(1000, 5001).Build(),
            FrameBuilder().Ports(1000, 5001).IpProtocol(6).Build()};
  }
  static std::vector<std::string> RejectedMixComments() {
    return {"rejected: oui (src 00:1b:21, allowed 00:c0:17)",
            "rejected: oui (src 00:1b:21, allowed 00:c0:17)",
            "rejected: port (dst port 5001, rules want 3842)",
            "rejected: protocol (IP protocol 6)"};
  }
  void Stop(lab::LabProcess& daemon) {
    ASSERT_TRUE(daemon.Signal(SIGTERM).ok());
    absl::StatusOr<int> code = daemon.Wait(kStopTimeout);
    ASSERT_TRUE(code.ok()) << code.status();
    EXPECT_EQ(*code, 0) << daemon.Describe();
  }
};

TEST_P(ReflectordCaptureTest, RejectedCaptureHoldsExactlyTheRejectedFramesWithTheirReasons) {
  const std::string path = TempPath("rejected.pcapng");
  absl::StatusOr<lab::LabProcess> daemon = lab_->StartReflectord(
      {"--datapath=" + GetParam(), "--capture=" + path, "--capture_select=rejected",
       "--capture_rate=0", "--capture_snap=64"});
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  // Started before the banner, for which StartReflectord waits.
  EXPECT_THAT(daemon->Stderr(), HasSubstr("capture: rejected to " + path));
  SendMix(/*reflected=*/6);
  Stop(*daemon);
  std::vector<std::string> want = RejectedMixComments();
  std::sort(want.begin(), want.end());
  EXPECT_EQ(SortedComments(path), want);
  EXPECT_THAT(daemon->Stderr(), HasSubstr("  capture: captured 4, dropped 0\n"));
}

TEST_P(ReflectordCaptureTest, SamplingAndTheFrameBoundHoldUnderABurst) {
  const std::string path = TempPath("sampled.pcapng");
  absl::StatusOr<lab::LabProcess> daemon = lab_->StartReflectord(
      {"--datapath=" + GetParam(), "--capture=" + path, "--capture_select=rejected:port",
       "--capture_sample=10", "--capture_rate=0", "--capture_frames=30"});
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  constexpr int kBurst = 1000;
  const std::vector<uint8_t> rejected = FrameBuilder().Ports(1000, 5001).Build();
  for (int i = 0; i < kBurst; ++i) ASSERT_TRUE(lab_->Send(rejected).ok());
  // Reflecting goes on through it.
  SendMix(/*reflected=*/20);
  Stop(*daemon);
  // 1 in 10 of 1000 is 100 (a few more when sampling counts per CPU), cut to 30 by the bound.
  EXPECT_EQ(SortedComments(path).size(), 30u);
  EXPECT_THAT(daemon->Stderr(), HasSubstr("holds its 30 frames (capture_frames); capture stopped"));
  EXPECT_THAT(daemon->Stderr(), HasSubstr("  capture: captured 30, dropped "));
}

TEST_P(ReflectordCaptureTest, AnUnwritablePathIsOneLineAndReflectingGoesOn) {
  absl::StatusOr<lab::LabProcess> daemon = lab_->StartReflectord(
      {"--datapath=" + GetParam(), "--capture=/nonexistent-dir/x.pcapng"});
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  const std::string line =
      "reflectord: capture: cannot write capture /nonexistent-dir/x.pcapng: No such file or "
      "directory; reflecting goes on without it\n";
  ASSERT_TRUE(daemon->WaitForStderr(line, kReturnTimeout).ok()) << daemon->Describe();
  SendMix(/*reflected=*/5);
  Stop(*daemon);
  const std::string stderr_text = daemon->Stderr();
  EXPECT_EQ(stderr_text.find("capture: cannot write"), stderr_text.rfind("capture: cannot write"))
      << "the failure is told once";
}

TEST_P(ReflectordCaptureTest, SighupStartsAndStopsTheCapture) {
  const std::string path = TempPath("sighup.pcapng");
  const std::string config = TempPath("capture.toml");
  const auto write_config = [&](const std::string& capture) {
    std::ofstream out(config, std::ios::trunc);
    out << "capture = \"" << capture << "\"\ncapture_rate = 0\n";
  };
  write_config("");
  absl::StatusOr<lab::LabProcess> daemon =
      lab_->StartReflectord({"--datapath=" + GetParam(), "--config=" + config});
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  SendMix(/*reflected=*/3);  // not captured: no capture yet
  write_config(path);
  ASSERT_TRUE(daemon->Signal(SIGHUP).ok());
  ASSERT_TRUE(daemon->WaitForStderr("capture: rejected to " + path, kReturnTimeout).ok())
      << daemon->Describe();
  SendMix(/*reflected=*/3);  // captured
  write_config("");
  ASSERT_TRUE(daemon->Signal(SIGHUP).ok());
  ASSERT_TRUE(daemon->WaitForStderr("capture: stopped", kReturnTimeout).ok())
      << daemon->Describe();
  SendMix(/*reflected=*/3);  // not captured: stopped
  std::vector<std::string> want = RejectedMixComments();
  std::sort(want.begin(), want.end());
  EXPECT_EQ(SortedComments(path), want);  // closed by the stop, readable while still running
  Stop(*daemon);
  EXPECT_EQ(SortedComments(path), want) << daemon->Stderr();
}

TEST_P(ReflectordCaptureTest, ControlApiStartsAndStopsTheCapture) {
  const std::string path = TempPath("api.pcapng");
  absl::StatusOr<lab::LabProcess> daemon = lab_->StartReflectord({"--datapath=" + GetParam()});
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  ASSERT_TRUE(daemon->WaitForStderr("http: serving http://127.0.0.1:9842/", kReturnTimeout).ok())
      << daemon->Describe();
  absl::StatusOr<lab::NetnsEntry> inside = lab_->Enter(lab::End::kReflector);
  ASSERT_TRUE(inside.ok()) << inside.status();
  httplib::Client client("127.0.0.1", 9842);
  client.set_read_timeout(5);
  const auto put = [&](const std::string& body) {
    httplib::Result result = client.Put("/api/v1/config", body, "application/json");
    EXPECT_TRUE(result) << httplib::to_string(result.error());
    return result ? std::make_pair(result->status, result->body) : std::make_pair(0, std::string());
  };
  SendMix(/*reflected=*/3);  // not captured: no capture yet
  auto [status, body] = put(absl::StrCat(R"({"capture": ")", path, R"(", "capture_rate": 0})"));
  ASSERT_EQ(status, 200) << body;
  ASSERT_TRUE(daemon->WaitForStderr("capture: rejected to " + path, kReturnTimeout).ok())
      << daemon->Describe();
  SendMix(/*reflected=*/3);  // captured

  // An unwritable path and a full disk: refused, one line each, the capture runs on.
  for (const std::string& bad : {std::string("/nonexistent-dir/x.pcapng"),
                                 std::string("/dev/full")}) {
    std::tie(status, body) = put(absl::StrCat(R"({"capture": ")", bad, R"("})"));
    EXPECT_EQ(status, 400) << body;
    EXPECT_THAT(body, HasSubstr("capture: cannot write capture " + bad + ": "));
    EXPECT_THAT(body, HasSubstr(R"("fields":["capture"])"));
    const std::string line = "reflectord: capture: cannot write capture " + bad;
    ASSERT_TRUE(daemon->WaitForStderr(line, kReturnTimeout).ok()) << daemon->Describe();
    const std::string stderr_text = daemon->Stderr();
    EXPECT_EQ(stderr_text.find(line), stderr_text.rfind(line)) << "told once: " << stderr_text;
  }
  EXPECT_THAT(daemon->Stderr(), HasSubstr("/dev/full: No space left on device"));
  SendMix(/*reflected=*/3);  // captured: the running capture was left alone

  std::tie(status, body) = put(R"({"capture": ""})");
  ASSERT_EQ(status, 200) << body;
  ASSERT_TRUE(daemon->WaitForStderr("capture: stopped", kReturnTimeout).ok())
      << daemon->Describe();
  SendMix(/*reflected=*/3);  // not captured: stopped
  std::vector<std::string> want = RejectedMixComments();  // twice: before and after the refusals
  const std::vector<std::string> once = RejectedMixComments();
  want.insert(want.end(), once.begin(), once.end());
  std::sort(want.begin(), want.end());
  EXPECT_EQ(SortedComments(path), want);
  Stop(*daemon);
}

INSTANTIATE_TEST_SUITE_P(DataPaths, ReflectordCaptureTest,
                         ::testing::Values("xdp", "afxdp", "afpacket"),
                         [](const auto& info) { return lab::DataPathTestName(info.param); });

}  // namespace
}  // namespace reflector::testing
