#include "xdp/capture_maps.h"

#include <bpf/libbpf.h>

#include <vector>

#include "xdp/bpf_status.h"

namespace reflector::xdp {

void WriteCaptureConfig(rf_capture_config& live, const rf_capture_config& next) {
  __atomic_store_n(&live.enabled, 0, __ATOMIC_RELEASE);
  rf_capture_config copy = next;
  copy.enabled = 0;
  live = copy;
  __atomic_store_n(&live.enabled, next.enabled, __ATOMIC_RELEASE);
}

absl::StatusOr<rf_capture_state> ReadCaptureStates(const bpf_map* map) {
  const int cpus = libbpf_num_possible_cpus();
  if (cpus <= 0) return BpfErrorToStatus(cpus, "count the possible CPUs");
  std::vector<rf_capture_state> per_cpu(static_cast<size_t>(cpus));
  const uint32_t key = 0;
  if (const int err = bpf_map__lookup_elem(map, &key, sizeof(key), per_cpu.data(),
                                           per_cpu.size() * sizeof(rf_capture_state), 0)) {
    return BpfErrorToStatus(err, "read the capture counters");
  }
  rf_capture_state sum = {};
  for (const rf_capture_state& cpu : per_cpu) {
    sum.taken += cpu.taken;
    sum.limited += cpu.limited;
    sum.ring_full += cpu.ring_full;
  }
  return sum;
}

}  // namespace reflector::xdp
