// ito-tester against reflectord in the SPEC §7 lab: two namespaces joined by a veth pair,
// reflectord --datapath=xdp in one (defaults otherwise: it accepts ITO frames only from the
// NetAlly OUI), the tester in the other on an ordinary NIC MAC. Needs root; both binaries come
// from the test's runfiles. Every subprocess is a LabProcess with a deadline, and the
// namespaces (with the veth and anything attached to it) go away with their owners, also on
// failure.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#define JSON_NOEXCEPTION 1
#include <nlohmann/json.hpp>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "reflector/packet/config.h"
#include "reflector/packet/testing/frame_builder.h"
#include "testing/lab/daemon_stats.h"
#include "testing/lab/hosts.h"
#include "testing/lab/lab_process.h"
#include "testing/lab/reflector_lab.h"
#include "testing/lab/require_root.h"

namespace reflector::tester {
namespace {

namespace lab = ::reflector::testing::lab;

constexpr absl::Duration kDeadline = absl::Seconds(20);

class TesterLabTest : public ::testing::Test {
 protected:
  void SetUp() override {
    REFLECTOR_REQUIRE_ROOT();
    // The tester end on an ordinary NIC's MAC, with its stack's addresses (ARP, its UDP
    // socket), and no program of the lab's: ito-tester attaches its own.
    lab::ReflectorLabOptions options;
    options.tester_mac = packet::testing::kNicMac;
    options.tester_addresses = true;
    options.tester_xdp_pass = false;
    options.tester_socket = false;
    absl::StatusOr<std::unique_ptr<lab::ReflectorLab>> created =
        lab::ReflectorLab::Create(options);
    ASSERT_TRUE(created.ok()) << created.status();
    lab_ = *std::move(created);
    StartReflectord({});
  }

  // reflectord with its defaults and `flags`; with JSON stats its banner goes to stderr, once
  // the data path runs.
  void StartReflectord(const std::vector<std::string>& flags) {
    reflectord_.reset();
    std::vector<std::string> all = {"--datapath=xdp"};
    all.insert(all.end(), flags.begin(), flags.end());
    absl::StatusOr<lab::LabProcess> daemon = lab_->StartReflectord(all);
    ASSERT_TRUE(daemon.ok()) << daemon.status();
    reflectord_.emplace(*std::move(daemon));
  }

  absl::StatusOr<lab::LabProcess> StartTester(const std::vector<std::string>& flags) {
    return lab_->StartItoTester(flags);
  }

  // Runs the tester to the end and returns its exit code (-1 when it could not run).
  int RunTester(const std::vector<std::string>& flags, std::string* out, std::string* err) {
    absl::StatusOr<lab::LabProcess> tester = StartTester(flags);
    if (!tester.ok()) {
      *err = tester.status().ToString();
      return -1;
    }
    const absl::StatusOr<int> code = tester->Wait(kDeadline);
    *out = tester->Stdout();
    *err = code.ok() ? tester->Stderr() : code.status().ToString();
    return code.ok() ? *code : -1;
  }

  // Waits for an interval line (text mode, from the third line of stdout on) that counts
  // reflections: the stream is flowing both ways.
  static absl::Status WaitForRepliesInAnInterval(lab::LabProcess& tester) {
    for (size_t lines = 2;; ++lines) {
      if (absl::Status more = tester.WaitForStdoutLines(lines, kDeadline); !more.ok()) {
        return more;
      }
      const std::vector<std::string> all = absl::StrSplit(tester.Stdout(), '\n');
      // "  0.00-0.20 s   sent  sent-fps  received  received-fps"
      const std::vector<std::string> fields =
          absl::StrSplit(all[lines], ' ', absl::SkipWhitespace());
      uint64_t received = 0;
      if (fields.size() == 6 && fields[1] == "s" && absl::SimpleAtoi(fields[4], &received) &&
          received > 0) {
        return absl::OkStatus();
      }
    }
  }

  static nlohmann::json ParseJson(const std::string& out) {
    return nlohmann::json::parse(out, nullptr, /*allow_exceptions=*/false);
  }

  void ExpectNoLossWithRtt(const std::vector<std::string>& flags, uint64_t frames) {
    std::string out, err;
    ASSERT_EQ(RunTester(flags, &out, &err), 0) << err;
    const nlohmann::json report = ParseJson(out);
    ASSERT_FALSE(report.is_discarded()) << out;
    EXPECT_TRUE(report["pass"].get<bool>()) << out;
    EXPECT_FALSE(report["interrupted"].get<bool>()) << out;
    const nlohmann::json& r = report["result"];
    EXPECT_EQ(r["sent"].get<uint64_t>(), frames) << out;
    EXPECT_EQ(r["received"].get<uint64_t>(), frames) << out;
    EXPECT_EQ(r["lost"].get<uint64_t>(), 0u) << out;
    EXPECT_EQ(r["duplicates"].get<uint64_t>(), 0u) << out;
    EXPECT_EQ(r["xdp_received"].get<uint64_t>(), frames) << out;
    ASSERT_TRUE(r.contains("rtt_us")) << out;
    EXPECT_GT(r["rtt_us"]["min"].get<double>(), 0) << out;
    EXPECT_GE(r["rtt_us"]["p99"].get<double>(), r["rtt_us"]["p50"].get<double>()) << out;
    EXPECT_GE(r["rtt_us"]["max"].get<double>(), r["rtt_us"]["p99.9"].get<double>()) << out;
    EXPECT_TRUE(r.contains("jitter_us")) << out;
  }

  std::unique_ptr<lab::ReflectorLab> lab_;
  // Declared last: the daemon stops before the namespaces go.
  std::optional<lab::LabProcess> reflectord_;
};

TEST_F(TesterLabTest, Ipv4StreamComesBackWhole) {
  // The destination MAC comes from ARP: the tester resolves it itself.
  ExpectNoLossWithRtt({"--dst_ip=198.18.0.2", "--rate=2000", "--count=2000", "--json"}, 2000);
}

TEST_F(TesterLabTest, TaggedIpv6CustomSignatureComesBackWhole) {
  ExpectNoLossWithRtt({"--dst_ip=2001:2::2",
                       "--dst_mac=" + packet::FormatMac(packet::testing::kReflectorMac),
                       "--vlan=100", "--signature=rfc2544", "--frame_size=128", "--rate=2000",
                       "--count=1000", "--json"},
                      1000);
}

TEST_F(TesterLabTest, RttsStartAtTheKernelsTransmitStampOfEveryFrame) {
  // veth stamps in software: every RTT runs from the kernel's transmit stamp, which comes
  // after the send call's clock read, so each frame's RTT is at most its send-call RTT and
  // every order statistic of the one is at most that of the other.
  std::string out, err;
  ASSERT_EQ(RunTester({"--dst_ip=198.18.0.2", "--rate=2000", "--count=1000", "--json"}, &out,
                      &err),
            0)
      << err;
  const nlohmann::json report = ParseJson(out);
  ASSERT_FALSE(report.is_discarded()) << out;
  const nlohmann::json& r = report["result"];
  ASSERT_EQ(r["received"].get<uint64_t>(), 1000u) << out;
  const nlohmann::json& clock = r["rtt_clock"];
  EXPECT_EQ(clock["tx"], "kernel") << out;
  EXPECT_EQ(clock["rx"], "kernel") << out;
  EXPECT_EQ(clock["tx_kernel_frames"].get<uint64_t>(), 1000u) << out;
  EXPECT_EQ(clock["tx_userspace_frames"].get<uint64_t>(), 0u) << out;
  EXPECT_EQ(clock["tx_stamps_rejected"].get<uint64_t>(), 0u) << out;
  ASSERT_TRUE(r.contains("rtt_userspace_tx_us")) << out;
  const nlohmann::json& kernel = r["rtt_us"];
  const nlohmann::json& user = r["rtt_userspace_tx_us"];
  EXPECT_GT(kernel["min"].get<double>(), 0) << out;
  for (const char* stat : {"min", "p50", "p99", "p99.9", "max"}) {
    EXPECT_LE(kernel[stat].get<double>(), user[stat].get<double>()) << stat << "\n" << out;
  }
}

TEST_F(TesterLabTest, UserspaceRttClockTimesFromTheSendCall) {
  std::string out, err;
  ASSERT_EQ(RunTester({"--dst_ip=198.18.0.2", "--rate=2000", "--count=500", "--json",
                       "--rtt_clock=userspace"},
                      &out, &err),
            0)
      << err;
  const nlohmann::json report = ParseJson(out);
  ASSERT_FALSE(report.is_discarded()) << out;
  const nlohmann::json& r = report["result"];
  EXPECT_EQ(r["rtt_clock"]["tx"], "userspace") << out;
  EXPECT_EQ(r["rtt_clock"]["tx_userspace_frames"].get<uint64_t>(), 500u) << out;
  EXPECT_EQ(r["rtt_clock"]["tx_kernel_frames"].get<uint64_t>(), 0u) << out;
  EXPECT_FALSE(r.contains("rtt_userspace_tx_us")) << out;
  EXPECT_GT(r["rtt_us"]["min"].get<double>(), 0) << out;
}

TEST_F(TesterLabTest, AnOrdinaryNicSendsFromTheNetAllyOuiByDefault) {
  // A default reflectord takes frames only from 00:c0:17; the tester's NIC is 02:00:5e.
  std::string out, err;
  ASSERT_EQ(RunTester({"--dst_ip=198.18.0.2", "--signature=probeot", "--rate=1000",
                       "--count=500", "--json"},
                      &out, &err),
            0)
      << err << out;
  const nlohmann::json report = ParseJson(out);
  ASSERT_FALSE(report.is_discarded()) << out;
  // The NetAlly OUI with the NIC's last three bytes.
  EXPECT_EQ(report["src_mac"].get<std::string>(), "00:c0:17:10:00:01") << out;
  EXPECT_EQ(report["result"]["received"].get<uint64_t>(), 500u) << out;
}

TEST_F(TesterLabTest, APatternBesideTheSignatureComesBackWhole) {
  ExpectNoLossWithRtt({"--dst_ip=198.18.0.2", "--signature=rfc2544", "--pattern=de:ad:be:ef",
                       "--pattern_offset=18", "--rate=2000", "--count=500", "--json"},
                      500);
}

TEST_F(TesterLabTest, NoSignatureIsRejectedByTheDefaultProfilesWithALoopbackHint) {
  // The default reflectord reflects signatures only; a loopback rule is for issue 13's lab
  // test (testing/daemon/reflectord_rules_test.cc).
  std::string out, err;
  EXPECT_EQ(RunTester({"--dst_ip=198.18.0.2", "--signature=none", "--dst_port=5001",
                       "--rate=1000", "--count=100"},
                      &out, &err),
            1)
      << err << out;
  EXPECT_TRUE(absl::StrContains(out, "no signature, 128-byte frames")) << out;
  EXPECT_TRUE(absl::StrContains(err, "--profile=loopback with --loopback_ports=5001")) << err;
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
}

TEST_F(TesterLabTest, NothingComingBackExitsOneWithAHint) {
  // From the NIC's own MAC, the default reflector rejects the frames (oui).
  for (const char* threshold : {"--loss_threshold=0", "--loss_threshold=100"}) {
    std::string out, err;
    EXPECT_EQ(RunTester({"--dst_ip=198.18.0.2", "--src_mac=interface", "--rate=1000",
                         "--count=200", threshold},
                        &out, &err),
              1)
        << threshold << ": " << err << out;
    EXPECT_TRUE(absl::StrContains(out, "result             FAIL: nothing came back")) << out;
    EXPECT_TRUE(absl::StrContains(err, "ito-tester: nothing came back from 198.18.0.2"))
        << err;
    EXPECT_TRUE(absl::StrContains(err, "--oui")) << err;
    EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
  }
}

TEST_F(TesterLabTest, TextComesAsTheRunGoesAndCtrlCEndsItWithThePartialResult) {
  absl::StatusOr<lab::LabProcess> tester =
      StartTester({"--dst_ip=198.18.0.2", "--rate=1000", "--duration=60s", "--interval=200ms"});
  ASSERT_TRUE(tester.ok()) << tester.status();
  // The header and interval lines arrive while it sends, not at the end.
  ASSERT_TRUE(WaitForRepliesInAnInterval(*tester).ok()) << tester->Describe();
  ASSERT_FALSE(tester->Poll().has_value()) << tester->Describe();
  const std::string early = tester->Stdout();
  EXPECT_TRUE(absl::StartsWith(early, "ito-tester " + lab_->tester_if() + " -> 198.18.0.2"))
      << early;
  EXPECT_TRUE(absl::StrContains(early, "1000 fps for 60 s")) << early;

  ASSERT_TRUE(tester->Signal(SIGINT).ok());
  const absl::StatusOr<int> code = tester->Wait(kDeadline);
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 130) << tester->Describe();
  const std::string out = tester->Stdout();
  EXPECT_TRUE(absl::StartsWith(out, early)) << out;  // the summary follows what was there
  EXPECT_TRUE(absl::StrContains(out, "  interrupted        a signal ended the sending after"))
      << out;
  EXPECT_TRUE(absl::StrContains(out, "  result             pass")) << out;
  EXPECT_EQ(tester->Stderr(), "");
}

// Loss that the lab makes: reflectord stops once the stream flows, so the rest of the frames
// are lost, and some came back before.
TEST_F(TesterLabTest, LossAboveTheThresholdExitsOneWithinItZero) {
  for (const auto& [threshold, want] : std::vector<std::pair<std::string, int>>{
           {"--loss_threshold=0", 1}, {"--loss_threshold=99", 0}}) {
    StartReflectord({});
    absl::StatusOr<lab::LabProcess> tester =
        StartTester({"--dst_ip=198.18.0.2", "--rate=1000", "--count=6000", "--interval=200ms",
                     threshold});
    ASSERT_TRUE(tester.ok()) << tester.status();
    ASSERT_TRUE(WaitForRepliesInAnInterval(*tester).ok()) << tester->Describe();
    ASSERT_TRUE(reflectord_->Signal(SIGTERM).ok());
    ASSERT_TRUE(reflectord_->Wait(kDeadline).ok()) << reflectord_->Describe();
    // Still sending when the reflector went: frames from here on are lost.
    ASSERT_FALSE(tester->Poll().has_value()) << tester->Describe();
    const absl::StatusOr<int> code = tester->Wait(kDeadline);
    ASSERT_TRUE(code.ok()) << code.status();
    EXPECT_EQ(*code, want) << threshold << ": " << tester->Describe() << tester->Stdout();
    EXPECT_TRUE(absl::StrContains(tester->Stdout(), want == 0 ? "  result             pass"
                                                              : "  result             FAIL: "
                                                                "loss above the 0.0000% "
                                                                "threshold"))
        << tester->Stdout();
  }
}

TEST_F(TesterLabTest, LineRateEngineCountsReflections) {
  std::string out, err;
  // Counts only, and no assertion on loss at an unpaced load (speed is for benchmarks): the
  // exit code says whether anything was lost (1) or not (0).
  const int code = RunTester({"--dst_ip=198.18.0.2", "--engine=linerate", "--signature=rfc2544",
                              "--frame_size=64", "--count=100000", "--json"},
                             &out, &err);
  const nlohmann::json report = ParseJson(out);
  ASSERT_FALSE(report.is_discarded()) << out << err;
  EXPECT_EQ(report["result"]["sent"].get<uint64_t>(), 100000u) << out;
  EXPECT_GT(report["result"]["received"].get<uint64_t>(), 0u) << out;
  EXPECT_FALSE(report["result"].contains("rtt_us")) << out;
  EXPECT_EQ(code, report["result"]["lost"].get<uint64_t>() == 0 ? 0 : 1) << err;
}

TEST_F(TesterLabTest, BadInputIsOneLineAndExitTwo) {
  for (const std::vector<std::string>& flags : std::vector<std::vector<std::string>>{
           {"--dst_ip=198.18.0.2", "--rate=-1"},
           {"--dst_ip=198.18.0.2", "--frame_size=20"},
           {"--dst_ip=198.18.0.2", "--dst_mac=00:11"},
           {"--dst_ip=198.18.0.2", "--src_mac=01:00:5e:00:00:01"},
           {"--dst_ip=198.18.0.2", "--loss_threshold=150"},
           {"--dst_ip=198.18.0.2", "--search"},  // a precise search needs its top, --rate
           {"--dst_ip=198.18.0.2", "--signature=spirent"},
           {"--dst_ip=198.18.0.2", "--pattern=zz"},
           {"--dst_ip=198.18.0.2", "--pattern_offset=4"},  // no --pattern
           {"--dst_ip=198.18.0.2", "--pattern=01", "--pattern_offset=2000"},
           {"--dst_ip=198.18.0.2", "--signature=latency", "--pattern=01:02", "--pattern_offset=10"},
           {"--dst_ip=198.18.0.2", "--no_such_flag"}}) {
    std::string out, err;
    EXPECT_EQ(RunTester(flags, &out, &err), 2) << flags.back();
    EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
  }
}

// The line-rate engine against reflectord --datapath=xdp on a quiet lab: IPv4 only, the
// reflector's MAC given, so neither stack sends a frame of its own and every frame reflectord
// sees is the tester's. Two queues, so that two sending CPUs reach two queues.
class LiveFramesLabTest : public ::testing::Test {
 protected:
  void SetUp() override {
    REFLECTOR_REQUIRE_ROOT();
    if (sysconf(_SC_NPROCESSORS_ONLN) < 2) GTEST_SKIP() << "two queues need two CPUs";
    lab::ReflectorLabOptions options;
    options.queues = 2;
    options.ipv6 = false;
    options.tester_addresses = true;
    options.tester_xdp_pass = false;
    options.tester_socket = false;
    absl::StatusOr<std::unique_ptr<lab::ReflectorLab>> created =
        lab::ReflectorLab::Create(options);
    ASSERT_TRUE(created.ok()) << created.status();
    lab_ = *std::move(created);
    absl::StatusOr<lab::LabProcess> daemon = lab_->StartReflectord({"--datapath=xdp"});
    ASSERT_TRUE(daemon.ok()) << daemon.status();
    reflectord_.emplace(*std::move(daemon));
  }

  // Sends `count` RFC 2544 frames flat out with `flags` and checks that reflectord saw only
  // test frames and reflected each; returns the tester's report.
  nlohmann::json RunAndCheckEveryFrameWasATestFrame(const std::vector<std::string>& flags,
                                                    uint64_t count) {
    std::vector<std::string> all = {
        "--dst_ip=" + lab::Ipv4Text(packet::testing::kReflectorIpv4),
        "--dst_mac=" + packet::FormatMac(packet::testing::kReflectorMac), "--engine=linerate",
        "--signature=rfc2544", "--frame_size=64", absl::StrCat("--count=", count), "--json"};
    all.insert(all.end(), flags.begin(), flags.end());
    absl::StatusOr<lab::LabProcess> tester = lab_->StartItoTester(all);
    EXPECT_TRUE(tester.ok()) << tester.status();
    if (!tester.ok()) return nlohmann::json();
    const absl::StatusOr<int> code = tester->Wait(kDeadline);
    EXPECT_TRUE(code.ok() && (*code == 0 || *code == 1)) << tester->Stderr();
    const nlohmann::json report =
        nlohmann::json::parse(tester->Stdout(), nullptr, /*allow_exceptions=*/false);
    EXPECT_FALSE(report.is_discarded()) << tester->Stdout() << tester->Stderr();
    if (report.is_discarded()) return report;
    EXPECT_EQ(report["result"]["sent"].get<uint64_t>(), count) << tester->Stdout();
    const uint64_t received = report["result"]["received"].get<uint64_t>();
    EXPECT_GT(received, 0u) << tester->Stdout();

    absl::StatusOr<lab::DaemonCounters> counted =
        lab::RequestStats(*reflectord_, absl::Seconds(5));
    EXPECT_TRUE(counted.ok()) << counted.status();
    if (!counted.ok()) return report;
    // A recycled page sent as it came back would be a reflection, addressed to the tester:
    // reflectord would reject it (dst_mac).
    EXPECT_EQ(counted->rejected_frames, 0u) << absl::StrJoin(counted->rejected, ", ",
                                                             absl::PairFormatter(" "));
    EXPECT_EQ(counted->reflected_frames, counted->rx_frames);
    EXPECT_GE(counted->reflected_frames, received);
    EXPECT_LE(counted->rx_frames, count);
    return report;
  }

  std::unique_ptr<lab::ReflectorLab> lab_;
  std::optional<lab::LabProcess> reflectord_;  // stops before the namespaces go
};

// Live frames recycle their pages without re-initialising them (SPEC §7): the reflector swaps
// a frame's addresses in the generator's own page, and the page comes back to the test run's
// pool when the tester's program drops the reflection. The line-rate program writes the
// headers back from its template on every run (live_tx.bpf.c), so every frame that leaves is
// a test frame again. 200,000 frames go round the same few pages many times.
TEST_F(LiveFramesLabTest, RecycledPagesLeaveAsTestFramesNotAsReflections) {
  RunAndCheckEveryFrameWasATestFrame({}, 200000);
}

// Two CPUs, each rotating over 8 source ports: the count is split exactly, each CPU's
// recycled pages get its own template back, and every port's frame is a test frame.
TEST_F(LiveFramesLabTest, TwoCpusSendTheCountBetweenThemAsTestFrames) {
  RunAndCheckEveryFrameWasATestFrame({"--linerate_cpus=0,1", "--linerate_ports=8"}, 200001);
}

}  // namespace
}  // namespace reflector::tester
