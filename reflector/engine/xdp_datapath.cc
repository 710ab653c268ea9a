#include "reflector/engine/xdp_datapath.h"

#include "absl/strings/str_cat.h"
#include "platform/vlan_offload.h"
#include "reflector/base/status_macros.h"
#include "reflector/engine/capture/xdp_capture_source.h"
#include "reflector/engine/counter_merge.h"
#include "xdp/loader.h"

namespace reflector::engine {
namespace {

class XdpDataPath : public DataPath {
 public:
  XdpDataPath(std::unique_ptr<xdp::XdpProgram> program, xdp::Action action,
              std::unique_ptr<platform::RxVlanOffloadOff> vlan, std::string nic_rx_time_refused)
      : program_(std::move(program)),
        action_(action),
        vlan_(std::move(vlan)),
        nic_rx_time_refused_(std::move(nic_rx_time_refused)) {}
  ~XdpDataPath() override { Stop(); }

  DataPathKind kind() const override { return DataPathKind::kXdp; }

  std::string Describe() const override {
    const auto& attached = program_->attachment();
    if (!attached) return "xdp (detached)";
    std::string out = absl::StrCat("xdp (", xdp::AttachModeName(attached->mode), ", ",
                                   program_->verified_instructions(), " verified instructions");
    if (action_ == xdp::Action::kMonitor) absl::StrAppend(&out, ", monitor");
    if (program_->nic_rx_time()) absl::StrAppend(&out, ", STAMP T2 from the NIC");
    if (!nic_rx_time_refused_.empty()) {
      absl::StrAppend(&out, "; STAMP T2 from software, the NIC's refused: ", nic_rx_time_refused_);
    }
    if (!attached->fallback_reason.empty()) {
      absl::StrAppend(&out, "; native refused: ", attached->fallback_reason);
    }
    if (!attached->replaced.empty()) absl::StrAppend(&out, "; replaced ", attached->replaced);
    if (vlan_ && !vlan_->note().empty()) absl::StrAppend(&out, "; ", vlan_->note());
    return out + ")";
  }

  std::string DescribeQueues() const override { return "every RX queue, in the kernel"; }

  absl::Status Start() override { return absl::OkStatus(); }  // attached when opened

  void Stop() override {
    program_->Detach();
    vlan_.reset();  // the NIC strips tags again, as before we started
  }

  absl::Status Reconfigure(const rf_config& config) override {
    return program_->Configure(config, action_);
  }

  std::vector<rf_session_slot> ReadSessions() const override {
    absl::StatusOr<std::vector<rf_session_slot>> read = program_->ReadSessions();
    return read.ok() ? *std::move(read) : std::vector<rf_session_slot>();
  }

  Counters ReadCounters() const override {
    absl::StatusOr<rf_xdp_counters> kernel = program_->ReadCounters();
    if (!kernel.ok()) return Counters();
    Counters counters = FromKernelCounters(*kernel, action_ == xdp::Action::kMonitor);
    // The program answers STAMP itself here (afxdp leaves it to the workers).
    if (absl::StatusOr<rf_dwell_histogram> stamp = program_->ReadStampDwell(); stamp.ok()) {
      counters.stamp_dwell = Dwell::FromHistogram(*stamp);
    }
    return counters;
  }

  // The daemon notices a vanished interface itself, for every data path.
  capture::CaptureSources capture_sources() override {
    capture::CaptureSources sources;
    capture::AddKernelCaptureSource(program_.get(), &sources);
    return sources;
  }

  absl::Status Health() const override {
    if (!program_->attachment()) return absl::OkStatus();  // stopped on purpose
    return program_->ReadCounters().status();
  }

 private:
  std::unique_ptr<xdp::XdpProgram> program_;
  xdp::Action action_;
  std::unique_ptr<platform::RxVlanOffloadOff> vlan_;
  std::string nic_rx_time_refused_;  // why --stamp_rx_timestamp=auto took software T2
};

// The program loaded, configured and attached: with STAMP's T2 from the NIC, bound to the
// interface (which only native XDP runs), or from software.
absl::StatusOr<std::unique_ptr<xdp::XdpProgram>> OpenProgram(const DataPathRequest& request,
                                                             xdp::Action action, bool nic_rx_time) {
  xdp::AttachOptions options;
  options.mode = request.settings.xdp_mode;
  options.replace = request.settings.xdp_replace;
  xdp::LoadOptions load;
  load.count_sessions = request.settings.count_sessions;
  if (nic_rx_time) {
    if (options.mode == xdp::AttachMode::kGeneric) {
      return absl::FailedPreconditionError(
          "generic XDP cannot run the device-bound program that reads it");
    }
    options.mode = xdp::AttachMode::kNative;
    load.nic_rx_time_interface = request.device.name;
  }
  REFLECTOR_ASSIGN_OR_RETURN(std::unique_ptr<xdp::XdpProgram> program, xdp::XdpProgram::Load(load));
  REFLECTOR_RETURN_IF_ERROR(program->Configure(request.config, action));
  REFLECTOR_RETURN_IF_ERROR(program->Attach(request.device.name, options).status());
  return program;
}

}  // namespace

absl::StatusOr<std::unique_ptr<DataPath>> OpenXdpDataPath(const DataPathRequest& request) {
  const xdp::Action action = request.settings.monitor ? xdp::Action::kMonitor : xdp::Action::kReflect;
  // STAMP's T2 (issue 14): the NIC's where asked for, else the software clock's; auto says why
  // it took software in the banner.
  const StampRxTimestamp source = request.settings.stamp_rx_timestamp;
  std::unique_ptr<xdp::XdpProgram> program;
  std::string nic_rx_time_refused;
  if (source != StampRxTimestamp::kSoftware) {
    absl::StatusOr<std::unique_ptr<xdp::XdpProgram>> bound = OpenProgram(request, action, true);
    if (bound.ok()) {
      program = *std::move(bound);
    } else if (source == StampRxTimestamp::kHardware) {
      return absl::Status(
          bound.status().code(),
          absl::StrCat("no NIC receive timestamps (--stamp_rx_timestamp=hardware): ",
                       bound.status().message()));
    } else {
      nic_rx_time_refused = std::string(bound.status().message());
    }
  }
  if (!program) {
    REFLECTOR_ASSIGN_OR_RETURN(program, OpenProgram(request, action, false));
  }
  REFLECTOR_ASSIGN_OR_RETURN(std::unique_ptr<platform::RxVlanOffloadOff> vlan,
                             platform::RxVlanOffloadOff::Apply(request.device.name, request.state_dir));
  return std::unique_ptr<DataPath>(new XdpDataPath(std::move(program), action, std::move(vlan),
                                                   std::move(nic_rx_time_refused)));
}

}  // namespace reflector::engine
