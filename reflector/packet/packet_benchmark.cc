// ns per frame for the packet core: bazel run -c opt //reflector/packet:packet_benchmark
#include <vector>

#include "benchmark/benchmark.h"
#include "reflector/packet/packet.h"
#include "reflector/packet/testing/frame_builder.h"

namespace reflector::packet {
namespace {

using testing::FrameBuilder;

// Classify + reflect in place, the per-frame work of every data path. Reflecting a frame
// turns it around, so iterations alternate between the reflector's config and its mirror
// image (the tester's MAC and OUI): every iteration does the same full work on the same buffer
// and nothing has to be copied back. (A copy before each call costs more than the classifier:
// its wide stores stall the narrow loads that follow.)
void ClassifyAndReflectLoop(benchmark::State& state, const std::vector<uint8_t>& original,
                            bool expect_reflect) {
  const rf_config forward = testing::DefaultTestConfig();
  rf_config backward = forward;
  std::copy(testing::kTesterMac.begin(), testing::kTesterMac.end(), backward.if_mac);
  std::copy(testing::kReflectorMac.begin(), testing::kReflectorMac.begin() + 3, backward.ouis[0]);
  const rf_config* configs[2] = {&forward, &backward};

  std::vector<uint8_t> frame = original;
  if (Classify(frame, forward).reflect() != expect_reflect) {
    state.SkipWithError("frame does not get the expected verdict");
    return;
  }
  size_t turn = 0;
  for (auto _ : state) {
    Classification result = ClassifyAndReflect(absl::MakeSpan(frame), *configs[turn]);
    benchmark::DoNotOptimize(result);
    if (result.reflect()) turn ^= 1;
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(original.size()));
}

void BM_Ipv4_64Bytes(benchmark::State& state) {
  ClassifyAndReflectLoop(state, FrameBuilder().FrameSize(64).Build(), true);
}
BENCHMARK(BM_Ipv4_64Bytes);

void BM_Ipv6Vlan_128Bytes(benchmark::State& state) {
  ClassifyAndReflectLoop(
      state,
      FrameBuilder().Vlan(100).Ipv6(testing::kTesterIpv6, testing::kReflectorIpv6).FrameSize(128).Build(),
      true);
}
BENCHMARK(BM_Ipv6Vlan_128Bytes);

// Production traffic that is not for us: rejected at the first check (multicast dst MAC).
void BM_NonTestFrame_RejectedFirst(benchmark::State& state) {
  ClassifyAndReflectLoop(
      state, FrameBuilder().DstMac({0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb}).FrameSize(64).Build(),
      false);
}
BENCHMARK(BM_NonTestFrame_RejectedFirst);

}  // namespace
}  // namespace reflector::packet

BENCHMARK_MAIN();
