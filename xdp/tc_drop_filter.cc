#include "xdp/tc_drop_filter.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "bpf/bpf.h"
#include "bpf/libbpf.h"
#include "reflector/base/status_macros.h"
#include "xdp/bpf_status.h"
#include "xdp/capture_maps.h"
#include "xdp/counters.h"
#include "xdp/ingress_qdisc.h"
// After the ABI header: the skeleton's asserts then check g++ and clang agree on its types.
#include "xdp/tc_drop_skel.skel.h"

namespace reflector::xdp {
namespace {

// Our netlink filter's identity on the clsact ingress hook, so we detach exactly it.
constexpr uint32_t kHandle = 0x5246;  // "RF"
constexpr uint32_t kPriority = 0x5246;

ino_t NetnsInode(int fd) {
  struct stat st = {};
  return fstat(fd, &st) == 0 ? st.st_ino : 0;
}

// Runs `fn` with the calling thread in the namespace of `netns_fd`, then moves it back.
template <typename Fn>
void InNetns(int netns_fd, Fn fn) {
  const int current = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  const bool move = current >= 0 && NetnsInode(current) != NetnsInode(netns_fd);
  if (move && setns(netns_fd, CLONE_NEWNET) != 0) {
    close(current);
    return;  // the interface is out of reach; better leave the filter than remove another
  }
  fn();
  if (move) setns(current, CLONE_NEWNET);
  if (current >= 0) close(current);
}

bpf_tc_hook IngressHook(int ifindex) {
  LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_INGRESS);
  return hook;
}

}  // namespace

absl::string_view TcAttachMethodName(TcAttachMethod method) {
  switch (method) {
    case TcAttachMethod::kTcxLink:
      return "tcx link";
    case TcAttachMethod::kNetlinkClsact:
      return "netlink tc (clsact)";
  }
  return "unknown";
}

absl::StatusOr<std::unique_ptr<TcDropFilter>> TcDropFilter::Load(const rf_config& config) {
  rf_tc_drop* skeleton = rf_tc_drop__open_and_load();
  if (skeleton == nullptr) return BpfErrorToStatus(errno, "load the tc drop program");
  std::unique_ptr<TcDropFilter> filter(new TcDropFilter(skeleton));
  // The config is in place before the first frame can reach the program.
  REFLECTOR_RETURN_IF_ERROR(filter->SetConfig(config));
  return filter;
}

void TcDropFilter::ConfigureCapture(const rf_capture_config& capture) {
  WriteCaptureConfig(skeleton_->data_capture->rf_capture, capture);
}

int TcDropFilter::capture_ring_fd() const {
  return bpf_map__fd(skeleton_->maps.rf_capture_ring);
}

absl::StatusOr<rf_capture_state> TcDropFilter::ReadCaptureState() const {
  return ReadCaptureStates(skeleton_->maps.rf_capture_states);
}

int TcDropFilter::program_fd() const { return bpf_program__fd(skeleton_->progs.rf_tc_drop); }

absl::Status TcDropFilter::Attach(int ifindex, bool allow_tcx) {
  if (netns_.valid()) return absl::FailedPreconditionError("the tc drop filter is attached");
  netns_ = UniqueFd(open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
  if (!netns_.valid()) return absl::ErrnoToStatus(errno, "open /proc/thread-self/ns/net");
  ifindex_ = ifindex;

  tcx_unavailable_ = "tcx not tried";
  if (allow_tcx) {
    absl::StatusOr<BpfLink> link = AttachTcxIngress(program_fd(), ifindex);
    if (link.ok()) {
      tcx_link_ = *std::move(link);
      method_ = TcAttachMethod::kTcxLink;
      return absl::OkStatus();
    }
    if (!absl::IsUnimplemented(link.status())) return link.status();
    tcx_unavailable_ = std::string(link.status().message());
  }
  method_ = TcAttachMethod::kNetlinkClsact;
  return AttachNetlink();
}

absl::Status TcDropFilter::AttachNetlink() {
  // Creating a qdisc that exists fails (EEXIST), and libbpf prints the kernel's complaint
  // ("Exclusivity flag on") to stderr on the way: look first.
  REFLECTOR_ASSIGN_OR_RETURN(const bool qdisc_exists, HasIngressQdisc(ifindex_));
  bpf_tc_hook hook = IngressHook(ifindex_);
  if (!qdisc_exists) {
    const int err = bpf_tc_hook_create(&hook);
    // EEXIST: someone created one since we looked; share it as well.
    if (err != 0 && err != -EEXIST) return BpfErrorToStatus(err, "create the clsact qdisc");
    created_qdisc_ = err == 0;
  }
  LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = program_fd(), .flags = BPF_TC_F_REPLACE,
              .handle = kHandle, .priority = kPriority);
  const int err = bpf_tc_attach(&hook, &opts);
  if (err != 0) return BpfErrorToStatus(err, "attach the tc ingress drop filter");
  netlink_attached_ = true;
  return absl::OkStatus();
}

std::string TcDropFilter::DescribeAttachment() const {
  if (method_ == TcAttachMethod::kTcxLink) return std::string(TcAttachMethodName(method_));
  return absl::StrCat(TcAttachMethodName(method_), "; ", tcx_unavailable_);
}

TcDropFilter::~TcDropFilter() {
  tcx_link_.Detach();
  DetachNetlink();
  rf_tc_drop__destroy(skeleton_);
}

void TcDropFilter::DetachNetlink() {
  if (!netlink_attached_ && !created_qdisc_) return;
  InNetns(netns_.get(), [this] {
    bpf_tc_hook hook = IngressHook(ifindex_);
    if (netlink_attached_) {
      LIBBPF_OPTS(bpf_tc_opts, opts, .handle = kHandle, .priority = kPriority);
      bpf_tc_detach(&hook, &opts);
    }
    if (created_qdisc_) {
      // Ingress and egress together name the clsact qdisc itself.
      hook.attach_point = static_cast<bpf_tc_attach_point>(BPF_TC_INGRESS | BPF_TC_EGRESS);
      bpf_tc_hook_destroy(&hook);
    }
  });
  netlink_attached_ = false;
  created_qdisc_ = false;
}

absl::Status TcDropFilter::SetConfig(const rf_config& config) {
  const uint32_t key = 0;
  const int err = bpf_map__update_elem(skeleton_->maps.rf_tc_config, &key, sizeof(key), &config,
                                       sizeof(config), BPF_ANY);
  if (err != 0) return BpfErrorToStatus(err, "update the tc drop filter's config");
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> TcDropFilter::dropped() const {
  absl::StatusOr<rf_xdp_counters> counters = ReadCounters();
  if (!counters.ok()) return counters.status();
  return ReflectVerdicts(*counters);
}

absl::StatusOr<rf_xdp_counters> TcDropFilter::ReadCounters() const {
  return ReadPerCpuCounters(skeleton_->maps.rf_tc_counters, "the tc filter's counters");
}

}  // namespace reflector::xdp
