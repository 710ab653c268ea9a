// Arithmetic on the per-CPU counter record (rf_xdp_counters) that the XDP program and the
// afpacket data path's tc filter keep: sums over CPUs and differences between readings.
#ifndef REFLECTOR_XDP_COUNTERS_H_
#define REFLECTOR_XDP_COUNTERS_H_

#include "absl/types/span.h"
#include "xdp/abi.h"

namespace reflector::xdp {

// Field by field sum of the copies a per-CPU map holds.
rf_xdp_counters SumCounters(absl::Span<const rf_xdp_counters> per_cpu);

// after - before, field by field: what was counted in between.
rf_xdp_counters CountersSince(const rf_xdp_counters& after, const rf_xdp_counters& before);

}  // namespace reflector::xdp

#endif  // REFLECTOR_XDP_COUNTERS_H_
