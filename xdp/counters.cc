#include "xdp/counters.h"

#include <bpf/libbpf.h>

#include <array>
#include <bit>
#include <cstdint>
#include <vector>

#include "reflector/packet/cfm.h"
#include "xdp/per_cpu.h"

namespace reflector::xdp {
namespace {

// The record is nothing but 64-bit counters, so it can be added as an array of words.
constexpr size_t kCounterWords = sizeof(rf_xdp_counters) / sizeof(uint64_t);
static_assert(kCounterWords * sizeof(uint64_t) == sizeof(rf_xdp_counters));
using CounterWords = std::array<uint64_t, kCounterWords>;

}  // namespace

absl::StatusOr<rf_xdp_counters> ReadPerCpuCounters(const bpf_map* map, absl::string_view what) {
  absl::StatusOr<std::vector<rf_xdp_counters>> per_cpu = ReadPerCpuEntry<rf_xdp_counters>(map, what);
  if (!per_cpu.ok()) return per_cpu.status();
  return SumCounters(*per_cpu);
}

rf_xdp_counters SumCounters(absl::Span<const rf_xdp_counters> per_cpu) {
  CounterWords sum = {};
  for (const rf_xdp_counters& cpu : per_cpu) {
    const auto words = std::bit_cast<CounterWords>(cpu);
    for (size_t i = 0; i < kCounterWords; ++i) sum[i] += words[i];
  }
  auto counters = std::bit_cast<rf_xdp_counters>(sum);
  counters.rule_hint = 0;  // not a counter: a sum of hints means nothing
  counters.rule_reason = 0;  // nor the fast tier's scratch
  counters.guard_clock = counters.guard_clock_countdown = 0;  // nor the guard's clocks
  // Nor is the loop peer: any CPU's, the last one's that has one.
  counters.loop_peer = 0;
  for (const rf_xdp_counters& cpu : per_cpu) {
    if (cpu.loop_peer != 0) counters.loop_peer = cpu.loop_peer;
  }
  return counters;
}

rf_xdp_counters CountersSince(const rf_xdp_counters& after, const rf_xdp_counters& before) {
  auto words = std::bit_cast<CounterWords>(after);
  const auto old_words = std::bit_cast<CounterWords>(before);
  for (size_t i = 0; i < kCounterWords; ++i) words[i] -= old_words[i];
  auto counters = std::bit_cast<rf_xdp_counters>(words);
  counters.rule_hint = counters.rule_reason = 0;
  counters.guard_clock = counters.guard_clock_countdown = 0;
  counters.loop_peer = after.loop_peer;
  return counters;
}

uint64_t ReflectVerdicts(const rf_xdp_counters& counters) {
  uint64_t total = 0;
  for (uint64_t frames : counters.rule_frames) total += frames;
  return total;
}

uint64_t ReflectBytes(const rf_xdp_counters& counters) {
  uint64_t total = 0;
  for (uint64_t bytes : counters.rule_bytes) total += bytes;
  return total;
}

uint64_t CfmAnswers(const rf_xdp_counters& counters) {
  uint64_t total = 0;
  for (int i = 0; i < RF_CFM_ANSWERS; ++i) total += counters.cfm_frames[i];
  return total;
}

uint64_t RejectedFrames(const rf_xdp_counters& counters) {
  uint64_t total = 0;
  for (uint64_t frames : counters.verdict_frames) total += frames;
  return total;
}

uint64_t PassedFrames(const rf_xdp_counters& counters, bool monitor) {
  if (monitor) return RejectedFrames(counters) + ReflectVerdicts(counters) + CfmAnswers(counters);
  // Rejected frames are passed, but for the guard's: those are dropped.
  uint64_t dropped = 0;
  for (int v = RF_FIRST_GUARD_VERDICT; v < RF_VERDICT_COUNT; ++v) {
    dropped += counters.verdict_frames[v];
  }
  return RejectedFrames(counters) - dropped + counters.redirect_fallback +
         counters.reflect_errors;
}

uint64_t SentFrames(const rf_xdp_counters& counters, bool monitor) {
  if (monitor) return 0;
  return ReflectVerdicts(counters) + CfmAnswers(counters) - counters.redirected -
         counters.redirect_fallback - counters.reflect_errors;
}

}  // namespace reflector::xdp
