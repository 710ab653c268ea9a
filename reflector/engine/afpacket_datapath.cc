#include "reflector/engine/afpacket_datapath.h"

#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "platform/afpacket/afpacket_io.h"
#include "reflector/base/status_macros.h"
#include "reflector/engine/counter_merge.h"
#include "reflector/engine/queue_datapath.h"

namespace reflector::engine {
namespace {

using platform::afpacket::AfPacketIo;
using platform::afpacket::AfPacketOptions;

// The tc filter lives on the first worker's socket; the kernel's classifier copy must follow
// every config change the workers get.
class TcFilterSide : public KernelSide {
 public:
  explicit TcFilterSide(AfPacketIo* owner) : owner_(owner) {}
  absl::Status Reconfigure(const rf_config& config) override {
    return owner_->SetFilterConfig(config);
  }

  Counters Combine(const Counters& workers) const override {
    const platform::afpacket::TcDropFilter* filter = owner_->tc_drop_filter();
    absl::StatusOr<rf_xdp_counters> kernel =
        filter ? filter->ReadCounters() : absl::StatusOr<rf_xdp_counters>(absl::NotFoundError(""));
    if (!kernel.ok()) return workers;
    return MergeAfPacketCounters(workers, FromKernelCounters(*kernel));
  }

 private:
  AfPacketIo* owner_;  // owned by the engine's first queue, which outlives every call
};

}  // namespace

absl::StatusOr<std::unique_ptr<DataPath>> OpenAfPacketDataPath(const DataPathRequest& request) {
  const int workers = request.queue_count();
  // Fanout groups are host-wide ids: derive one from the pid so two daemons do not collide.
  const uint16_t fanout_group = workers > 1 ? static_cast<uint16_t>(1 + getpid() % 0xfffe) : 0;
  std::vector<Queue> queues;
  AfPacketIo* first = nullptr;
  for (int i = 0; i < workers; ++i) {
    AfPacketOptions options;
    options.interface = request.device.name;
    options.fanout_group = fanout_group;
    options.worker_index = i;
    options.filter_config = request.config;
    options.host_stack_drop = (i == 0);  // one tc filter per interface
    REFLECTOR_ASSIGN_OR_RETURN(std::unique_ptr<AfPacketIo> io, AfPacketIo::Create(options));
    if (i == 0) first = io.get();
    queues.push_back(Queue{std::move(io), request.cpu_for(i)});
  }
  // How the host-stack filter hangs on the interface says what a killed daemon leaves.
  std::string description =
      absl::StrCat("afpacket (TPACKET_V3 RX, TPACKET_V2 TX, qdisc bypass",
                   workers > 1 ? absl::StrCat(", fanout group ", fanout_group) : "",
                   request.monitor ? ", monitor" : "", ", tc ingress filter through ",
                   first->tc_drop_filter()->DescribeAttachment(), ")");
  return std::unique_ptr<DataPath>(new QueueDataPath(
      DataPathKind::kAfPacket, std::move(description), std::make_unique<TcFilterSide>(first),
      std::move(queues), request.config, request.monitor));
}

}  // namespace reflector::engine
