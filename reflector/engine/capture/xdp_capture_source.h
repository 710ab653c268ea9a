// The XDP program as a capture source (issue 21): its ring, its capture switch, its counts.
#ifndef REFLECTOR_ENGINE_CAPTURE_XDP_CAPTURE_SOURCE_H_
#define REFLECTOR_ENGINE_CAPTURE_XDP_CAPTURE_SOURCE_H_

#include "reflector/engine/capture/capture_sources.h"
#include "xdp/loader.h"

namespace reflector::engine::capture {

// Adds `program` (which must outlive the capture writer) to `sources`.
void AddXdpCaptureSource(xdp::XdpProgram* program, CaptureSources* sources);

}  // namespace reflector::engine::capture

#endif  // REFLECTOR_ENGINE_CAPTURE_XDP_CAPTURE_SOURCE_H_
