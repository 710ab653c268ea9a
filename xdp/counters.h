// The per-CPU counter record (rf_xdp_counters) that the XDP program and the afpacket data
// path's tc program keep: reading it from its map, sums over CPUs, differences between
// readings.
#ifndef REFLECTOR_XDP_COUNTERS_H_
#define REFLECTOR_XDP_COUNTERS_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "xdp/abi.h"

struct bpf_map;

namespace reflector::xdp {

// Reads the one record of the per-CPU array `map` and sums it over CPUs. `what` names the
// counters in errors ("the XDP counters").
absl::StatusOr<rf_xdp_counters> ReadPerCpuCounters(const bpf_map* map, absl::string_view what);

// Field by field sum of the copies a per-CPU map holds.
rf_xdp_counters SumCounters(absl::Span<const rf_xdp_counters> per_cpu);

// after - before, field by field: what was counted in between.
rf_xdp_counters CountersSince(const rf_xdp_counters& after, const rf_xdp_counters& before);

}  // namespace reflector::xdp

#endif  // REFLECTOR_XDP_COUNTERS_H_
