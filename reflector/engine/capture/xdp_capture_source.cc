#include "reflector/engine/capture/xdp_capture_source.h"

#include <bpf/libbpf.h>

#include <algorithm>

namespace reflector::engine::capture {

void AddXdpCaptureSource(xdp::XdpProgram* program, CaptureSources* sources) {
  sources->kernel_ring_fd = program->capture_ring_fd();
  sources->kernel_cpus = std::max(libbpf_num_possible_cpus(), 1);
  sources->configure_kernel = [program](const rf_capture_config& config) {
    program->ConfigureCapture(config);
  };
  sources->kernel_counts = [program]() {
    const absl::StatusOr<rf_capture_state> state = program->ReadCaptureState();
    if (!state.ok()) return TapCounts{};
    return TapCounts{state->taken, state->limited, state->ring_full};
  };
}

}  // namespace reflector::engine::capture
