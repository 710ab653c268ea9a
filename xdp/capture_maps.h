// The userspace side of a kernel program's capture ring (xdp/capture_ring.h, issue 21): writing
// its settings and reading its per-CPU counts, shared by the XDP and tc loaders.
#ifndef REFLECTOR_XDP_CAPTURE_MAPS_H_
#define REFLECTOR_XDP_CAPTURE_MAPS_H_

#include "absl/status/statusor.h"
#include "reflector/packet/wire.h"

struct bpf_map;  // libbpf

namespace reflector::xdp {

// Writes `next` into the program's mapped `live` settings, `enabled` last (and cleared first),
// so a frame never sees it set before the selection it guards.
void WriteCaptureConfig(rf_capture_config& live, const rf_capture_config& next);

// The per-CPU rf_capture_state values of `map` summed (taken, limited, ring_full).
absl::StatusOr<rf_capture_state> ReadCaptureStates(const bpf_map* map);

}  // namespace reflector::xdp

#endif  // REFLECTOR_XDP_CAPTURE_MAPS_H_
