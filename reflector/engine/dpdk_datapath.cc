#include "reflector/engine/dpdk_datapath.h"

#include "absl/strings/str_cat.h"
#include "platform/dpdk/dpdk_io.h"
#include "platform/dpdk/dpdk_port.h"
#include "platform/dpdk/eal.h"
#include "reflector/base/status_macros.h"
#include "reflector/engine/queue_datapath.h"
#include "reflector/engine/tc_filter_side.h"
#include "xdp/tc_drop_filter.h"

namespace reflector::engine {
namespace {

using platform::dpdk::DpdkIo;
using platform::dpdk::DpdkPort;
using platform::dpdk::Eal;
using platform::dpdk::PortDrops;

// Owns the EAL, the port and the tc filter for as long as the queues run, and adds what the
// port lost before any queue saw it (imissed) or after (oerrors) to the workers' drops.
class DpdkSide : public KernelSide {
 public:
  DpdkSide(std::unique_ptr<Eal> eal, std::unique_ptr<DpdkPort> port,
           std::unique_ptr<xdp::TcDropFilter> filter)
      : eal_(std::move(eal)), port_(std::move(port)), tc_(std::move(filter)) {}

  absl::Status Reconfigure(const rf_config& config) override { return tc_.Reconfigure(config); }

  Counters Combine(const Counters& workers) const override {
    Counters combined = tc_.Combine(workers);
    const PortDrops drops = port_ ? port_->drops() : last_drops_;
    combined.rx_dropped += drops.rx_missed;
    combined.tx_dropped += drops.tx_errors;
    return combined;
  }

  // The queues hold no mbufs between batches; the port stops once the workers did, after the
  // tc filter (which must not drop frames the port no longer takes).
  void BeforeQueuesClose() override {
    tc_.BeforeQueuesClose();
    if (port_) last_drops_ = port_->drops();
    port_.reset();
  }

  void AddCaptureSources(capture::CaptureSources* sources) override {
    tc_.AddCaptureSources(sources);
  }

 private:
  // Declared first: the EAL goes last.
  std::unique_ptr<Eal> eal_;
  std::unique_ptr<DpdkPort> port_;
  PortDrops last_drops_;
  TcFilterSide tc_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<DataPath>> OpenDpdkDataPath(const DataPathRequest& request) {
  if (request.settings.busy_poll == BusyPoll::kKernel) {
    return absl::InvalidArgumentError(
        "--busy_poll=kernel works with afxdp only (dpdk: use --busy_poll=spin)");
  }
  REFLECTOR_ASSIGN_OR_RETURN(std::unique_ptr<Eal> eal,
                             Eal::Init(request.settings.dpdk_eal_args));
  const int workers = request.settings.queues > 0 ? request.settings.queues : 1;
  REFLECTOR_ASSIGN_OR_RETURN(std::unique_ptr<DpdkPort> port,
                             DpdkPort::Open(request.device.name, workers));
  REFLECTOR_ASSIGN_OR_RETURN(std::unique_ptr<xdp::TcDropFilter> filter,
                             xdp::TcDropFilter::Load(request.config));
  // The port receives since it started: the filter may go on now without dropping a test
  // frame nobody has.
  REFLECTOR_RETURN_IF_ERROR(filter->Attach(request.device.ifindex));
  const bool spin = request.settings.busy_poll == BusyPoll::kSpin;
  std::vector<Queue> queues;
  for (int i = 0; i < workers; ++i) {
    queues.push_back(Queue{std::make_unique<DpdkIo>(*port, static_cast<uint16_t>(i), spin),
                           request.cpu_for(i), spin});
  }
  std::string description =
      absl::StrCat("dpdk (port ", port->name(), ", driver ", port->driver(),
                   spin ? ", spinning workers" : ", workers nap 20 us when idle",
                   request.settings.monitor ? ", monitor" : "", ", tc ingress filter through ",
                   filter->DescribeAttachment(), ")");
  return std::unique_ptr<DataPath>(new QueueDataPath(
      DataPathKind::kDpdk, std::move(description),
      std::make_unique<DpdkSide>(std::move(eal), std::move(port), std::move(filter)),
      std::move(queues), request.config, request.settings.monitor));
}

}  // namespace reflector::engine
