// Where a data path's verdicts come out for the capture (issue 21): the userspace workers'
// taps and the kernel program's ring. The data path fills it; the capture writer reads it.
#ifndef REFLECTOR_ENGINE_CAPTURE_CAPTURE_SOURCES_H_
#define REFLECTOR_ENGINE_CAPTURE_CAPTURE_SOURCES_H_

#include <functional>
#include <vector>

#include "reflector/engine/capture/capture_tap.h"
#include "reflector/packet/wire.h"

namespace reflector::engine::capture {

struct CaptureSources {
  std::vector<CaptureTap*> taps;  // one per userspace worker
  // The kernel program's ring (BPF_MAP_TYPE_RINGBUF), or -1.
  int kernel_ring_fd = -1;
  int kernel_cpus = 1;  // how many CPUs share the per-second bound
  std::function<void(const rf_capture_config&)> configure_kernel;
  std::function<TapCounts()> kernel_counts;
};

}  // namespace reflector::engine::capture

#endif  // REFLECTOR_ENGINE_CAPTURE_CAPTURE_SOURCES_H_
