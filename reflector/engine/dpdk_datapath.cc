#include "reflector/engine/dpdk_datapath.h"

#include <net/if.h>

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
using platform::dpdk::PortInfo;

// What ResolveDpdkDevice started and found, for OpenDpdkDataPath: the EAL runs once per
// process, from finding the port until the data path is gone.
struct DpdkRuntime {
  std::unique_ptr<Eal> eal;
  PortInfo port;
};

// Owns the EAL, the port and the tc filter for as long as the queues run, and adds what the
// port lost before any queue saw it (imissed) or after (oerrors) to the workers' drops.
class DpdkSide : public KernelSide {
 public:
  // `filter`: null for a port no kernel interface stands for (nothing to keep quiet).
  DpdkSide(std::shared_ptr<DpdkRuntime> runtime, std::unique_ptr<DpdkPort> port,
           std::unique_ptr<xdp::TcDropFilter> filter)
      : runtime_(std::move(runtime)), port_(std::move(port)), tc_(std::move(filter)) {}

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
  std::shared_ptr<DpdkRuntime> runtime_;
  std::unique_ptr<DpdkPort> port_;
  PortDrops last_drops_;
  TcFilterSide tc_;
};

}  // namespace

absl::StatusOr<ResolvedDevice> ResolveDpdkDevice(absl::string_view interface,
                                                 const DataPathSettings& settings) {
  auto runtime = std::make_shared<DpdkRuntime>();
  REFLECTOR_ASSIGN_OR_RETURN(runtime->eal, Eal::Init(settings.dpdk_eal_args));
  REFLECTOR_ASSIGN_OR_RETURN(runtime->port, platform::dpdk::FindPort(interface));
  const PortInfo& port = runtime->port;
  base::NetDevice device;
  if (port.if_index != 0) {
    // A vdev on a kernel interface: the kernel's facts about it, as the other data paths see.
    char name[IF_NAMESIZE] = {};
    if (if_indextoname(port.if_index, name) == nullptr) {
      return absl::NotFoundError(absl::StrCat("DPDK port ", port.name, " sits on ifindex ",
                                              port.if_index, ", which is gone"));
    }
    REFLECTOR_ASSIGN_OR_RETURN(device, base::LookupNetDevice(name));
  } else {
    device.name = port.name;
    device.ifindex = 0;
    device.mac = port.mac;
    device.rx_queues = port.max_queue_pairs;
    device.mtu = port.mtu;
    device.up = true;
  }
  return ResolvedDevice{std::move(device), std::move(runtime)};
}

absl::StatusOr<std::unique_ptr<DataPath>> OpenDpdkDataPath(const DataPathRequest& request) {
  if (request.settings.busy_poll == BusyPoll::kKernel) {
    return absl::InvalidArgumentError(
        "--busy_poll=kernel works with afxdp only (dpdk: use --busy_poll=spin)");
  }
  std::shared_ptr<DpdkRuntime> runtime = std::static_pointer_cast<DpdkRuntime>(request.runtime);
  if (!runtime) {
    // --datapath=auto looked the kernel interface up; the EAL starts only now.
    REFLECTOR_ASSIGN_OR_RETURN(ResolvedDevice resolved,
                               ResolveDpdkDevice(request.device.name, request.settings));
    runtime = std::static_pointer_cast<DpdkRuntime>(resolved.runtime);
    if (resolved.device.ifindex != request.device.ifindex) {
      return absl::InvalidArgumentError(absl::StrCat("DPDK port ", runtime->port.name,
                                                     " is not on ", request.device.name));
    }
  }
  const PortInfo& found = runtime->port;
  const int workers = request.settings.queues > 0 ? request.settings.queues : 1;
  REFLECTOR_ASSIGN_OR_RETURN(std::unique_ptr<DpdkPort> port, DpdkPort::Open(found, workers));
  std::unique_ptr<xdp::TcDropFilter> filter;
  std::string kernel_side = "no kernel interface: no tc filter";
  if (request.device.in_kernel()) {
    REFLECTOR_ASSIGN_OR_RETURN(filter, xdp::TcDropFilter::Load(request.config));
    // The port receives since it started: the filter may go on now without dropping a test
    // frame nobody has.
    REFLECTOR_RETURN_IF_ERROR(filter->Attach(request.device.ifindex));
    kernel_side = absl::StrCat("on ", request.device.name, ", tc ingress filter through ",
                               filter->DescribeAttachment());
  }
  const bool spin = request.settings.busy_poll == BusyPoll::kSpin;
  std::vector<Queue> queues;
  for (int i = 0; i < workers; ++i) {
    queues.push_back(Queue{std::make_unique<DpdkIo>(*port, static_cast<uint16_t>(i), spin),
                           request.cpu_for(i), spin, request.settings.worker_priority});
  }
  std::string description =
      absl::StrCat("dpdk (port ", port->name(), ", driver ", port->driver(),
                   spin ? ", spinning workers" : ", workers nap 20 us when idle",
                   request.settings.monitor ? ", monitor" : "", ", ", kernel_side, ")");
  return std::unique_ptr<DataPath>(new QueueDataPath(
      DataPathKind::kDpdk, std::move(description),
      std::make_unique<DpdkSide>(std::move(runtime), std::move(port), std::move(filter)),
      std::move(queues), request.config, request.settings.monitor,
      request.settings.count_sessions));
}

}  // namespace reflector::engine
