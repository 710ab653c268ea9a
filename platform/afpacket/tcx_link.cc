#include "platform/afpacket/tcx_link.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "bpf/bpf.h"

namespace reflector::platform::afpacket {
namespace {

// The kernel's ENOTSUPP (include/linux/errno.h), which leaks to userspace from some BPF paths.
constexpr int kEnotsupp = 524;

constexpr auto kTcxIngress = static_cast<bpf_attach_type>(kBpfTcxIngress);

}  // namespace

absl::StatusOr<UniqueFd> AttachTcxIngress(int program_fd, int ifindex) {
  // libbpf 1.1 sends an unknown attach type with every other link_create field zero: for tcx
  // that means no relative program and no expected revision, i.e. append to the hook.
  const int fd = bpf_link_create(program_fd, ifindex, kTcxIngress, nullptr);
  if (fd >= 0) return UniqueFd(fd);
  const int error = std::abs(fd);
  // Before 6.6 BPF_LINK_CREATE knows no tcx attach type and a SCHED_CLS program no link.
  if (error == EINVAL || error == EOPNOTSUPP || error == kEnotsupp) {
    return absl::UnimplementedError(
        absl::StrCat("no tcx link (Linux 6.6+): ", std::strerror(error)));
  }
  return absl::ErrnoToStatus(error, "attach the tc program through a tcx link");
}

absl::StatusOr<std::vector<uint32_t>> TcxIngressProgramIds(int ifindex) {
  std::vector<uint32_t> ids(64);
  LIBBPF_OPTS(bpf_prog_query_opts, query, .prog_ids = ids.data(),
              .prog_cnt = static_cast<uint32_t>(ids.size()));
  const int err = bpf_prog_query_opts(ifindex, kTcxIngress, &query);
  if (err == -EINVAL) return std::vector<uint32_t>{};  // no tcx in this kernel
  if (err != 0) return absl::ErrnoToStatus(-err, "query the tcx ingress programs");
  ids.resize(query.prog_cnt);
  return ids;
}

}  // namespace reflector::platform::afpacket
