#include "reflector/engine/afxdp_datapath.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "platform/afxdp/afxdp_io.h"
#include "platform/vlan_offload.h"
#include "reflector/base/status_macros.h"
#include "reflector/engine/capture/xdp_capture_source.h"
#include "reflector/engine/counter_merge.h"
#include "reflector/engine/queue_datapath.h"
#include "xdp/loader.h"

namespace reflector::engine {
namespace {

using platform::afxdp::AfXdpIo;
using platform::afxdp::AfXdpOptions;
using platform::afxdp::ZeroCopyMode;

// The XDP program that feeds the sockets. Its counters cover what never reached userspace:
// the rejected frames it passed to the stack. The workers count the frames they got.
class RedirectProgram : public KernelSide {
 public:
  RedirectProgram(std::unique_ptr<xdp::XdpProgram> program, xdp::Action action,
                  std::unique_ptr<platform::RxVlanOffloadOff> vlan)
      : program_(std::move(program)), action_(action), vlan_(std::move(vlan)) {}

  absl::Status Reconfigure(const rf_config& config) override {
    return program_->Configure(config, action_);
  }

  // The workers count what was redirected to them; the program counts everything else.
  Counters Combine(const Counters& workers) const override {
    absl::StatusOr<rf_xdp_counters> kernel = program_->ReadCounters();
    if (!kernel.ok()) return workers;
    const bool monitor = action_ == xdp::Action::kMonitor;
    return MergeAfXdpCounters(workers, FromKernelCounters(*kernel, monitor), monitor);
  }

  void AddCaptureSources(capture::CaptureSources* sources) override {
    capture::AddKernelCaptureSource(program_.get(), sources);
  }

  const xdp::XdpProgram& program() const { return *program_; }

 private:
  std::unique_ptr<xdp::XdpProgram> program_;
  xdp::Action action_;
  std::unique_ptr<platform::RxVlanOffloadOff> vlan_;  // restored when the data path goes
};

}  // namespace

absl::StatusOr<std::unique_ptr<DataPath>> OpenAfXdpDataPath(const DataPathRequest& request) {
  const int queues = request.queue_count();
  // One UMEM frame per packet (no multi-buffer): a larger frame would be lost between the
  // program's redirect and the socket, so refuse here and let --datapath=auto move on.
  const AfXdpOptions defaults;
  const int largest = static_cast<int>(defaults.frame_size) - 256 - RF_ETH_HLEN - 2 * RF_VLAN_HLEN;
  if (request.device.mtu > largest) {
    return absl::FailedPreconditionError(
        absl::StrCat("MTU ", request.device.mtu, " is above the ", largest,
                     " bytes one AF_XDP frame holds (lower the MTU or use --datapath=xdp)"));
  }
  const xdp::Action action = request.settings.monitor ? xdp::Action::kMonitor : xdp::Action::kRedirect;
  xdp::LoadOptions load;
  load.max_queues = std::max<uint32_t>(load.max_queues, queues);
  REFLECTOR_ASSIGN_OR_RETURN(std::unique_ptr<xdp::XdpProgram> program, xdp::XdpProgram::Load(load));
  REFLECTOR_RETURN_IF_ERROR(program->Configure(request.config, action));
  xdp::AttachOptions attach;
  attach.mode = request.settings.xdp_mode;
  attach.replace = request.settings.xdp_replace;
  REFLECTOR_ASSIGN_OR_RETURN(xdp::Attachment attached,
                             program->Attach(request.device.name, attach));

  std::vector<Queue> workers;
  std::string socket_mode;
  for (int q = 0; q < queues; ++q) {
    AfXdpOptions options;
    options.interface = request.device.name;
    options.queue = static_cast<uint32_t>(q);
    options.xsk_map_fd = program->xsk_map_fd();
    options.zero_copy = request.settings.zero_copy;
    options.busy_poll = request.settings.busy_poll == BusyPoll::kKernel;
    REFLECTOR_ASSIGN_OR_RETURN(std::unique_ptr<AfXdpIo> io, AfXdpIo::Create(options));
    if (q == 0) socket_mode = io->zero_copy() ? "zero-copy" : "copy mode";
    workers.push_back(
        Queue{std::move(io), request.cpu_for(q), request.settings.busy_poll != BusyPoll::kOff,
              request.settings.worker_priority});
  }
  REFLECTOR_ASSIGN_OR_RETURN(std::unique_ptr<platform::RxVlanOffloadOff> vlan,
                             platform::RxVlanOffloadOff::Apply(request.device.name, request.state_dir));
  std::string description =
      absl::StrCat("afxdp (XDP ", xdp::AttachModeName(attached.mode), ", ", socket_mode,
                   request.settings.monitor ? ", monitor" : "",
                   request.settings.busy_poll == BusyPoll::kOff
                       ? ""
                       : request.settings.busy_poll == BusyPoll::kSpin
                             ? ", spinning workers"
                             : ", spinning workers, kernel busy poll",
                   attached.fallback_reason.empty()
                       ? ""
                       : absl::StrCat("; native refused: ", attached.fallback_reason),
                   attached.replaced.empty() ? "" : absl::StrCat("; replaced ", attached.replaced),
                   vlan->note().empty() ? "" : absl::StrCat("; ", vlan->note()), ")");
  return std::unique_ptr<DataPath>(new QueueDataPath(
      DataPathKind::kAfXdp, std::move(description),
      std::make_unique<RedirectProgram>(std::move(program), action, std::move(vlan)),
      std::move(workers), request.config, request.settings.monitor,
      request.settings.count_sessions));
}

}  // namespace reflector::engine
