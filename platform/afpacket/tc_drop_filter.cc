#include "platform/afpacket/tc_drop_filter.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bpf/bpf.h"
#include "bpf/libbpf.h"
#include "platform/afpacket/ingress_qdisc.h"
#include "platform/afpacket/tcx_link.h"
#include "reflector/base/status_macros.h"
#include "reflector/packet/wire.h"
// After the ABI header: the skeleton's asserts then check g++ and clang agree on its types.
#include "platform/afpacket/tc_drop.skel.h"
#include "xdp/counters.h"

namespace reflector::platform::afpacket {
namespace {

// Our netlink filter's identity on the clsact ingress hook, so we detach exactly it.
constexpr uint32_t kHandle = 0x5246;  // "RF"
constexpr uint32_t kPriority = 0x5246;

absl::Status Errno(absl::string_view what, int error) {
  return absl::InternalError(absl::StrCat(what, ": ", std::strerror(error)));
}

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

absl::StatusOr<std::unique_ptr<TcDropFilter>> TcDropFilter::Attach(int ifindex,
                                                                   const rf_config& config,
                                                                   bool allow_tcx) {
  const int netns_fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (netns_fd < 0) return Errno("open /proc/thread-self/ns/net", errno);
  std::unique_ptr<TcDropFilter> filter(new TcDropFilter(ifindex, netns_fd));

  filter->skeleton_ = rf_tc_drop__open_and_load();
  if (filter->skeleton_ == nullptr) return Errno("loading the tc drop program", errno);
  // The config is in place before the first frame can reach the program.
  REFLECTOR_RETURN_IF_ERROR(filter->SetConfig(config));
  const int program_fd = bpf_program__fd(filter->skeleton_->progs.rf_tc_drop);

  filter->tcx_unavailable_ = "tcx not tried";
  if (allow_tcx) {
    absl::StatusOr<UniqueFd> link = AttachTcxIngress(program_fd, ifindex);
    if (link.ok()) {
      filter->tcx_link_ = *std::move(link);
      filter->method_ = TcAttachMethod::kTcxLink;
      return filter;
    }
    if (!absl::IsUnimplemented(link.status())) return link.status();
    filter->tcx_unavailable_ = std::string(link.status().message());
  }
  filter->method_ = TcAttachMethod::kNetlinkClsact;
  REFLECTOR_RETURN_IF_ERROR(filter->AttachNetlink());
  return filter;
}

absl::Status TcDropFilter::AttachNetlink() {
  // Creating a qdisc that exists fails (EEXIST), and libbpf prints the kernel's complaint
  // ("Exclusivity flag on") to stderr on the way: look first.
  REFLECTOR_ASSIGN_OR_RETURN(const bool qdisc_exists, HasIngressQdisc(ifindex_));
  bpf_tc_hook hook = IngressHook(ifindex_);
  if (!qdisc_exists) {
    const int err = bpf_tc_hook_create(&hook);
    // EEXIST: someone created one since we looked; share it as well.
    if (err != 0 && err != -EEXIST) return Errno("creating the clsact qdisc", -err);
    created_qdisc_ = err == 0;
  }
  LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = bpf_program__fd(skeleton_->progs.rf_tc_drop),
              .flags = BPF_TC_F_REPLACE, .handle = kHandle, .priority = kPriority);
  const int err = bpf_tc_attach(&hook, &opts);
  if (err != 0) return Errno("attaching the tc ingress drop filter", -err);
  netlink_attached_ = true;
  return absl::OkStatus();
}

std::string TcDropFilter::DescribeAttachment() const {
  if (method_ == TcAttachMethod::kTcxLink) return std::string(TcAttachMethodName(method_));
  return absl::StrCat(TcAttachMethodName(method_), "; ", tcx_unavailable_);
}

TcDropFilter::~TcDropFilter() {
  tcx_link_.reset();  // the kernel detaches the program with the last reference to its link
  DetachNetlink();
  if (skeleton_ != nullptr) rf_tc_drop__destroy(skeleton_);
  close(netns_fd_);
}

void TcDropFilter::DetachNetlink() {
  if (!netlink_attached_ && !created_qdisc_) return;
  InNetns(netns_fd_, [this] {
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
  if (err != 0) return Errno("updating the tc drop filter's config", -err);
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> TcDropFilter::dropped() const {
  absl::StatusOr<rf_xdp_counters> counters = ReadCounters();
  if (!counters.ok()) return counters.status();
  return counters->tx;
}

absl::StatusOr<rf_xdp_counters> TcDropFilter::ReadCounters() const {
  const int cpus = libbpf_num_possible_cpus();
  if (cpus <= 0) return Errno("counting CPUs", -cpus);
  std::vector<rf_xdp_counters> per_cpu(static_cast<size_t>(cpus));
  const uint32_t key = 0;
  const int err = bpf_map__lookup_elem(skeleton_->maps.rf_tc_counters, &key, sizeof(key),
                                       per_cpu.data(), per_cpu.size() * sizeof(rf_xdp_counters), 0);
  if (err != 0) return Errno("reading the tc filter's counters", -err);
  return xdp::SumCounters(per_cpu);
}

}  // namespace reflector::platform::afpacket
