#include "reflector/engine/counter_merge.h"

#include "gtest/gtest.h"

namespace reflector::engine {
namespace {

using packet::Verdict;

constexpr int kPort = static_cast<int>(Verdict::kPort);
constexpr int kDstMac = static_cast<int>(Verdict::kDstMac);
constexpr int kProbeot = 0;  // the first rule of the default table

// What a kernel program counted: `reflect` test frames (100 bytes each, PROBEOT), `port` frames
// for another port and `dst_mac` frames for another MAC (60 bytes each). In monitor mode the
// program passes every frame to the stack, else the rejected ones.
Counters Kernel(uint64_t reflect, uint64_t port, uint64_t dst_mac, bool monitor = false) {
  rf_xdp_counters kernel = {};
  kernel.verdict_frames[RF_PORT] = port;
  kernel.verdict_frames[RF_DST_MAC] = dst_mac;
  kernel.rejected_bytes = 60 * (port + dst_mac);
  kernel.rule_frames[kProbeot] = reflect;
  kernel.rule_bytes[kProbeot] = 100 * reflect;
  return FromKernelCounters(kernel, monitor);
}

// What the workers counted: `rx` frames received, of which `reflect` reflected (100 bytes
// each) and `port` rejected for their port (60 bytes each).
Counters Workers(uint64_t rx, uint64_t reflect, uint64_t port) {
  Counters workers;
  workers.rx_frames = rx;
  workers.rx_bytes = 100 * reflect + 60 * port;
  workers.reflected_frames = reflect;
  workers.reflected_bytes = 100 * reflect;
  workers.reflected_by_rule[kProbeot] = reflect;
  workers.rejected_by_reason[kPort] = port;
  return workers;
}

TEST(FromKernelCountersTest, EveryVerdictIsReceivedAndEveryOtherThanReflectRejected) {
  const Counters c = Kernel(/*reflect=*/5, /*port=*/3, /*dst_mac=*/2);
  EXPECT_EQ(c.rx_frames, 10u);
  EXPECT_EQ(c.rx_bytes, 500u + 300u);
  EXPECT_EQ(c.reflected_frames, 5u);
  EXPECT_EQ(c.reflected_bytes, 500u);
  EXPECT_EQ(c.reflected_by_rule[kProbeot], 5u);
  EXPECT_EQ(c.rejected_by_reason[static_cast<int>(Verdict::kReflect)], 0u);
  EXPECT_EQ(c.rejected_by_reason[kPort], 3u);
  EXPECT_EQ(c.rejected_by_reason[kDstMac], 2u);
  EXPECT_EQ(c.rejected_frames(), 5u);
  EXPECT_EQ(c.passed_frames, 5u);
  EXPECT_EQ(c.tx_dropped, 0u);
  EXPECT_EQ(c.rx_dropped, 0u);
}

// Y.1731: 4 answers (64 bytes each) are received and reflected frames of no rule; 2 CFM
// frames at another level are rejected (ethertype) and passed, and counted by reason too.
TEST(FromKernelCountersTest, Y1731AnswersAreReflectedItsPassesRejected) {
  rf_xdp_counters kernel = {};
  kernel.cfm_frames[RF_CFM_LBR] = 3;
  kernel.cfm_frames[RF_CFM_DMR] = 1;
  kernel.cfm_answered_bytes = 4 * 64;
  kernel.cfm_frames[RF_CFM_LEVEL] = 2;
  kernel.verdict_frames[RF_ETHERTYPE] = 2;
  kernel.rejected_bytes = 2 * 64;
  for (bool monitor : {false, true}) {
    const Counters c = FromKernelCounters(kernel, monitor);
    EXPECT_EQ(c.rx_frames, 6u);
    EXPECT_EQ(c.rx_bytes, 6u * 64);
    EXPECT_EQ(c.reflected_frames, 4u);
    EXPECT_EQ(c.reflected_bytes, 4u * 64);
    EXPECT_EQ(c.rejected_frames(), 2u);
    EXPECT_EQ(c.y1731[RF_CFM_LBR], 3u);
    EXPECT_EQ(c.y1731[RF_CFM_LEVEL], 2u);
    EXPECT_EQ(c.passed_frames, monitor ? 6u : 2u);
  }
}

// afxdp: 6 test frames redirected to the sockets, 3 + 1 others passed to the stack.
TEST(MergeAfXdpCountersTest, ReceivedIsWhatTheProgramSawRejectedWhatItPassed) {
  const Counters program = Kernel(/*reflect=*/6, /*port=*/3, /*dst_mac=*/1);
  Counters workers = Workers(/*rx=*/6, /*reflect=*/6, /*port=*/0);
  workers.tx_dropped = 2;
  workers.workers = {{4, 4}, {2, 2}};
  const Counters out = MergeAfXdpCounters(workers, program, /*monitor=*/false);
  EXPECT_EQ(out.rx_frames, 10u);
  EXPECT_EQ(out.rx_bytes, 600u + 240u);
  EXPECT_EQ(out.reflected_frames, 6u);
  EXPECT_EQ(out.reflected_bytes, 600u);
  EXPECT_EQ(out.reflected_by_rule[kProbeot], 6u);
  EXPECT_EQ(out.rejected_by_reason[kPort], 3u);
  EXPECT_EQ(out.rejected_by_reason[kDstMac], 1u);
  EXPECT_EQ(out.passed_frames, 4u);
  EXPECT_EQ(out.tx_dropped, 2u);  // the workers', who send
  EXPECT_EQ(out.workers, workers.workers);
}

// A full socket ring: the program redirected 6, one was lost on the way (the workers count it
// as rx_dropped). It still counts as received, as the afpacket path counts it.
TEST(MergeAfXdpCountersTest, FramesLostInAFullSocketRingAreReceived) {
  const Counters program = Kernel(/*reflect=*/6, /*port=*/3, /*dst_mac=*/1);
  Counters workers = Workers(/*rx=*/5, /*reflect=*/5, /*port=*/0);
  workers.rx_dropped = 1;
  const Counters out = MergeAfXdpCounters(workers, program, /*monitor=*/false);
  EXPECT_EQ(out.rx_frames, 10u);
  EXPECT_EQ(out.rx_bytes, 600u + 240u);
  EXPECT_EQ(out.reflected_frames, 5u);
  EXPECT_EQ(out.rx_dropped, 1u);
}

// The workers are read a moment after the program: frames that arrived in between are
// received although the program's reading does not have them yet.
TEST(MergeAfXdpCountersTest, WorkersAheadOfTheProgramsReadingCount) {
  const Counters program = Kernel(/*reflect=*/6, /*port=*/3, /*dst_mac=*/1);
  const Counters workers = Workers(/*rx=*/8, /*reflect=*/8, /*port=*/0);
  const Counters out = MergeAfXdpCounters(workers, program, /*monitor=*/false);
  EXPECT_EQ(out.rx_frames, 8u + 4u);
  EXPECT_EQ(out.rx_bytes, 800u + 240u);
  EXPECT_EQ(out.reflected_frames, 8u);
}

// A frame the program redirected under the old config and a worker rejected under the new one
// is rejected once, by the worker, on top of what the program rejected.
TEST(MergeAfXdpCountersTest, RejectionsOfProgramAndWorkersAdd) {
  const Counters program = Kernel(/*reflect=*/6, /*port=*/3, /*dst_mac=*/0);
  Counters workers = Workers(/*rx=*/6, /*reflect=*/5, /*port=*/1);
  const Counters out = MergeAfXdpCounters(workers, program, /*monitor=*/false);
  EXPECT_EQ(out.rejected_by_reason[kPort], 3u + 1u);
  EXPECT_EQ(out.reflected_frames, 5u);
  EXPECT_EQ(out.rx_frames, 9u);
}

TEST(MergeAfXdpCountersTest, MonitorIsTheProgramsCountersAlone) {
  const Counters program = Kernel(/*reflect=*/6, /*port=*/3, /*dst_mac=*/1, /*monitor=*/true);
  const Counters workers = Workers(/*rx=*/2, /*reflect=*/2, /*port=*/1);
  EXPECT_EQ(MergeAfXdpCounters(workers, program, /*monitor=*/true), program);
}

// afpacket: tc sees 6 test frames, 3 for another port (the socket filter lets them up as
// candidates) and 1 for another MAC (the socket filter keeps it from the workers).
TEST(MergeAfPacketCountersTest, BothClassifyTheSameFramesSoNothingIsCountedTwice) {
  const Counters tc = Kernel(/*reflect=*/6, /*port=*/3, /*dst_mac=*/1);
  Counters workers = Workers(/*rx=*/9, /*reflect=*/6, /*port=*/3);
  workers.tx_dropped = 1;
  workers.rx_dropped = 2;
  workers.workers = {{5, 3}, {4, 3}};
  const Counters out = MergeAfPacketCounters(workers, tc);
  EXPECT_EQ(out.rx_frames, 10u);
  EXPECT_EQ(out.rx_bytes, 600u + 240u);
  EXPECT_EQ(out.rejected_by_reason[kPort], 3u);
  EXPECT_EQ(out.rejected_by_reason[kDstMac], 1u);
  EXPECT_EQ(out.passed_frames, 4u);
  // What the workers sent: reflected and its drops, and the ring's losses, are theirs.
  EXPECT_EQ(out.reflected_frames, 6u);
  EXPECT_EQ(out.reflected_bytes, 600u);
  EXPECT_EQ(out.reflected_by_rule[kProbeot], 6u);
  EXPECT_EQ(out.tx_dropped, 1u);
  EXPECT_EQ(out.rx_dropped, 2u);
  EXPECT_EQ(out.workers, workers.workers);
}

// The workers are read a moment after tc: each figure is the larger reading.
TEST(MergeAfPacketCountersTest, EachFigureIsTheLargerReading) {
  const Counters tc = Kernel(/*reflect=*/6, /*port=*/3, /*dst_mac=*/1);
  const Counters workers = Workers(/*rx=*/12, /*reflect=*/8, /*port=*/4);
  const Counters out = MergeAfPacketCounters(workers, tc);
  EXPECT_EQ(out.rx_frames, 12u);
  EXPECT_EQ(out.rx_bytes, 800u + 240u);
  EXPECT_EQ(out.rejected_by_reason[kPort], 4u);
  EXPECT_EQ(out.rejected_by_reason[kDstMac], 1u);
  EXPECT_EQ(out.reflected_frames, 8u);
}

// Only tc leaves frames to the stack; the workers never pass one.
TEST(MergeAfPacketCountersTest, PassedIsTcs) {
  const Counters tc = Kernel(/*reflect=*/0, /*port=*/3, /*dst_mac=*/0);
  Counters workers = Workers(/*rx=*/3, /*reflect=*/0, /*port=*/3);
  workers.passed_frames = 7;
  EXPECT_EQ(MergeAfPacketCounters(workers, tc).passed_frames, 3u);
}

// Y.1731 on afpacket: tc counts the requests the workers answer as answers (not rejects) and
// every CFM frame it passes by reason; the workers count what came up. Each outcome is the
// larger reading, so a multicast frame only tc saw still counts.
TEST(MergeAfPacketCountersTest, Y1731OutcomesAreTheLargerReading) {
  rf_xdp_counters kernel = {};
  kernel.cfm_frames[RF_CFM_DMR] = 5;
  kernel.cfm_answered_bytes = 5 * 60;
  kernel.cfm_frames[RF_CFM_ADDRESS] = 2;
  kernel.verdict_frames[RF_ETHERTYPE] = 1;  // a passed CFM frame of another level
  kernel.verdict_frames[RF_DST_MAC] = 2;    // the multicast ones
  kernel.cfm_frames[RF_CFM_LEVEL] = 1;
  kernel.rejected_bytes = 3 * 60;
  const Counters tc = FromKernelCounters(kernel);
  EXPECT_EQ(tc.rx_frames, 8u);
  EXPECT_EQ(tc.rejected_by_reason[RF_ETHERTYPE], 1u);  // the answers are no rejects
  Counters workers;
  workers.rx_frames = 6;
  workers.reflected_frames = 5;
  workers.y1731[RF_CFM_DMR] = 5;
  workers.y1731[RF_CFM_LEVEL] = 1;
  workers.rejected_by_reason[RF_ETHERTYPE] = 1;
  const Counters out = MergeAfPacketCounters(workers, tc);
  EXPECT_EQ(out.rx_frames, 8u);
  EXPECT_EQ(out.reflected_frames, 5u);
  EXPECT_EQ(out.y1731[RF_CFM_DMR], 5u);
  EXPECT_EQ(out.y1731[RF_CFM_LEVEL], 1u);
  EXPECT_EQ(out.y1731[RF_CFM_ADDRESS], 2u);
  EXPECT_EQ(out.rejected_by_reason[RF_ETHERTYPE], 1u);
  EXPECT_EQ(out.passed_frames, 3u);
}

}  // namespace
}  // namespace reflector::engine
