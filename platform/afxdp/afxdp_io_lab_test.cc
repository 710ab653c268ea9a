// The afxdp backend on a veth pair (SPEC §7): the reflector's XDP program redirects test frames
// to AfXdpIo, a tiny engine reflects them, and the tester must get back exactly the frames
// whose verdict is reflect, byte-exact and once each. Needs root; see require_root.h.
#include <sched.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "platform/afxdp/afxdp_io.h"
#include "platform/afxdp/afxdp_lab.h"
#include "reflector/packet/packet.h"
#include "reflector/packet/testing/frame_table.h"
#include "testing/lab/require_root.h"
#include "xdp/loader.h"

namespace reflector::platform::afxdp {
namespace {

using packet::Mode;
using packet::Verdict;
using packet::testing::FrameCase;
using packet::testing::FrameTable;
using ::testing::HasSubstr;

constexpr size_t kEthernetHeader = 14;  // shorter frames never make it onto a wire
// The lab veth's MTU plus the Ethernet header. Longer (jumbo) frames would need a larger MTU
// and XDP multi-buffer on the reflector end, which the afxdp data path does not use.
constexpr size_t kLargestLabFrame = 1500 + kEthernetHeader;

using Bytes = std::vector<uint8_t>;

// The table's cases, grouped by the config they are classified under (the program holds one
// config at a time).
std::vector<std::vector<const FrameCase*>> GroupByConfig() {
  std::vector<std::vector<const FrameCase*>> groups;
  for (const FrameCase& c : FrameTable()) {
    if (c.frame.size() < kEthernetHeader || c.frame.size() > kLargestLabFrame) continue;
    auto same = std::find_if(groups.begin(), groups.end(), [&](const auto& group) {
      return std::memcmp(&group.front()->config, &c.config, sizeof(rf_config)) == 0;
    });
    if (same == groups.end()) {
      groups.push_back({&c});
    } else {
      same->push_back(&c);
    }
  }
  return groups;
}

// Waits until the kernel has completed every frame it was given to send.
void DrainTx(AfXdpIo& io) {
  const absl::Time deadline = absl::Now() + absl::Seconds(2);
  while (io.accounting().kernel_tx > 0 && absl::Now() < deadline) {
    ASSERT_TRUE(io.Flush().ok());
    absl::SleepFor(absl::Milliseconds(1));
  }
}

void ExpectEveryFrameAccountedFor(const AfXdpIo& io) {
  const FrameAccounting a = io.accounting();
  EXPECT_EQ(a.engine, 0u);
  EXPECT_EQ(a.kernel_tx, 0u);
  EXPECT_EQ(a.free + a.kernel_rx, a.total);
  EXPECT_EQ(a.kernel_strays, 0u);
  EXPECT_EQ(a.tx_invalid, 0u);
}

struct LabCase {
  std::string name;
  xdp::AttachMode attach;
  ZeroCopyMode zero_copy;
};

void PrintTo(const LabCase& lab_case, std::ostream* out) { *out << lab_case.name; }

class AfXdpReflectTest : public ::testing::TestWithParam<LabCase> {};

TEST_P(AfXdpReflectTest, ReflectsExactlyTheReflectVerdictFramesOnceEachByteExact) {
  REFLECTOR_REQUIRE_ROOT();
  absl::StatusOr<std::unique_ptr<AfXdpLab>> lab = AfXdpLab::Create(GetParam().attach);
  ASSERT_TRUE(lab.ok()) << lab.status();
  AfXdpOptions options;
  options.zero_copy = GetParam().zero_copy;
  absl::StatusOr<std::unique_ptr<AfXdpIo>> io = (*lab)->Open(0, options);
  ASSERT_TRUE(io.ok()) << io.status();
  // veth has no zero-copy support; auto must say so instead of failing.
  EXPECT_FALSE((*io)->zero_copy());
  EXPECT_THAT((*io)->Describe(), HasSubstr(GetParam().zero_copy == ZeroCopyMode::kOff
                                               ? "(copy mode: --zero_copy=off)"
                                               : "(copy mode: the driver refused zero-copy: "));
  std::cout << (*io)->Describe() << "\n";

  size_t total_reflected = 0;
  for (const std::vector<const FrameCase*>& group : GroupByConfig()) {
    const rf_config& config = group.front()->config;
    ASSERT_TRUE((*lab)->Configure(config).ok());

    std::map<Bytes, std::vector<std::string>> expected;  // reflection → case names
    std::map<Bytes, std::string> forbidden;  // what a wrongly reflected reject would look like
    for (const FrameCase* c : group) {
      ASSERT_TRUE((*lab)->Send(c->frame).ok()) << c->name;
      if (c->verdict == Verdict::kReflect) {
        expected[c->ExpectedReflection()].push_back(c->name);
        ++total_reflected;
      } else if (c->has_builder) {
        forbidden[c->ExpectedReflection()] = c->name;
      }
    }
    size_t want = 0;
    for (const auto& [bytes, names] : expected) want += names.size();

    absl::StatusOr<PumpResult> pumped = Pump({io->get()}, config, {.expected = want});
    ASSERT_TRUE(pumped.ok()) << pumped.status();
    EXPECT_EQ(pumped->received, want) << group.front()->name;
    EXPECT_EQ(pumped->not_reflect, 0u) << "a frame userspace rejects reached the socket";

    absl::StatusOr<std::vector<Bytes>> back = (*lab)->Collect(absl::Milliseconds(200));
    ASSERT_TRUE(back.ok()) << back.status();
    for (const Bytes& frame : *back) {
      auto hit = expected.find(frame);
      if (hit != expected.end()) {
        hit->second.pop_back();
        if (hit->second.empty()) expected.erase(hit);
        continue;
      }
      auto wrong = forbidden.find(frame);
      EXPECT_TRUE(wrong == forbidden.end()) << "reflected a reject: " << wrong->second;
      // Anything else is the reflector's own stack talking (ICMP, neighbour discovery).
    }
    std::vector<std::string> missing;
    for (const auto& [bytes, names] : expected)
      missing.insert(missing.end(), names.begin(), names.end());
    EXPECT_TRUE(missing.empty()) << "not reflected (or twice): " << absl::StrJoin(missing, ", ");
  }
  EXPECT_GT(total_reflected, 10u);

  DrainTx(**io);
  ExpectEveryFrameAccountedFor(**io);
  const IoStats stats = (*io)->stats();
  EXPECT_EQ(stats.rx_frames, total_reflected);
  EXPECT_EQ(stats.tx_frames, total_reflected);
  EXPECT_EQ(stats.tx_dropped, 0u);
  EXPECT_EQ(stats.rx_dropped, 0u);

  // Ordinary traffic still reaches the reflector's stack while the socket is bound.
  EXPECT_TRUE((*lab)->PingReflector().ok());
}

INSTANTIATE_TEST_SUITE_P(
    AttachAndCopyModes, AfXdpReflectTest,
    ::testing::Values(LabCase{"NativeAuto", xdp::AttachMode::kNative, ZeroCopyMode::kAuto},
                      LabCase{"NativeCopy", xdp::AttachMode::kNative, ZeroCopyMode::kOff},
                      LabCase{"GenericAuto", xdp::AttachMode::kGeneric, ZeroCopyMode::kAuto},
                      LabCase{"GenericCopy", xdp::AttachMode::kGeneric, ZeroCopyMode::kOff}),
    [](const ::testing::TestParamInfo<LabCase>& info) { return info.param.name; });

TEST(AfXdpIoLabTest, ZeroCopyOnFailsWithTheReasonOnVeth) {
  REFLECTOR_REQUIRE_ROOT();
  absl::StatusOr<std::unique_ptr<AfXdpLab>> lab = AfXdpLab::Create(xdp::AttachMode::kNative);
  ASSERT_TRUE(lab.ok()) << lab.status();
  AfXdpOptions options;
  options.zero_copy = ZeroCopyMode::kOn;
  absl::StatusOr<std::unique_ptr<AfXdpIo>> io = (*lab)->Open(0, options);
  if (io.ok()) {
    // A kernel whose veth learnt zero-copy: then it must really be on.
    EXPECT_TRUE((*io)->zero_copy());
    return;
  }
  EXPECT_EQ(io.status().code(), absl::StatusCode::kFailedPrecondition) << io.status();
  EXPECT_THAT(io.status().message(), HasSubstr((*lab)->reflector_interface()));
  EXPECT_THAT(io.status().message(), HasSubstr("cannot do AF_XDP zero-copy"));
  EXPECT_THAT(io.status().message(), HasSubstr("--zero_copy=auto"));
}

TEST(AfXdpIoLabTest, RecyclesThousandsOfFramesThroughASmallUmemWithoutLeaking) {
  REFLECTOR_REQUIRE_ROOT();
  absl::StatusOr<std::unique_ptr<AfXdpLab>> lab = AfXdpLab::Create(xdp::AttachMode::kNative);
  ASSERT_TRUE(lab.ok()) << lab.status();
  // 128 frames: the old reflector ran dry after one fill ring's worth; this goes 80 times round.
  AfXdpOptions options;
  options.frame_count = 128;
  options.frame_size = 2048;
  options.ring_size = 64;
  absl::StatusOr<std::unique_ptr<AfXdpIo>> io = (*lab)->Open(0, options);
  ASSERT_TRUE(io.ok()) << io.status();

  const FrameCase& probe = FrameTable().front();
  ASSERT_EQ(probe.verdict, Verdict::kReflect);
  const Bytes reflection = probe.ExpectedReflection();
  constexpr int kBursts = 320;
  constexpr int kBurst = 32;
  size_t sent = 0;
  size_t transmitted = 0;
  size_t released = 0;
  size_t back = 0;
  for (int burst = 0; burst < kBursts; ++burst) {
    for (int i = 0; i < kBurst; ++i) ASSERT_TRUE((*lab)->Send(probe.frame).ok());
    sent += kBurst;
    absl::StatusOr<PumpResult> pumped =
        Pump({io->get()}, probe.config,
             {.expected = kBurst, .grace = absl::ZeroDuration(), .release_every = 4});
    ASSERT_TRUE(pumped.ok()) << pumped.status();
    ASSERT_EQ(pumped->received, size_t{kBurst}) << "burst " << burst;
    transmitted += pumped->transmitted;
    released += pumped->released;
    // Read as we go: the tester socket's buffer holds a few hundred frames, not thousands.
    absl::StatusOr<std::vector<Bytes>> frames = (*lab)->Collect(absl::Milliseconds(1));
    ASSERT_TRUE(frames.ok()) << frames.status();
    back += std::count(frames->begin(), frames->end(), reflection);
  }
  DrainTx(**io);
  absl::StatusOr<std::vector<Bytes>> frames = (*lab)->Collect(absl::Milliseconds(200));
  ASSERT_TRUE(frames.ok()) << frames.status();
  back += std::count(frames->begin(), frames->end(), reflection);

  EXPECT_EQ(released, sent / 4);
  EXPECT_EQ(transmitted + released, sent);
  EXPECT_EQ(back, transmitted);
  const IoStats stats = (*io)->stats();
  EXPECT_EQ(stats.rx_frames, sent);
  EXPECT_EQ(stats.tx_frames, transmitted);
  EXPECT_EQ(stats.tx_dropped, 0u);
  ExpectEveryFrameAccountedFor(**io);
  EXPECT_EQ((*io)->accounting().bad_returns, 0u);

  // Giving a frame back twice, or one that was never handed out, is refused and counted; the
  // ledger stays whole.
  ASSERT_TRUE((*lab)->Send(probe.frame).ok());
  Frame frame;
  absl::StatusOr<size_t> n = (*io)->Receive(absl::MakeSpan(&frame, 1), absl::Seconds(2));
  ASSERT_TRUE(n.ok()) << n.status();
  ASSERT_EQ(*n, 1u);
  (*io)->Release(absl::MakeConstSpan(&frame, 1));
  (*io)->Release(absl::MakeConstSpan(&frame, 1));
  const Frame made_up = {frame.data, frame.length, uint64_t{1} << 40};
  ASSERT_TRUE((*io)->Transmit(absl::MakeConstSpan(&made_up, 1)).ok());
  EXPECT_EQ((*io)->accounting().bad_returns, 2u);
  ExpectEveryFrameAccountedFor(**io);
}

// Runs `send` on CPU `cpu` (XPS then picks the tester's tx queue, and veth the reflector's rx
// queue, with the same number).
void OnCpu(int cpu, const std::function<void()>& send) {
  cpu_set_t original;
  ASSERT_EQ(sched_getaffinity(0, sizeof(original), &original), 0);
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(cpu, &one);
  ASSERT_EQ(sched_setaffinity(0, sizeof(one), &one), 0);
  send();
  ASSERT_EQ(sched_setaffinity(0, sizeof(original), &original), 0);
}

TEST(AfXdpIoLabTest, OneSocketPerQueueEachGetsItsOwnQueuesFrames) {
  REFLECTOR_REQUIRE_ROOT();
  cpu_set_t cpus;
  ASSERT_EQ(sched_getaffinity(0, sizeof(cpus), &cpus), 0);
  if (!CPU_ISSET(0, &cpus) || !CPU_ISSET(1, &cpus)) GTEST_SKIP() << "needs CPUs 0 and 1";
  absl::StatusOr<std::unique_ptr<AfXdpLab>> lab =
      AfXdpLab::Create(xdp::AttachMode::kNative, /*queues=*/2);
  ASSERT_TRUE(lab.ok()) << lab.status();
  absl::StatusOr<std::unique_ptr<AfXdpIo>> io0 = (*lab)->Open(0);
  ASSERT_TRUE(io0.ok()) << io0.status();
  absl::StatusOr<std::unique_ptr<AfXdpIo>> io1 = (*lab)->Open(1);
  ASSERT_TRUE(io1.ok()) << io1.status();

  const FrameCase& probe = FrameTable().front();
  const Bytes reflection = probe.ExpectedReflection();
  constexpr size_t kPerQueue = 100;
  for (int cpu = 0; cpu < 2; ++cpu) {
    OnCpu(cpu, [&] {
      for (size_t i = 0; i < kPerQueue; ++i) ASSERT_TRUE((*lab)->Send(probe.frame).ok());
    });
  }
  absl::StatusOr<PumpResult> pumped =
      Pump({io0->get(), io1->get()}, probe.config, {.expected = 2 * kPerQueue});
  ASSERT_TRUE(pumped.ok()) << pumped.status();
  EXPECT_EQ(pumped->received, 2 * kPerQueue);
  EXPECT_EQ((*io0)->stats().rx_frames, kPerQueue);
  EXPECT_EQ((*io1)->stats().rx_frames, kPerQueue);

  absl::StatusOr<std::vector<Bytes>> back = (*lab)->Collect(absl::Milliseconds(200));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(static_cast<size_t>(std::count(back->begin(), back->end(), reflection)), 2 * kPerQueue);
  DrainTx(**io0);
  DrainTx(**io1);
  ExpectEveryFrameAccountedFor(**io0);
  ExpectEveryFrameAccountedFor(**io1);
}

TEST(AfXdpIoLabTest, ClosingLeavesTheXskMapSoFramesPassToTheStack) {
  REFLECTOR_REQUIRE_ROOT();
  absl::StatusOr<std::unique_ptr<AfXdpLab>> lab = AfXdpLab::Create(xdp::AttachMode::kNative);
  ASSERT_TRUE(lab.ok()) << lab.status();
  const FrameCase& probe = FrameTable().front();
  absl::StatusOr<rf_xdp_counters> before = (*lab)->program().ReadCounters();
  ASSERT_TRUE(before.ok()) << before.status();
  {
    absl::StatusOr<std::unique_ptr<AfXdpIo>> io = (*lab)->Open(0);
    ASSERT_TRUE(io.ok()) << io.status();
    ASSERT_TRUE((*lab)->Send(probe.frame).ok());
    absl::StatusOr<PumpResult> pumped = Pump({io->get()}, probe.config, {.expected = 1});
    ASSERT_TRUE(pumped.ok()) << pumped.status();
    EXPECT_EQ(pumped->received, 1u);
  }
  ASSERT_TRUE((*lab)->Send(probe.frame).ok());
  absl::SleepFor(absl::Milliseconds(50));
  absl::StatusOr<rf_xdp_counters> after = (*lab)->program().ReadCounters();
  ASSERT_TRUE(after.ok()) << after.status();
  const rf_xdp_counters delta = xdp::CountersSince(*after, *before);
  EXPECT_EQ(delta.redirected, 1u);
  EXPECT_EQ(delta.redirect_fallback, 1u);
}

}  // namespace
}  // namespace reflector::platform::afxdp
