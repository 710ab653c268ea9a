// What one read of the clock STAMP answers are stamped with costs in an XDP program (issue 14:
// "STAMP at >= 0.9x the ITO rate"). A STAMP answer reads bpf_ktime_get_tai_ns twice, T2 on
// arrival and T3 right before the checksum, and on some hosts (a VM's TSC read, for one) a read
// costs more than the whole of an ITO frame's classification and swap. The bench prints this
// figure beside the STAMP row so the ratio can be read against the host's clock.
#ifndef REFLECTOR_TOOLS_BENCH_CLOCK_COST_H_
#define REFLECTOR_TOOLS_BENCH_CLOCK_COST_H_

#include <string>

#include "absl/status/statusor.h"
#include "tools/bench/prog_cost.h"

namespace reflector::bench {

struct ClockCost {
  double empty_ns = 0;  // an XDP_PASS-only program (the test-run loop's share), best round
  double read_ns = 0;   // the same with one bpf_ktime_get_tai_ns call first, best round
};

// Both programs on a 64-byte frame, in turns, `options.rounds` rounds of `options.repeat`.
absl::StatusOr<ClockCost> MeasureClockCost(const ProgCostOptions& options);

// One paragraph (markdown bold lead-in when `markdown`).
std::string FormatClockCost(const ClockCost& cost, bool markdown);

}  // namespace reflector::bench

#endif  // REFLECTOR_TOOLS_BENCH_CLOCK_COST_H_
