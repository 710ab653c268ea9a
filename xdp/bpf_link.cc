#include "xdp/bpf_link.h"

#include <bpf/bpf.h>
#include <linux/if_link.h>

#include <cerrno>
#include <cstdlib>
#include <utility>

#include "absl/strings/str_cat.h"
#include "xdp/bpf_status.h"

namespace reflector::xdp {
namespace {

// The kernel's ENOTSUPP (include/linux/errno.h), which leaks to userspace from some BPF paths.
constexpr int kEnotsupp = 524;

constexpr auto kTcxIngress = static_cast<bpf_attach_type>(kBpfTcxIngress);

absl::StatusOr<BpfLink> CreateXdpLink(int program_fd, int ifindex, uint32_t mode_flag,
                                      absl::string_view operation) {
  LIBBPF_OPTS(bpf_link_create_opts, options, .flags = mode_flag);
  const int fd = bpf_link_create(program_fd, ifindex, BPF_XDP, &options);
  if (fd < 0) return BpfErrorToStatus(fd, operation);
  return BpfLink(UniqueFd(fd));
}

}  // namespace

BpfLink& BpfLink::operator=(BpfLink&& other) noexcept {
  if (this != &other) {
    Detach();
    fd_ = std::move(other.fd_);
  }
  return *this;
}

void BpfLink::Detach() {
  if (fd_.valid()) bpf_link_detach(fd_.get());
  fd_.reset();
}

absl::string_view AttachModeName(AttachMode mode) {
  switch (mode) {
    case AttachMode::kAuto:
      return "auto";
    case AttachMode::kNative:
      return "native";
    case AttachMode::kGeneric:
      return "generic";
  }
  return "?";
}

absl::StatusOr<XdpLink> AttachXdp(int program_fd, int ifindex, AttachMode mode,
                                  absl::string_view operation) {
  XdpLink attached;
  if (mode != AttachMode::kGeneric) {
    absl::StatusOr<BpfLink> link = CreateXdpLink(program_fd, ifindex, XDP_FLAGS_DRV_MODE,
                                                 absl::StrCat(operation, " (native)"));
    if (link.ok()) {
      attached.link = *std::move(link);
      attached.mode = AttachMode::kNative;
      return attached;
    }
    if (mode == AttachMode::kNative) return link.status();
    attached.fallback_reason = std::string(link.status().message());
  }
  absl::StatusOr<BpfLink> link =
      CreateXdpLink(program_fd, ifindex, XDP_FLAGS_SKB_MODE, absl::StrCat(operation, " (generic)"));
  if (!link.ok()) {
    if (attached.fallback_reason.empty()) return link.status();
    return absl::Status(link.status().code(),
                        absl::StrCat(link.status().message(), "; and ", attached.fallback_reason));
  }
  attached.link = *std::move(link);
  attached.mode = AttachMode::kGeneric;
  return attached;
}

absl::StatusOr<BpfLink> AttachTcxIngress(int program_fd, int ifindex) {
  // libbpf 1.1 sends an unknown attach type with every other link_create field zero: for tcx
  // that means no relative program and no expected revision, i.e. append to the hook.
  const int fd = bpf_link_create(program_fd, ifindex, kTcxIngress, nullptr);
  if (fd >= 0) return BpfLink(UniqueFd(fd));
  const int error = std::abs(fd);
  const absl::Status status = BpfErrorToStatus(error, "attach the tc program through a tcx link");
  // Before 6.6 BPF_LINK_CREATE knows no tcx attach type and a SCHED_CLS program no link.
  if (error == EINVAL || error == EOPNOTSUPP || error == kEnotsupp) {
    return absl::UnimplementedError(absl::StrCat("no tcx (Linux 6.6+): ", status.message()));
  }
  return status;
}

absl::StatusOr<std::vector<uint32_t>> TcxIngressProgramIds(int ifindex) {
  std::vector<uint32_t> ids(64);
  LIBBPF_OPTS(bpf_prog_query_opts, query, .prog_ids = ids.data(),
              .prog_cnt = static_cast<uint32_t>(ids.size()));
  const int err = bpf_prog_query_opts(ifindex, kTcxIngress, &query);
  if (err == -EINVAL) return std::vector<uint32_t>{};  // no tcx in this kernel
  if (err != 0) return BpfErrorToStatus(err, "query the tcx ingress programs");
  ids.resize(query.prog_cnt);
  return ids;
}

}  // namespace reflector::xdp
