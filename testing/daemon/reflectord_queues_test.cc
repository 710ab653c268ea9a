// reflectord with two workers on a two-queue veth (issue 19): afxdp binds one socket per RX
// queue, afpacket joins its two sockets in a PACKET_FANOUT group, and dpdk (issue 18) runs two
// queue pairs of a net_af_packet vdev with qpairs=2, whose driver opens one packet socket per
// pair and joins them in a PACKET_FANOUT_HASH group of its own. A stream sent from both
// CPUs over many flows comes back exactly once per frame, byte-exact, and each worker
// reflected its share.
//
// How the frames spread: the lab steers the tester's tx queue q to CPU q (XPS), and veth
// hands a frame sent on tx queue q to the reflector's rx queue q, so frames sent from CPU q
// reach afxdp's socket q (exactly half each). afpacket's fanout hashes the flow
// (PACKET_FANOUT_HASH, with the kernel's per-boot key), so the stream has 64 flows (source ports):
// every one of them landing on one worker has odds of 2^-63; so does DPDK's.
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "reflector/packet/testing/frame_builder.h"
#include "testing/daemon/datapath_lab_test.h"
#include "testing/lab/daemon_stats.h"
#include "testing/lab/datapath_variant.h"
#include "testing/lab/frame_compare.h"
#include "testing/lab/reflector_lab.h"

namespace reflector::testing {
namespace {

using lab::DaemonCounters;
using lab::Frame;
using lab::LabProcess;
using packet::Mode;
using packet::testing::FrameBuilder;

constexpr int kQueues = 2;
constexpr int kFlows = 64;
constexpr int kFrames = 512;  // a multiple of kFlows * kQueues: each CPU sends every flow
constexpr absl::Duration kReturnTimeout = absl::Seconds(10);
constexpr absl::Duration kStatsTimeout = absl::Seconds(5);
constexpr absl::Duration kStopTimeout = absl::Seconds(10);

// Frame i of the stream: flow i % kFlows, an IP id that makes every frame unique.
FrameBuilder StreamFrame(int i) {
  return FrameBuilder()
      .Ports(static_cast<uint16_t>(40000 + i % kFlows), 3842)
      .IpId(static_cast<uint16_t>(i));
}

// Keeps the calling thread on one CPU until destroyed, then restores what it had.
class PinnedToCpu {
 public:
  explicit PinnedToCpu(int cpu) {
    pthread_getaffinity_np(pthread_self(), sizeof(before_), &before_);
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    ok_ = pthread_setaffinity_np(pthread_self(), sizeof(one), &one) == 0 && sched_getcpu() == cpu;
  }
  ~PinnedToCpu() { pthread_setaffinity_np(pthread_self(), sizeof(before_), &before_); }
  bool ok() const { return ok_; }

 private:
  cpu_set_t before_;
  bool ok_ = false;
};

class ReflectordQueuesTest : public DataPathLabTest {
 protected:
  void SetUp() override {
    if (sysconf(_SC_NPROCESSORS_ONLN) < kQueues) GTEST_SKIP() << "two queues need two CPUs";
    DataPathLabTest::SetUp();
  }
  lab::ReflectorLabOptions LabOptions() const override {
    lab::ReflectorLabOptions options;
    options.queues = kQueues;
    return options;
  }
};

TEST_P(ReflectordQueuesTest, TwoWorkersReflectEveryFrameOnceAndEachTakesItsShare) {
  std::vector<std::string> flags = {"--datapath=" + GetParam(),
                                    absl::StrCat("--queues=", kQueues), "--cpus=0,1"};
  if (GetParam() == "dpdk") {
    flags.push_back(absl::StrCat("--dpdk_eal_args=", lab::DpdkVdevEalArgs(lab_->reflector_if()),
                                 ",qpairs=", kQueues));
  }
  absl::StatusOr<LabProcess> daemon = lab_->StartReflectord(flags);
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  EXPECT_NE(daemon->Stderr().find("2 queues: "), std::string::npos) << daemon->Stderr();

  // In rounds of kFlows frames from each CPU, collected before the next round: the tester's
  // socket buffer holds a few hundred frames, not the whole stream.
  std::vector<Frame> expected;
  std::vector<Frame> returned;
  for (int round = 0; round < kFrames / (kFlows * kQueues); ++round) {
    size_t sent = 0;
    for (int cpu = 0; cpu < kQueues; ++cpu) {
      PinnedToCpu pinned(cpu);
      ASSERT_TRUE(pinned.ok()) << "cannot run on CPU " << cpu;
      for (int flow = 0; flow < kFlows; ++flow) {
        const int i = (round * kQueues + cpu) * kFlows + flow;
        ASSERT_TRUE(lab_->Send(StreamFrame(i).Build()).ok()) << "frame " << i;
        expected.push_back(StreamFrame(i).Reflected(Mode::kAll, /*tos_handshake=*/true).Build());
        ++sent;
      }
    }
    absl::StatusOr<lab::Capture> capture = lab_->Collect(sent, kReturnTimeout);
    ASSERT_TRUE(capture.ok()) << capture.status();
    returned.insert(returned.end(), capture->returned.begin(), capture->returned.end());
  }
  // Each frame once, byte-exact; across two queues the order is not kept.
  const absl::Status compared = lab::CompareFrameMultisets(expected, returned);
  EXPECT_TRUE(compared.ok()) << compared.message().substr(0, 2000);

  absl::StatusOr<DaemonCounters> counted = lab::RequestStats(*daemon, kStatsTimeout);
  ASSERT_TRUE(counted.ok()) << counted.status();
  EXPECT_EQ(counted->reflected_frames, static_cast<uint64_t>(kFrames));
  ASSERT_EQ(counted->workers.size(), static_cast<size_t>(kQueues));
  uint64_t reflected = 0;
  for (size_t w = 0; w < counted->workers.size(); ++w) {
    const lab::WorkerShare& share = counted->workers[w];
    SCOPED_TRACE(absl::StrCat("worker ", w));
    std::cout << GetParam() << " worker " << w << ": rx " << share.rx_frames << ", reflected "
              << share.reflected_frames << "\n";
    EXPECT_GT(share.reflected_frames, 0u);
    EXPECT_GE(share.rx_frames, share.reflected_frames);
    // afxdp: worker q owns rx queue q, which got exactly what CPU q sent.
    if (GetParam() == "afxdp") {
      EXPECT_EQ(share.reflected_frames, uint64_t{kFrames / kQueues});
    }
    reflected += share.reflected_frames;
  }
  EXPECT_EQ(reflected, static_cast<uint64_t>(kFrames));

  ASSERT_TRUE(daemon->Signal(SIGTERM).ok());
  absl::StatusOr<int> exit_code = daemon->Wait(kStopTimeout);
  ASSERT_TRUE(exit_code.ok()) << exit_code.status();
  EXPECT_EQ(*exit_code, 0) << daemon->Describe();
  EXPECT_NE(daemon->Stderr().find("by worker (rx/reflected): "), std::string::npos)
      << daemon->Stderr();
  EXPECT_TRUE(lab_->CheckNothingAttached().ok()) << lab_->CheckNothingAttached();
}

INSTANTIATE_TEST_SUITE_P(DataPaths, ReflectordQueuesTest, ::testing::Values("afxdp", "afpacket", "dpdk"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace reflector::testing
