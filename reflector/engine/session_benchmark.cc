// ns per frame of a worker's session count (session_table.h), the cost sessions add to each
// reflected frame: bazel run -c opt //reflector/engine:session_benchmark
// Compare with //reflector/packet:packet_benchmark, the classify-and-reflect work per frame.
#include <cstdint>
#include <vector>

#include "benchmark/benchmark.h"
#include "reflector/engine/session_table.h"
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

}  // namespace
}  // namespace reflector::engine

BENCHMARK_MAIN();
