// ns per frame for the packet core: bazel run -c opt //reflector/packet:packet_benchmark
#include <cstdlib>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "reflector/packet/config.h"
#include "reflector/packet/packet.h"
#include "reflector/packet/testing/frame_builder.h"

namespace reflector::packet {
namespace {

using testing::FrameBuilder;

// With PACKET_BENCHMARK_ITERATIONS=N each benchmark runs exactly N iterations, once: for
// callgrind, whose instruction counts are deterministic where times on a shared machine are
// not. Per frame: the difference of two runs' counts over the difference of their N.
void FixedIterations(benchmark::internal::Benchmark* benchmark) {
  if (const char* text = std::getenv("PACKET_BENCHMARK_ITERATIONS")) {
    benchmark->Iterations(std::strtoll(text, nullptr, 10));
  }
}

// Classify + reflect in place, the per-frame work of every data path. Reflecting a frame
// turns it around, so iterations alternate between the reflector's config and its mirror
// image (the tester's MAC and OUI): every iteration does the same full work on the same buffer
// and nothing has to be copied back. (A copy before each call costs more than the classifier:
// its wide stores stall the narrow loads that follow.)
// `filter` is the reflector's config; its mirror image has the tester's MAC, accepts the
// reflector's OUI and the tester's port (the reflection's destination). Check that both sides
// reflect: a mirror that rejected would make every later iteration a cheap reject.
void ClassifyAndReflectLoop(benchmark::State& state, const std::vector<uint8_t>& original,
                            bool expect_reflect,
                            const FilterConfig& filter = testing::DefaultTestFilter()) {
  FilterConfig mirror = filter;
  mirror.interface_mac = testing::kTesterMac;
  mirror.ouis = {{testing::kReflectorMac[0], testing::kReflectorMac[1], testing::kReflectorMac[2]}};
  mirror.port = testing::kTesterPort;
  for (Rule& rule : mirror.rules) {
    if (!rule.ouis.empty()) rule.ouis = mirror.ouis;
    rule.dst_ports = {testing::kTesterPort, testing::kTesterPort};
  }
  const absl::StatusOr<rf_config> forward = ToWire(filter);
  const absl::StatusOr<rf_config> backward = ToWire(mirror);
  if (!forward.ok() || !backward.ok()) {
    state.SkipWithError("the config does not compile");
    return;
  }
  const rf_config* configs[2] = {&*forward, &*backward};

  std::vector<uint8_t> frame = original;
  if (Classify(frame, *forward).reflect() != expect_reflect) {
    state.SkipWithError("frame does not get the expected verdict");
    return;
  }
  if (expect_reflect) {
    std::vector<uint8_t> reflected = frame;
    if (!ClassifyAndReflect(absl::MakeSpan(reflected), *forward).reflect() ||
        !Classify(reflected, *backward).reflect()) {
      state.SkipWithError("the mirror side does not reflect the reflection");
      return;
    }
  }
  size_t turn = 0;
  RuleHint hints[2];  // each side keeps its own, as a data path's worker does
  for (auto _ : state) {
    Classification result = ClassifyAndReflect(absl::MakeSpan(frame), *configs[turn], hints[turn]);
    benchmark::DoNotOptimize(result);
    if (result.reflect()) turn ^= 1;
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(original.size()));
}

void BM_Ipv4_64Bytes(benchmark::State& state) {
  ClassifyAndReflectLoop(state, FrameBuilder().FrameSize(64).Build(), true);
}
BENCHMARK(BM_Ipv4_64Bytes)->Apply(FixedIterations);

void BM_Ipv6Vlan_128Bytes(benchmark::State& state) {
  ClassifyAndReflectLoop(
      state,
      FrameBuilder().Vlan(100).Ipv6(testing::kTesterIpv6, testing::kReflectorIpv6).FrameSize(128).Build(),
      true);
}
BENCHMARK(BM_Ipv6Vlan_128Bytes)->Apply(FixedIterations);

// Production traffic that is not for us: rejected at the first check (multicast dst MAC).
void BM_NonTestFrame_RejectedFirst(benchmark::State& state) {
  ClassifyAndReflectLoop(
      state, FrameBuilder().DstMac({0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb}).FrameSize(64).Build(),
      false);
}
BENCHMARK(BM_NonTestFrame_RejectedFirst)->Apply(FixedIterations);

// A UDP frame to the port without a signature: passes every safety check, and no rule takes
// it (the rule stage's reason, a second pass).
void BM_NoSignature_Rejected_64Bytes(benchmark::State& state) {
  ClassifyAndReflectLoop(
      state, FrameBuilder().Payload(std::vector<uint8_t>(22, 0)).FrameSize(64).Build(), false);
}
BENCHMARK(BM_NoSignature_Rejected_64Bytes)->Apply(FixedIterations);

// Today's default without the two things the rules added for ITO frames: the OUI list and
// the ToS handshake (what each costs).
void BM_Ipv4_64Bytes_AnyOuiNoHandshake(benchmark::State& state) {
  FilterConfig filter = testing::DefaultTestFilter();
  filter.ouis.clear();
  filter.tos_handshake = false;
  ClassifyAndReflectLoop(state, FrameBuilder().FrameSize(64).Build(), true, filter);
}
BENCHMARK(BM_Ipv4_64Bytes_AnyOuiNoHandshake)->Apply(FixedIterations);

// The default profiles try the three ITO rules before the RFC 2544 one.
void BM_Rfc2544FourthRule_64Bytes(benchmark::State& state) {
  ClassifyAndReflectLoop(state, FrameBuilder().Custom("RFC2544").FrameSize(64).Build(), true);
}
BENCHMARK(BM_Rfc2544FourthRule_64Bytes)->Apply(FixedIterations);

// A full table: 31 custom rules that each fail late (right port range, wrong payload), then
// the default profiles' first rule. The cost of the largest table for a reflected frame, and
// (BM_FullTable_Rejected) for a frame that no rule takes.
FilterConfig FullTable() {
  FilterConfig filter = testing::DefaultTestFilter();
  filter.signatures = RF_SIG_BIT(RF_SIG_PROBEOT);
  for (int i = 0; i < RF_MAX_RULES - 1; ++i) {
    Rule rule;
    rule.name = "r" + std::to_string(i);
    rule.dst_ports = {3800, 3900};
    rule.pattern.bytes = {'X', static_cast<uint8_t>('a' + i % 26), 'Y'};
    rule.pattern.offset = static_cast<uint16_t>(i % 8);
    filter.rules.push_back(rule);
  }
  return filter;
}

void BM_FullTable_LastRule_64Bytes(benchmark::State& state) {
  ClassifyAndReflectLoop(state, FrameBuilder().FrameSize(64).Build(), true, FullTable());
}
BENCHMARK(BM_FullTable_LastRule_64Bytes)->Apply(FixedIterations);

void BM_FullTable_Rejected_64Bytes(benchmark::State& state) {
  ClassifyAndReflectLoop(state, FrameBuilder().Ito("DATA:OT").FrameSize(64).Build(), false,
                         FullTable());
}
BENCHMARK(BM_FullTable_Rejected_64Bytes)->Apply(FixedIterations);

}  // namespace
}  // namespace reflector::packet

BENCHMARK_MAIN();
