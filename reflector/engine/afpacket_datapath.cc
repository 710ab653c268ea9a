#include "reflector/engine/afpacket_datapath.h"

#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "platform/afpacket/afpacket_io.h"
#include "reflector/base/status_macros.h"
#include "reflector/engine/queue_datapath.h"
#include "reflector/engine/tc_filter_side.h"
#include "xdp/tc_drop_filter.h"

namespace reflector::engine {

using platform::afpacket::AfPacketIo;
using platform::afpacket::AfPacketOptions;

absl::StatusOr<std::unique_ptr<DataPath>> OpenAfPacketDataPath(const DataPathRequest& request) {
  if (request.settings.busy_poll == BusyPoll::kKernel) {
    // Packet sockets have no busy-poll hook in their receive path.
    return absl::InvalidArgumentError(
        "--busy_poll=kernel works with afxdp only (afpacket: use --busy_poll=spin)");
  }
  const int workers = request.queue_count();
  const platform::afpacket::RxRingKind rx_ring = request.settings.afpacket_rx;
  // Fanout groups are host-wide ids: derive one from the pid so two daemons do not collide.
  const uint16_t fanout_group = workers > 1 ? static_cast<uint16_t>(1 + getpid() % 0xfffe) : 0;
  std::vector<Queue> queues;
  // Declared after the queues: on an early return it goes before the sockets close.
  REFLECTOR_ASSIGN_OR_RETURN(std::unique_ptr<xdp::TcDropFilter> filter,
                             xdp::TcDropFilter::Load(request.config));
  for (int i = 0; i < workers; ++i) {
    AfPacketOptions options;
    options.interface = request.device.name;
    options.fanout_group = fanout_group;
    options.worker_index = i;
    options.rx_ring = rx_ring;
    REFLECTOR_ASSIGN_OR_RETURN(std::unique_ptr<AfPacketIo> io, AfPacketIo::Create(options));
    queues.push_back(
        Queue{std::move(io), request.cpu_for(i), request.settings.busy_poll == BusyPoll::kSpin,
              request.settings.worker_priority});
    // The filter drops test frames after packet taps got them: it goes on once the first
    // socket is bound, so that no test frame is dropped before a socket has its copy.
    if (i == 0) REFLECTOR_RETURN_IF_ERROR(filter->Attach(request.device.ifindex));
  }
  // How the host-stack filter hangs on the interface says what a killed daemon leaves.
  std::string description =
      absl::StrCat("afpacket (",
                   rx_ring == platform::afpacket::RxRingKind::kFrames
                       ? "TPACKET_V2 RX frame by frame"
                       : "TPACKET_V3 RX in 1 ms blocks",
                   ", TPACKET_V2 TX, qdisc bypass",
                   request.settings.busy_poll == BusyPoll::kSpin ? ", spinning workers" : "",
                   workers > 1 ? absl::StrCat(", fanout group ", fanout_group) : "",
                   request.settings.monitor ? ", monitor" : "", ", tc ingress filter through ",
                   filter->DescribeAttachment(), ")");
  return std::unique_ptr<DataPath>(
      new QueueDataPath(DataPathKind::kAfPacket, std::move(description),
                        std::make_unique<TcFilterSide>(std::move(filter)), std::move(queues),
                        request.config, request.settings.monitor,
                        request.settings.count_sessions));
}

}  // namespace reflector::engine
