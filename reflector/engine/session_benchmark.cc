// ns per frame of a worker's session count (session_table.h), the cost sessions add to each
// reflected frame: bazel run -c opt //reflector/engine:session_benchmark
// BM_WorkerFrame times a worker's per-frame work with and without it (issue 15: "within 10 %");
// take its two halves in turns and compare medians: --benchmark_repetitions=9
// --benchmark_enable_random_interleaving=true --benchmark_report_aggregates_only=true.
#include <cstdint>
#include <vector>

#include "benchmark/benchmark.h"
#include "reflector/engine/session_table.h"
#include "reflector/packet/config.h"
#include "reflector/packet/packet.h"
#include "reflector/packet/testing/frame_builder.h"

namespace reflector::engine {
namespace {

using packet::testing::DefaultTestConfig;
using packet::testing::FrameBuilder;

// `streams` testers, each sending `run` frames in a row before the next one's, round-robin: a
// single tester (one stream), a few interleaved, more than the cache has slots.
void BM_Count(benchmark::State& state) {
  const int streams = static_cast<int>(state.range(0));
  const int run = static_cast<int>(state.range(1));
  std::vector<std::vector<uint8_t>> frames;
  std::vector<rf_result> wheres;
  for (int s = 0; s < streams; ++s) {
    std::vector<uint8_t> frame =
        FrameBuilder().Ports(static_cast<uint16_t>(1024 + s), RF_DEFAULT_PORT).FrameSize(64).Build();
    const packet::Classification result = packet::Classify(frame, DefaultTestConfig());
    if (!result.reflect()) {
      state.SkipWithError("a stream's frame is not reflected");
      return;
    }
    for (int r = 0; r < run; ++r) {
      frames.push_back(frame);
      wheres.push_back(result.where);
    }
  }
  SessionTable table;
  size_t i = 0;
  for (auto _ : state) {
    table.Count(frames[i], wheres[i]);
    if (++i == frames.size()) i = 0;
  }
  table.Publish();
  benchmark::DoNotOptimize(table.Read());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Count)
    ->ArgNames({"streams", "run"})
    ->Args({1, 1})
    ->Args({4, 16})
    ->Args({4, 1})
    ->Args({64, 1})
    ->Args({1024, 1});

// A worker's work on a reflected frame (worker.cc) without the batch's: classify, count the
// session (kSessions), reflect in place. `streams` testers round-robin, one buffer each; a
// frame's reflection is a test frame too (the bench's configuration, tools/bench/prog_cost.cc:
// both MACs in the NetAlly OUI, the interface MAC a third one and its filter off, port 3842 at
// both ends), so every iteration reflects and each stream is two sessions, one per direction.
// "entries": what the table published at the end, one per session whose counts sit in a cache
// slot or in the table; more than two per stream means sessions took turns in a slot, each
// turn a miss.
template <bool kSessions>
void BM_WorkerFrame(benchmark::State& state) {
  packet::FilterConfig filter;
  filter.interface_mac = {0x02, 0x00, 0x5e, 0x10, 0x00, 0x99};
  filter.dst_mac_filter = false;
  const absl::StatusOr<rf_config> config = packet::ToWire(filter);
  if (!config.ok()) {
    state.SkipWithError("the config does not compile");
    return;
  }
  std::vector<std::vector<uint8_t>> frames;
  for (int s = 0; s < state.range(0); ++s) {
    frames.push_back(FrameBuilder()
                         .DstMac({0x00, 0xc0, 0x17, 0x10, 0x00, 0x02})
                         .Ipv4({198, 18, 0, 1}, {198, 18, static_cast<uint8_t>(1 + s / 250),
                                                 static_cast<uint8_t>(2 + s % 250)})
                         .Ports(RF_DEFAULT_PORT, RF_DEFAULT_PORT)
                         .Custom("RFC2544")
                         .Build());
  }
  SessionTable table;
  packet::RuleHint hint;
  size_t i = 0;
  for (auto _ : state) {
    const absl::Span<uint8_t> frame = absl::MakeSpan(frames[i]);
    const packet::Classification result = packet::Classify(frame, *config, hint);
    if (!result.reflect()) {
      state.SkipWithError("a frame was not reflected");
      return;
    }
    if (kSessions) table.Count(frame, result.where);
    benchmark::DoNotOptimize(packet::ReflectInPlace(frame, result.where, *config, 0));
    if (++i == frames.size()) i = 0;
  }
  table.Publish();
  state.counters["entries"] = static_cast<double>(table.Read().size());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_TEMPLATE(BM_WorkerFrame, false)->ArgName("streams")->Arg(1)->Arg(64);
BENCHMARK_TEMPLATE(BM_WorkerFrame, true)->ArgName("streams")->Arg(1)->Arg(64);

}  // namespace
}  // namespace reflector::engine

BENCHMARK_MAIN();
