// The kernel side of the data paths whose frames come up through packet sockets (afpacket, and
// dpdk on a net_af_packet vdev): the tc ingress program that keeps the host stack from
// answering test frames, one per interface. It classifies every frame too, so its copy of the
// classifier follows every config change the workers get, and its counters complete theirs.
#ifndef REFLECTOR_ENGINE_TC_FILTER_SIDE_H_
#define REFLECTOR_ENGINE_TC_FILTER_SIDE_H_

#include <memory>

#include "reflector/engine/queue_datapath.h"
#include "xdp/tc_drop_filter.h"

namespace reflector::engine {

class TcFilterSide : public KernelSide {
 public:
  explicit TcFilterSide(std::unique_ptr<xdp::TcDropFilter> filter) : filter_(std::move(filter)) {}

  absl::Status Reconfigure(const rf_config& config) override;
  Counters Combine(const Counters& workers) const override;
  // Off before the sockets close, as it went on after the first one opened: it must not drop
  // test frames that no socket receives.
  void BeforeQueuesClose() override;
  // The tc program captures what it rejects; the workers what they reflect (issue 21). The
  // writer may outlive the filter by a moment at shutdown: then nothing is configured and the
  // last counts stand.
  void AddCaptureSources(capture::CaptureSources* sources) override;

 private:
  capture::TapCounts CaptureCounts() const;

  std::unique_ptr<xdp::TcDropFilter> filter_;
  capture::TapCounts kernel_capture_;  // the tc program's capture counts when it went
};

}  // namespace reflector::engine

#endif  // REFLECTOR_ENGINE_TC_FILTER_SIDE_H_
