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

// Field by field sum of the copies a per-CPU map holds (rule_hint, not a counter, is 0).
rf_xdp_counters SumCounters(absl::Span<const rf_xdp_counters> per_cpu);

// after - before, field by field: what was counted in between.
rf_xdp_counters CountersSince(const rf_xdp_counters& after, const rf_xdp_counters& before);

// What the programs do not count per frame, derived from what they do (xdp/abi.h).
// Frames with a reflect verdict (the sum of the per-rule counts).
uint64_t ReflectVerdicts(const rf_xdp_counters& counters);
// Their bytes.
uint64_t ReflectBytes(const rf_xdp_counters& counters);
// Y.1731 answers (cfm_frames below RF_CFM_ANSWERS): sent with XDP_TX, or in monitor mode
// passed. Not reflect verdicts and not rejected.
uint64_t CfmAnswers(const rf_xdp_counters& counters);
// Frames with any other verdict.
uint64_t RejectedFrames(const rf_xdp_counters& counters);
// Frames the XDP program passed to the stack: every rejected frame but the guard's (dropped),
// those it could not redirect or reflect, and in monitor mode every frame. For the tc program: the frames it left alone.
uint64_t PassedFrames(const rf_xdp_counters& counters, bool monitor);
// Frames the XDP program sent back with XDP_TX (none in monitor mode).
uint64_t SentFrames(const rf_xdp_counters& counters, bool monitor);

}  // namespace reflector::xdp

#endif  // REFLECTOR_XDP_COUNTERS_H_
