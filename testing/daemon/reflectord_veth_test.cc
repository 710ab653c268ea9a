// reflectord on a veth pair (issue 4, SPEC §7), once per data path and receive mode (afxdp and
// afpacket workers that spin or busy-poll, afpacket's block RX ring; dpdk on a net_af_packet
// vdev over the veth, where DPDK is built in): for every group of the
// packet library's frame table, start the daemon with the group's config as flags, send each
// frame from the tester, and check that exactly the frames that must be reflected come back,
// byte-exact and once each, that the daemon's JSON counters equal what was sent, and that
// SIGTERM ends it with exit 0 and nothing attached.
#include <signal.h>

#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "reflector/packet/packet.h"
#include "reflector/packet/testing/frame_table.h"
#include "testing/daemon/datapath_lab_test.h"
#include "testing/lab/daemon_stats.h"
#include "testing/lab/frame_compare.h"
#include "testing/lab/reflector_lab.h"
#include "testing/lab/require_root.h"
#include "testing/golden/classifier_flags.h"
#include "testing/golden/table_groups.h"

namespace reflector::testing {
namespace {

using lab::DaemonCounters;
using lab::Frame;
using lab::LabProcess;
using lab::ReflectorLab;
using packet::Verdict;
using testing::golden::CaseGroup;

constexpr absl::Duration kReturnTimeout = absl::Seconds(5);
constexpr absl::Duration kStatsTimeout = absl::Seconds(5);
constexpr absl::Duration kStopTimeout = absl::Seconds(10);

// A tagged frame too short to hold its tag and the next EtherType: the kernel drops it while
// taking the outer tag out, before packet taps or tc ever see it. XDP runs before that.
bool KernelDropsBeforeTaps(const std::vector<uint8_t>& frame) {
  if (frame.size() < 14) return false;
  const uint16_t type = (frame[12] << 8) | frame[13];
  return (type == RF_ETHERTYPE_VLAN || type == RF_ETHERTYPE_QINQ) && frame.size() < 14 + 4 + 2;
}

// What the daemon must count for `group`: every frame received, each under its verdict.
DaemonCounters ExpectedCounters(const CaseGroup& group, absl::string_view datapath) {
  DaemonCounters expected;
  for (const packet::testing::FrameCase* c : group.cases) {
    // dpdk runs on a net_af_packet vdev in the lab: a packet socket too.
    if ((datapath == "afpacket" || datapath == "dpdk") && KernelDropsBeforeTaps(c->frame)) {
      continue;
    }
    ++expected.rx_frames;
    if (c->verdict == Verdict::kReflect) {
      ++expected.reflected_frames;
      // The field's name predates rules; the daemon counts per rule name.
      ++expected.reflected_by_rule[c->rule_name];
    } else {
      ++expected.rejected_frames;
      ++expected.rejected[std::string(packet::VerdictName(c->verdict))];
    }
  }
  return expected;
}

// What comes back for a frame the table says is reflected. dpdk runs on a net_af_packet vdev
// here: the kernel takes the outer tag out before the packet socket sees the frame, and DPDK
// 22.11's driver hands on the tag's TCI but not its TPID, so the data path can only put an
// 802.1Q tag back. An 802.1ad outer tag returns as 802.1Q, TCI and all else unchanged. A NIC
// under DPDK (no VLAN stripping asked) returns it as it came.
Frame ExpectedReturn(const packet::testing::FrameCase& c, absl::string_view datapath) {
  Frame frame = c.ExpectedReflection();
  if (datapath == "dpdk" && frame.size() >= 14 && frame[12] == 0x88 && frame[13] == 0xa8) {
    frame[12] = 0x81;
    frame[13] = 0x00;
  }
  return frame;
}

std::string Format(const std::map<std::string, uint64_t>& counts) {
  return absl::StrJoin(counts, ", ", absl::PairFormatter(" "));
}

// Every data path counts every frame: afpacket's socket filter keeps non-candidates out of
// userspace, but its tc ingress program classifies and counts them.
void ExpectCountersMatch(const DaemonCounters& counted, const DaemonCounters& want) {
  EXPECT_EQ(counted.reflected_frames, want.reflected_frames);
  EXPECT_EQ(Format(counted.reflected_by_rule), Format(want.reflected_by_rule));
  EXPECT_EQ(counted.rx_frames, counted.reflected_frames + counted.rejected_frames);
  EXPECT_EQ(counted.rx_frames, want.rx_frames);
  EXPECT_EQ(counted.rejected_frames, want.rejected_frames);
  EXPECT_EQ(Format(counted.rejected), Format(want.rejected));
}

class ReflectordVethTest : public DataPathLabTest {};

TEST_P(ReflectordVethTest, ReflectsExactlyTheTableFramesThatMustBeReflected) {
  const std::vector<std::string> left_out = testing::golden::CasesNotFittingLabVeth();
  std::cout << "not sent (no Ethernet header, or beyond a 1500 MTU): "
            << absl::StrJoin(left_out, ", ") << "\n";
  std::cout << "not sent (custom rules: a config file, not flags): "
            << absl::StrJoin(testing::golden::CasesWithCustomRules(), ", ") << "\n";
  for (const CaseGroup& group : testing::golden::GroupTableByConfig(/*ignore_mode=*/false)) {
    absl::StatusOr<std::vector<std::string>> classifier_flags =
        testing::golden::ClassifierFlags(group.filter);
    ASSERT_TRUE(classifier_flags.ok()) << classifier_flags.status();
    std::vector<std::string> flags = *classifier_flags;
    for (const std::string& flag : DataPathFlags()) flags.push_back(flag);
    SCOPED_TRACE(absl::StrCat("group ", group.name, ": ", absl::StrJoin(flags, " ")));
    absl::StatusOr<LabProcess> daemon = lab_->StartReflectord(flags);
    ASSERT_TRUE(daemon.ok()) << daemon.status();

    std::vector<Frame> expected;
    for (const packet::testing::FrameCase* c : group.cases) {
      ASSERT_TRUE(lab_->Send(c->frame).ok()) << c->name;
      if (c->verdict == Verdict::kReflect) {
        expected.push_back(ExpectedReturn(*c, DataPath()));
      }
    }
    absl::StatusOr<lab::Capture> capture = lab_->Collect(expected.size(), kReturnTimeout);
    ASSERT_TRUE(capture.ok()) << capture.status();
    EXPECT_TRUE(lab::CompareFrameMultisets(expected, capture->returned).ok())
        << lab::CompareFrameMultisets(expected, capture->returned);

    absl::StatusOr<DaemonCounters> counted = lab::RequestStats(*daemon, kStatsTimeout);
    ASSERT_TRUE(counted.ok()) << counted.status();
    ExpectCountersMatch(*counted, ExpectedCounters(group, DataPath()));

    ASSERT_TRUE(daemon->Signal(SIGTERM).ok());
    absl::StatusOr<int> exit_code = daemon->Wait(kStopTimeout);
    ASSERT_TRUE(exit_code.ok()) << exit_code.status();
    EXPECT_EQ(*exit_code, 0) << daemon->Describe();
    EXPECT_TRUE(lab_->CheckNothingAttached().ok()) << lab_->CheckNothingAttached();
  }
}

INSTANTIATE_TEST_SUITE_P(DataPaths, ReflectordVethTest,
                         ::testing::Values("xdp", "afxdp", "afpacket", "afxdp+spin",
                                           "afxdp+kernel", "afpacket+spin", "afpacket+blocks",
                                           "afxdp+rt", "afpacket+rt", "dpdk"),
                         [](const auto& info) { return lab::DataPathTestName(info.param); });

}  // namespace
}  // namespace reflector::testing
