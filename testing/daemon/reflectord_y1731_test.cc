// reflectord's Y.1731 responder on a veth pair, once per data path (issue 14): started with
// the y1731 profile alone, it answers exactly the CFM table's unicast requests of its level
// (LBM, DMM, SLM; untagged and tagged) with the table's bytes but for the DMR timestamps, which
// lie in order inside the test's window, and passes every other CFM frame; its JSON counters
// name each answer and each reason.
#include <signal.h>

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "reflector/daemon/stamp_clock.h"
#include "reflector/packet/cfm_responder.h"
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
  std::vector<lab::Frame> expected;
  int sent = 0;
  uint32_t slrs = 0;
  const uint64_t before = packet::TaiNowNs();
  for (const CfmCase& c : packet::testing::CfmTable()) {
    if (c.vlan.has_value() || c.multicast_lbm || c.frame.size() < 60) continue;
    ASSERT_TRUE(lab_->Send(c.frame).ok()) << c.name;
    ++sent;
    if (!packet::CfmAnswered(c.outcome)) continue;
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
  ASSERT_TRUE(daemon->Signal(SIGTERM).ok());
  absl::StatusOr<int> exit_code = daemon->Wait(absl::Seconds(10));
  ASSERT_TRUE(exit_code.ok()) << exit_code.status();
  EXPECT_EQ(*exit_code, 0) << daemon->Describe();
  EXPECT_TRUE(lab_->CheckNothingAttached().ok()) << lab_->CheckNothingAttached();
}

INSTANTIATE_TEST_SUITE_P(DataPaths, ReflectordY1731Test,
                         ::testing::Values("xdp", "afxdp", "afpacket"),
                         [](const auto& info) { return lab::DataPathTestName(info.param); });

}  // namespace
}  // namespace reflector::testing
