#include "xdp/counters.h"

#include <array>
#include <bit>
#include <cstdint>

namespace reflector::xdp {
namespace {

// The record is nothing but 64-bit counters, so it can be added as an array of words.
constexpr size_t kCounterWords = sizeof(rf_xdp_counters) / sizeof(uint64_t);
static_assert(kCounterWords * sizeof(uint64_t) == sizeof(rf_xdp_counters));
using CounterWords = std::array<uint64_t, kCounterWords>;

}  // namespace

rf_xdp_counters SumCounters(absl::Span<const rf_xdp_counters> per_cpu) {
  CounterWords sum = {};
  for (const rf_xdp_counters& cpu : per_cpu) {
    const auto words = std::bit_cast<CounterWords>(cpu);
    for (size_t i = 0; i < kCounterWords; ++i) sum[i] += words[i];
  }
  return std::bit_cast<rf_xdp_counters>(sum);
}

rf_xdp_counters CountersSince(const rf_xdp_counters& after, const rf_xdp_counters& before) {
  auto words = std::bit_cast<CounterWords>(after);
  const auto old_words = std::bit_cast<CounterWords>(before);
  for (size_t i = 0; i < kCounterWords; ++i) words[i] -= old_words[i];
  return std::bit_cast<rf_xdp_counters>(words);
}

}  // namespace reflector::xdp
