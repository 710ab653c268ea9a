#include "xdp/capture_maps.h"

#include <vector>

#include "xdp/per_cpu.h"

namespace reflector::xdp {

void WriteCaptureConfig(rf_capture_config& live, const rf_capture_config& next) {
  __atomic_store_n(&live.enabled, 0, __ATOMIC_RELEASE);
  rf_capture_config copy = next;
  copy.enabled = 0;
  live = copy;
  __atomic_store_n(&live.enabled, next.enabled, __ATOMIC_RELEASE);
}

absl::StatusOr<rf_capture_state> ReadCaptureStates(const bpf_map* map) {
  absl::StatusOr<std::vector<rf_capture_state>> per_cpu =
      ReadPerCpuEntry<rf_capture_state>(map, "the capture counters");
  if (!per_cpu.ok()) return per_cpu.status();
  rf_capture_state sum = {};
  for (const rf_capture_state& cpu : *per_cpu) {
    sum.taken += cpu.taken;
    sum.limited += cpu.limited;
    sum.ring_full += cpu.ring_full;
  }
  return sum;
}

}  // namespace reflector::xdp
