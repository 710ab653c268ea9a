// tcx (Linux 6.6+): tc ingress programs attached through a bpf_link instead of a netlink
// filter on a clsact qdisc. The kernel takes the program off when the last reference to the
// link goes, so the process's exit, even by SIGKILL, detaches it, and no qdisc is involved.
//
// Debian 12's UAPI headers (Linux 6.1) and libbpf 1.1 predate tcx. The one value needed here is
// taken from the kernel's include/uapi/linux/bpf.h; libbpf 1.1's bpf_link_create and
// bpf_prog_query pass an attach type they do not know through to the kernel unchanged.
#ifndef REFLECTOR_PLATFORM_AFPACKET_TCX_LINK_H_
#define REFLECTOR_PLATFORM_AFPACKET_TCX_LINK_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "reflector/base/unique_fd.h"

namespace reflector::platform::afpacket {

// enum bpf_attach_type: BPF_TCX_INGRESS (after BPF_NETFILTER = 45).
inline constexpr int kBpfTcxIngress = 46;

// Attaches the SCHED_CLS program `program_fd` to the tcx ingress hook of `ifindex` (in the
// calling thread's network namespace), after any tcx program already there, and returns the
// link: closing it detaches the program. UnimplementedError when the kernel has no tcx (before
// 6.6), so the caller can fall back to netlink tc; other errors as they come.
absl::StatusOr<UniqueFd> AttachTcxIngress(int program_fd, int ifindex);

// The ids of the programs on the tcx ingress hook of `ifindex`, in run order (empty when the
// kernel has no tcx).
absl::StatusOr<std::vector<uint32_t>> TcxIngressProgramIds(int ifindex);

}  // namespace reflector::platform::afpacket

#endif  // REFLECTOR_PLATFORM_AFPACKET_TCX_LINK_H_
