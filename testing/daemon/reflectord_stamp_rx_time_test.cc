// --stamp_rx_timestamp (issue 14) on the xdp data path: `hardware` on a lab veth loads the
// device-bound program, answers STAMP with T2 <= T3 inside the test's window and counts each T2
// by source (veth gives no hardware stamp: software); on lo, whose driver cannot run a
// device-bound program, it refuses to start with one line and exit 2; `auto` where the NIC's
// T2 cannot be had (generic XDP) runs with software T2 and the banner says why.
#include <signal.h>

#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "reflector/daemon/stamp_clock.h"
#include "reflector/packet/config.h"
#include "reflector/packet/packet.h"
#include "reflector/packet/testing/cfm_frames.h"  // ReadBe
#include "reflector/packet/testing/stamp_frames.h"
#include "testing/lab/daemon_stats.h"
#include "testing/lab/reflector_lab.h"
#include "testing/lab/require_root.h"

namespace reflector::testing {
namespace {

using ::testing::HasSubstr;
using packet::testing::ReadBe;
using ::testing::Not;

class ReflectordStampRxTimeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    REFLECTOR_REQUIRE_ROOT();
    lab::ReflectorLabOptions options;
    options.ipv6 = false;  // no traffic of the stacks' own
    absl::StatusOr<std::unique_ptr<lab::ReflectorLab>> lab = lab::ReflectorLab::Create(options);
    ASSERT_TRUE(lab.ok()) << lab.status();
    lab_ = *std::move(lab);
  }
  std::unique_ptr<lab::ReflectorLab> lab_;
};

TEST_F(ReflectordStampRxTimeTest, HardwareOnVethAnswersAndCountsTheSoftwareFallback) {
  absl::StatusOr<lab::LabProcess> daemon = lab_->StartReflectord(
      {"--datapath=xdp", "--profile=stamp", "--stamp_rx_timestamp=hardware", "--http=off"});
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  EXPECT_THAT(daemon->Stderr(), HasSubstr("STAMP T2 from the NIC"));

  // The first answered packet of the STAMP table on port 862 (the stamp profile).
  const packet::testing::StampCase* stamp = nullptr;
  for (const packet::testing::StampCase& c : packet::testing::StampTable()) {
    if (c.verdict == packet::Verdict::kReflect && c.rule_name == "stamp") {
      stamp = &c;
      break;
    }
  }
  ASSERT_NE(stamp, nullptr);
  const std::vector<uint8_t> frame = stamp->frame();
  const uint64_t sent_at = packet::TaiNowNs();
  ASSERT_TRUE(lab_->Send(frame).ok());
  absl::StatusOr<std::optional<lab::Frame>> answer = lab_->Receive(absl::Now() + absl::Seconds(3));
  const uint64_t received_at = packet::TaiNowNs();
  ASSERT_TRUE(answer.ok()) << answer.status();
  ASSERT_TRUE(answer->has_value()) << "no answer";
  const packet::Classification where =
      packet::Classify(frame, packet::Compile(packet::testing::StampTestFilter())->wire);
  const size_t payload = where.where.l4_offset + RF_UDP_HLEN;
  const uint64_t t3 = ReadBe(**answer, payload + 4, 8);
  const uint64_t t2 = ReadBe(**answer, payload + 16, 8);
  // The window in the answer's format (NTP, or PTP when the Z flag asks), converted as the
  // daemon converts.
  const rf_stamp_clock clock = daemon::ReadStampClock();
  const bool ptp = (stamp->payload[12] & 0x40) != 0;
  EXPECT_LE(packet::testing::StampTimestamp(sent_at, clock, ptp), t2);
  EXPECT_LE(t2, t3);
  EXPECT_LE(t3, packet::testing::StampTimestamp(received_at, clock, ptp));

  absl::StatusOr<lab::DaemonCounters> counted = lab::RequestStats(*daemon, absl::Seconds(5));
  ASSERT_TRUE(counted.ok()) << counted.status();
  const std::vector<absl::string_view> lines =
      absl::StrSplit(absl::StripSuffix(daemon->Stdout(), "\n"), '\n');
  EXPECT_THAT(std::string(lines.back()), HasSubstr("\"stamp_rx_time\":{\"nic\":0,\"software\":1}"));
  ASSERT_TRUE(daemon->Signal(SIGTERM).ok());
}

TEST_F(ReflectordStampRxTimeTest, HardwareWhereTheDriverCannotIsOneLineAndExit2) {
  absl::StatusOr<lab::LabProcess> daemon = lab_->RunReflectordToExit(
      {"--interface=lo", "--datapath=xdp", "--profile=stamp", "--stamp_rx_timestamp=hardware",
       "--http=off"},
      absl::Seconds(10));
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  EXPECT_EQ(daemon->Poll(), 2) << daemon->Describe();
  const std::string err = daemon->Stderr();
  const std::vector<absl::string_view> lines = absl::StrSplit(absl::StripSuffix(err, "\n"), '\n');
  EXPECT_EQ(lines.size(), 1u) << err;
  EXPECT_THAT(err, HasSubstr("no NIC receive timestamps (--stamp_rx_timestamp=hardware): lo: its "
                             "driver cannot run a device-bound XDP program"));
}

TEST_F(ReflectordStampRxTimeTest, HardwareNeedsTheXdpDataPath) {
  absl::StatusOr<lab::LabProcess> daemon = lab_->RunReflectordToExit(
      {"--interface=" + lab_->reflector_if(), "--datapath=afpacket", "--profile=stamp",
       "--stamp_rx_timestamp=hardware", "--http=off"},
      absl::Seconds(10));
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  EXPECT_EQ(daemon->Poll(), 2) << daemon->Describe();
  EXPECT_THAT(daemon->Stderr(), HasSubstr("--stamp_rx_timestamp=hardware needs the xdp data path"));
}

TEST_F(ReflectordStampRxTimeTest, AutoFallsBackToSoftwareAndSaysWhy) {
  absl::StatusOr<lab::LabProcess> daemon =
      lab_->StartReflectord({"--datapath=xdp", "--xdp_mode=generic", "--profile=stamp",
                             "--stamp_rx_timestamp=auto", "--http=off"});
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  EXPECT_THAT(daemon->Stderr(),
              HasSubstr("STAMP T2 from software, the NIC's refused: generic XDP cannot run the "
                        "device-bound program that reads it"));
  EXPECT_THAT(daemon->Stderr(), Not(HasSubstr("STAMP T2 from the NIC")));
  ASSERT_TRUE(daemon->Signal(SIGTERM).ok());
}

}  // namespace
}  // namespace reflector::testing
