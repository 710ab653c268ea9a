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
              std::unique_ptr<platform::RxVlanOffloadOff> vlan)
      : program_(std::move(program)), action_(action), vlan_(std::move(vlan)) {}
  ~XdpDataPath() override { Stop(); }

  DataPathKind kind() const override { return DataPathKind::kXdp; }

  std::string Describe() const override {
    const auto& attached = program_->attachment();
    if (!attached) return "xdp (detached)";
    std::string out = absl::StrCat("xdp (", xdp::AttachModeName(attached->mode), ", ",
                                   program_->verified_instructions(), " verified instructions");
    if (action_ == xdp::Action::kMonitor) absl::StrAppend(&out, ", monitor");
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
};

}  // namespace

absl::StatusOr<std::unique_ptr<DataPath>> OpenXdpDataPath(const DataPathRequest& request) {
  const xdp::Action action = request.settings.monitor ? xdp::Action::kMonitor : xdp::Action::kReflect;
  REFLECTOR_ASSIGN_OR_RETURN(std::unique_ptr<xdp::XdpProgram> program, xdp::XdpProgram::Load());
  REFLECTOR_RETURN_IF_ERROR(program->Configure(request.config, action));
  xdp::AttachOptions options;
  options.mode = request.settings.xdp_mode;
  options.replace = request.settings.xdp_replace;
  REFLECTOR_RETURN_IF_ERROR(program->Attach(request.device.name, options).status());
  REFLECTOR_ASSIGN_OR_RETURN(std::unique_ptr<platform::RxVlanOffloadOff> vlan,
                             platform::RxVlanOffloadOff::Apply(request.device.name, request.state_dir));
  return std::unique_ptr<DataPath>(new XdpDataPath(std::move(program), action, std::move(vlan)));
}

}  // namespace reflector::engine
