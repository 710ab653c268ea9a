// A kernel program as a capture source (issue 21): its ring, its capture switch, its counts.
// `Program` is xdp::XdpProgram or xdp::TcDropFilter (the same three calls).
#ifndef REFLECTOR_ENGINE_CAPTURE_XDP_CAPTURE_SOURCE_H_
#define REFLECTOR_ENGINE_CAPTURE_XDP_CAPTURE_SOURCE_H_

#include <bpf/libbpf.h>

#include <algorithm>

#include "reflector/engine/capture/capture_sources.h"

namespace reflector::engine::capture {

// Adds `program` (which must outlive the capture writer) to `sources`. Its ring takes the
// frames the kernel rejects (and, for the xdp data path, those it reflects); the workers'
// taps then take only what they reflect.
template <typename Program>
void AddKernelCaptureSource(Program* program, CaptureSources* sources) {
  sources->kernel_ring_fd = program->capture_ring_fd();
  sources->kernel_cpus = std::max(libbpf_num_possible_cpus(), 1);
  sources->configure_kernel = [program](const rf_capture_config& config) {
    program->ConfigureCapture(config);
  };
  sources->kernel_counts = [program]() {
    const auto state = program->ReadCaptureState();
    if (!state.ok()) return TapCounts{};
    return TapCounts{state->taken, state->limited, state->ring_full};
  };
}

}  // namespace reflector::engine::capture

#endif  // REFLECTOR_ENGINE_CAPTURE_XDP_CAPTURE_SOURCE_H_
