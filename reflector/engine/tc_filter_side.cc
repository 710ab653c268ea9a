#include "reflector/engine/tc_filter_side.h"

#include "reflector/engine/capture/xdp_capture_source.h"
#include "reflector/engine/counter_merge.h"

namespace reflector::engine {

absl::Status TcFilterSide::Reconfigure(const rf_config& config) {
  return filter_ ? filter_->SetConfig(config) : absl::OkStatus();
}

Counters TcFilterSide::Combine(const Counters& workers) const {
  absl::StatusOr<rf_xdp_counters> kernel =
      filter_ ? filter_->ReadCounters() : absl::NotFoundError("the tc filter is detached");
  if (!kernel.ok()) return workers;
  return MergeAfPacketCounters(workers, FromKernelCounters(*kernel));
}

void TcFilterSide::BeforeQueuesClose() {
  if (filter_) kernel_capture_ = CaptureCounts();
  filter_.reset();
}

void TcFilterSide::AddCaptureSources(capture::CaptureSources* sources) {
  if (!filter_) return;
  capture::AddKernelCaptureSource(filter_.get(), sources);
  sources->configure_kernel = [this](const rf_capture_config& config) {
    if (filter_) filter_->ConfigureCapture(config);
  };
  sources->kernel_counts = [this] { return filter_ ? CaptureCounts() : kernel_capture_; };
}

capture::TapCounts TcFilterSide::CaptureCounts() const {
  const absl::StatusOr<rf_capture_state> state = filter_->ReadCaptureState();
  if (!state.ok()) return kernel_capture_;
  return {state->taken, state->limited, state->ring_full};
}

}  // namespace reflector::engine
