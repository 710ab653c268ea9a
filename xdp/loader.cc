#include "xdp/loader.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <bit>
#include <cctype>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "reflector/base/netdev.h"
#include "reflector/base/status_macros.h"
#include "reflector/base/unique_fd.h"
#include "xdp/bpf_status.h"
#include "xdp/capture_maps.h"
#include "xdp/counters.h"
#include "xdp/per_cpu.h"
#include "xdp/session_maps.h"

// The ABI header goes first so that the skeleton's generated size asserts compare clang's
// layout of the shared structs with g++'s.
#include "xdp/abi.h"
#include "xdp/reflector_skel.skel.h"

namespace reflector::xdp {
namespace {

// XDP programs run inside an RCU read-side section, so after one grace period no run that
// could have read the old config slot is still going. membarrier(MEMBARRIER_CMD_GLOBAL) waits
// for exactly that; kernels booted with nohz_full refuse it, and then a pause thousands of
// times longer than any XDP run stands in.
void WaitForXdpReaders() {
  if (syscall(SYS_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0) != 0) usleep(20'000);
}

// The XDP bpf_link that holds program `program_id` on `ifindex`, or 0 when the program there
// is netlink-attached (or the links cannot be listed: that needs CAP_SYS_ADMIN). An ifindex
// means something only in its network namespace, which link info does not tell, so the
// program must match too: the same number in another namespace is another interface.
uint32_t XdpLinkOn(int ifindex, uint32_t program_id) {
  uint32_t id = 0;
  while (bpf_link_get_next_id(id, &id) == 0) {
    const int fd = bpf_link_get_fd_by_id(id);
    if (fd < 0) continue;
    UniqueFd owned(fd);
    bpf_link_info info = {};
    uint32_t length = sizeof(info);
    if (bpf_obj_get_info_by_fd(fd, &info, &length) == 0 && info.type == BPF_LINK_TYPE_XDP &&
        static_cast<int>(info.xdp.ifindex) == ifindex && info.prog_id == program_id) {
      return id;
    }
  }
  return 0;
}

// "pid 1234 (xdp-tool)" for each process with an open descriptor of link `link_id`, found in
// /proc/<pid>/fdinfo as bpftool does; empty when none can be read.
std::vector<std::string> LinkHolders(uint32_t link_id) {
  std::vector<std::string> holders;
  const std::string wanted = absl::StrCat("link_id:\t", link_id, "\n");
  std::error_code error;
  for (const auto& process : std::filesystem::directory_iterator("/proc", error)) {
    const std::string pid = process.path().filename();
    if (pid.empty() || !std::isdigit(static_cast<unsigned char>(pid[0]))) continue;
    std::error_code fd_error;
    for (const auto& fdinfo :
         std::filesystem::directory_iterator(process.path() / "fdinfo", fd_error)) {
      std::ifstream in(fdinfo.path());
      const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if (text.find(wanted) == std::string::npos) continue;
      std::ifstream comm_file(process.path() / "comm");
      std::string comm;
      std::getline(comm_file, comm);
      holders.push_back(absl::StrCat("pid ", pid, " (", comm, ")"));
      break;
    }
  }
  return holders;
}

// What a user must do to free `interface` of `existing` (an XDP program attached in `mode`).
std::string HowToDetach(int ifindex, uint32_t program_id, absl::string_view interface,
                        absl::string_view mode) {
  if (const uint32_t link = XdpLinkOn(ifindex, program_id); link != 0) {
    const std::vector<std::string> holders = LinkHolders(link);
    if (holders.empty()) {
      return absl::StrCat("it hangs on bpf_link ", link,
                          ", which only its owner can detach: stop the process that `bpftool "
                          "link show id ",
                          link, "` names");
    }
    return absl::StrCat("it hangs on bpf_link ", link, " held by ", absl::StrJoin(holders, ", "),
                        ", which only that process can detach: stop it");
  }
  return absl::StrCat("detach it with `ip link set dev ", interface,
                      mode == "generic" ? " xdpgeneric off`" : " xdpdrv off`",
                      " or attach with replace (reflectord: --xdp_replace)");
}

// BPF_F_XDP_DEV_BOUND_ONLY (Linux 6.3): newer than the uapi headers this builds against.
constexpr uint32_t kXdpDevBoundOnly = 1U << 6;
#ifdef BPF_F_XDP_DEV_BOUND_ONLY
static_assert(BPF_F_XDP_DEV_BOUND_ONLY == kXdpDevBoundOnly);
#endif

// Binds `program` (rf_xdp_reflect_nic) to `interface` before the load, once the kernel is
// known to have the kfunc it calls; the load itself then says whether the driver can run a
// device-bound program.
absl::Status BindForNicRxTime(bpf_program* program, absl::string_view interface) {
  btf* vmlinux = btf__load_vmlinux_btf();
  if (vmlinux == nullptr) {
    return absl::FailedPreconditionError(
        "the kernel has no BTF, so no XDP RX metadata (NIC receive timestamps)");
  }
  const bool has_kfunc = btf__find_by_name_kind(vmlinux, "bpf_xdp_metadata_rx_timestamp",
                                                BTF_KIND_FUNC) > 0;
  btf__free(vmlinux);
  if (!has_kfunc) {
    return absl::FailedPreconditionError(
        "the kernel has no bpf_xdp_metadata_rx_timestamp (XDP RX metadata needs Linux 6.3)");
  }
  REFLECTOR_ASSIGN_OR_RETURN(const base::NetDevice device, base::LookupNetDevice(interface));
  bpf_program__set_ifindex(program, static_cast<uint32_t>(device.ifindex));
  if (const int err =
          bpf_program__set_flags(program, bpf_program__flags(program) | kXdpDevBoundOnly)) {
    return BpfErrorToStatus(err, "mark the XDP program device-bound");
  }
  return absl::OkStatus();
}

std::string DescribeProgram(uint32_t id, absl::string_view mode) {
  std::string name = "?";
  if (const int fd = bpf_prog_get_fd_by_id(id); fd >= 0) {
    UniqueFd owned(fd);
    bpf_prog_info info = {};
    uint32_t length = sizeof(info);
    if (bpf_obj_get_info_by_fd(fd, &info, &length) == 0) name = info.name;
  }
  return absl::StrCat("XDP program '", name, "' (id ", id, ", ", mode, " mode)");
}

}  // namespace

absl::string_view ActionName(Action action) {
  switch (action) {
    case Action::kMonitor:
      return "monitor";
    case Action::kReflect:
      return "xdp";
    case Action::kRedirect:
      return "afxdp";
  }
  return "?";
}

XdpProgram::XdpProgram(rf_xdp* skeleton, uint32_t max_queues, bool nic_rx_time)
    : skeleton_(skeleton), max_queues_(max_queues), nic_rx_time_(nic_rx_time) {}

XdpProgram::~XdpProgram() {
  Detach();
  rf_xdp::destroy(skeleton_);
}

absl::StatusOr<std::unique_ptr<XdpProgram>> XdpProgram::Load(const LoadOptions& options) {
  if (options.max_queues == 0) {
    return absl::InvalidArgumentError("the XSKMAP needs at least one queue");
  }
  rf_xdp* skeleton = rf_xdp::open();
  if (skeleton == nullptr) return BpfErrorToStatus(errno, "open the XDP program");
  const bool nic_rx_time = !options.nic_rx_time_interface.empty();
  std::unique_ptr<XdpProgram> program(new XdpProgram(skeleton, options.max_queues, nic_rx_time));
  if (const int err = bpf_map__set_max_entries(skeleton->maps.rf_xsks, options.max_queues)) {
    return BpfErrorToStatus(err, "size the XSKMAP");
  }
  skeleton->rodata->rf_count_sessions = options.count_sessions ? 1 : 0;
  // One of the two programs (reflector.bpf.c): the other is not loaded at all, as the verifier
  // refuses the kfunc call in a program that is not device-bound.
  bpf_program__set_autoload(
      nic_rx_time ? skeleton->progs.rf_xdp_reflect : skeleton->progs.rf_xdp_reflect_nic, false);
  if (nic_rx_time) {
    REFLECTOR_RETURN_IF_ERROR(
        BindForNicRxTime(skeleton->progs.rf_xdp_reflect_nic, options.nic_rx_time_interface));
  }
  skeleton->rodata->rf_stamp_grow_at_tail = options.stamp_grow_at_tail ? 1 : 0;
  if (const int err = rf_xdp::load(skeleton)) {
    if (nic_rx_time && err == -EOPNOTSUPP) {
      return absl::FailedPreconditionError(
          absl::StrCat(options.nic_rx_time_interface,
                       ": its driver cannot run a device-bound XDP program (no XDP RX metadata)"));
    }
    return BpfErrorToStatus(err, nic_rx_time ? absl::StrCat("load the XDP program bound to ",
                                                            options.nic_rx_time_interface)
                                             : std::string("load the XDP program"));
  }
  REFLECTOR_RETURN_IF_ERROR(program->ReadProgramInfo());
  return program;
}

absl::Status XdpProgram::ReadProgramInfo() {
  bpf_prog_info info = {};
  uint32_t length = sizeof(info);
  if (const int err = bpf_obj_get_info_by_fd(program_fd(), &info, &length)) {
    return BpfErrorToStatus(err, "read the XDP program's info");
  }
  verified_instructions_ = info.verified_insns;
  return absl::OkStatus();
}

int XdpProgram::program_fd() const {
  return bpf_program__fd(nic_rx_time_ ? skeleton_->progs.rf_xdp_reflect_nic
                                      : skeleton_->progs.rf_xdp_reflect);
}

absl::Span<const bpf_insn> XdpProgram::instructions() const {
  const bpf_program* program =
      nic_rx_time_ ? skeleton_->progs.rf_xdp_reflect_nic : skeleton_->progs.rf_xdp_reflect;
  return absl::MakeConstSpan(bpf_program__insns(program), bpf_program__insn_cnt(program));
}

int XdpProgram::xsk_map_fd() const { return bpf_map__fd(skeleton_->maps.rf_xsks); }

absl::Status XdpProgram::Configure(const rf_config& filter, Action action) {
  if (filter.rule_count > RF_MAX_RULES || filter.oui_count > RF_MAX_OUIS ||
      filter.prefix_count > RF_MAX_PREFIXES) {
    return absl::InvalidArgumentError(absl::StrCat(
        "rule table out of bounds: ", filter.rule_count, " rules, ", filter.oui_count, " OUIs, ",
        filter.prefix_count, " prefixes"));
  }
  for (int i = 0; i < filter.rule_count; ++i) {
    if (filter.rules[i].mode >= RF_MODE_COUNT) {
      return absl::InvalidArgumentError(
          absl::StrCat("rule ", i, ": unknown reflect mode ", filter.rules[i].mode));
    }
  }
  if (static_cast<uint8_t>(action) >= RF_XDP_ACTION_COUNT) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown XDP action ", static_cast<int>(action)));
  }
  rf_xdp_config_block& block = skeleton_->data_config->rf_config;
  // The slot written now was last read before the previous flip; wait until those runs end.
  if (configured_ && link_.attached()) WaitForXdpReaders();
  const uint32_t next = (block.active & 1) ^ 1;
  rf_xdp_config& slot = block.slot[next];
  slot = {};
  slot.filter = filter;
  slot.action = static_cast<uint8_t>(action);
  __atomic_store_n(&block.active, next, __ATOMIC_RELEASE);
  configured_ = true;
  return absl::OkStatus();
}

rf_xdp_config XdpProgram::config() const {
  const rf_xdp_config_block& block = skeleton_->data_config->rf_config;
  return block.slot[__atomic_load_n(&block.active, __ATOMIC_ACQUIRE) & 1];
}

absl::StatusOr<std::string> XdpProgram::MakeRoomFor(int ifindex, absl::string_view interface,
                                                    bool replace) {
  LIBBPF_OPTS(bpf_xdp_query_opts, query);
  if (const int err = bpf_xdp_query(ifindex, 0, &query)) {
    return BpfErrorToStatus(err, absl::StrCat("query XDP on ", interface));
  }
  uint32_t mode_flag = 0;
  uint32_t id = 0;
  absl::string_view mode;
  switch (query.attach_mode) {
    case XDP_ATTACHED_NONE:
      return std::string();
    case XDP_ATTACHED_DRV:
      mode_flag = XDP_FLAGS_DRV_MODE, id = query.drv_prog_id, mode = "native";
      break;
    case XDP_ATTACHED_SKB:
      mode_flag = XDP_FLAGS_SKB_MODE, id = query.skb_prog_id, mode = "generic";
      break;
    default:
      id = query.prog_id, mode = "offload or multi";
      break;
  }
  const std::string existing = DescribeProgram(id, mode);
  if (!replace) {
    return absl::FailedPreconditionError(
        absl::StrCat(interface, " already runs ", existing, ", attached by someone else; ",
                     "refusing to replace it: ", HowToDetach(ifindex, id, interface, mode)));
  }
  if (mode_flag == 0) {
    return absl::FailedPreconditionError(
        absl::StrCat(interface, " runs ", existing, ", which cannot be replaced"));
  }
  UniqueFd old_program(bpf_prog_get_fd_by_id(id));
  LIBBPF_OPTS(bpf_xdp_attach_opts, detach, .old_prog_fd = old_program.get());
  if (const int err = bpf_xdp_detach(ifindex, mode_flag, &detach)) {
    if (err == -EBUSY) {
      return absl::FailedPreconditionError(absl::StrCat(interface, " runs ", existing, ": ",
                                                        HowToDetach(ifindex, id, interface, mode)));
    }
    return BpfErrorToStatus(err, absl::StrCat("detach ", existing, " from ", interface));
  }
  return existing;
}

absl::StatusOr<Attachment> XdpProgram::Attach(absl::string_view interface,
                                              const AttachOptions& options) {
  if (attachment_.has_value()) {
    return absl::FailedPreconditionError(
        absl::StrCat("already attached to ", attachment_->interface, "; detach first"));
  }
  Attachment attached;
  attached.interface = std::string(interface);
  REFLECTOR_ASSIGN_OR_RETURN(const base::NetDevice device, base::LookupNetDevice(interface));
  attached.ifindex = device.ifindex;
  REFLECTOR_ASSIGN_OR_RETURN(attached.replaced,
                             MakeRoomFor(attached.ifindex, interface, options.replace));

  REFLECTOR_ASSIGN_OR_RETURN(XdpLink link,
                             AttachXdp(program_fd(), attached.ifindex, options.mode,
                                       absl::StrCat("attach XDP to ", interface)));
  link_ = std::move(link.link);
  attached.mode = link.mode;
  attached.fallback_reason = std::move(link.fallback_reason);
  attachment_ = attached;
  return attached;
}

void XdpProgram::Detach() {
  link_.Detach();
  attachment_.reset();
}

absl::StatusOr<rf_xdp_counters> XdpProgram::ReadCounters() const {
  return ReadPerCpuCounters(skeleton_->maps.rf_counters, "the XDP counters");
}

void XdpProgram::ConfigureCapture(const rf_capture_config& capture) {
  WriteCaptureConfig(skeleton_->data_capture->rf_capture, capture);
}

int XdpProgram::capture_ring_fd() const { return bpf_map__fd(skeleton_->maps.rf_capture_ring); }

absl::StatusOr<std::vector<rf_session_slot>> XdpProgram::ReadSessions() const {
  return ReadSessionMaps(skeleton_->maps.rf_session_cache, skeleton_->maps.rf_sessions);
}

absl::StatusOr<rf_dwell_histogram> XdpProgram::ReadStampDwell() const {
  REFLECTOR_ASSIGN_OR_RETURN(
      const std::vector<rf_dwell_histogram> per_cpu,
      ReadPerCpuEntry<rf_dwell_histogram>(skeleton_->maps.rf_stamp_dwell, "the STAMP dwell"));
  rf_dwell_histogram sum = {};
  for (const rf_dwell_histogram& cpu : per_cpu) {
    for (int i = 0; i < RF_DWELL_SLOTS; ++i) sum.buckets[i] += cpu.buckets[i];
    sum.sum_ns += cpu.sum_ns;
  }
  return sum;
}

absl::StatusOr<rf_capture_state> XdpProgram::ReadCaptureState() const {
  return ReadCaptureStates(skeleton_->maps.rf_capture_states);
}

}  // namespace reflector::xdp
