// Kernel programs attached through bpf_links: an XDP program on an interface (native, generic,
// or native with generic as fallback) and a tc program on the tcx ingress hook. The kernel
// takes a linked program off when the last reference to the link goes, so the process's exit,
// even by SIGKILL, detaches it; BpfLink takes it off as soon as it is destroyed.
//
// tcx arrived in Linux 6.6. Debian 12's UAPI headers (Linux 6.1) and libbpf 1.1 predate it: the
// one value needed is taken from the kernel's include/uapi/linux/bpf.h, and libbpf 1.1's
// bpf_link_create and bpf_prog_query pass an attach type they do not know to the kernel as is.
#ifndef REFLECTOR_XDP_BPF_LINK_H_
#define REFLECTOR_XDP_BPF_LINK_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "reflector/base/unique_fd.h"

namespace reflector::xdp {

// One attached program. Move-only; detaching twice is harmless.
class BpfLink {
 public:
  BpfLink() = default;  // holds nothing
  explicit BpfLink(UniqueFd fd) : fd_(std::move(fd)) {}
  BpfLink(BpfLink&&) = default;
  BpfLink& operator=(BpfLink&& other) noexcept;
  ~BpfLink() { Detach(); }

  bool attached() const { return fd_.valid(); }
  // Takes the program off now. Explicitly, not only by closing: a forked child may hold a copy
  // of the descriptor.
  void Detach();

 private:
  UniqueFd fd_;
};

enum class AttachMode : uint8_t {
  kAuto,     // native, and generic when the driver refuses native (the reason is returned)
  kNative,   // in the driver (XDP_FLAGS_DRV_MODE)
  kGeneric,  // in the stack, after the skb is built (XDP_FLAGS_SKB_MODE); works everywhere
};
// "auto", "native", "generic".
absl::string_view AttachModeName(AttachMode mode);

struct XdpLink {
  BpfLink link;
  AttachMode mode = AttachMode::kNative;  // kNative or kGeneric: the mode in effect
  // Set when kAuto fell back to generic: why native mode failed.
  std::string fallback_reason;
};

// Attaches the XDP program `program_fd` to `ifindex` (in the calling thread's network
// namespace). `operation` names the attempt in errors, e.g. "attach XDP to eth1"; a failed
// kAuto reports both attempts.
absl::StatusOr<XdpLink> AttachXdp(int program_fd, int ifindex, AttachMode mode,
                                  absl::string_view operation);

// enum bpf_attach_type: BPF_TCX_INGRESS (after BPF_NETFILTER = 45).
inline constexpr int kBpfTcxIngress = 46;

// Attaches the SCHED_CLS program `program_fd` to the tcx ingress hook of `ifindex` (in the
// calling thread's network namespace), after any tcx program already there. UnimplementedError
// when the kernel has no tcx (before 6.6), so the caller can fall back to netlink tc.
absl::StatusOr<BpfLink> AttachTcxIngress(int program_fd, int ifindex);

// The ids of the programs on the tcx ingress hook of `ifindex`, in run order (empty when the
// kernel has no tcx).
absl::StatusOr<std::vector<uint32_t>> TcxIngressProgramIds(int ifindex);

}  // namespace reflector::xdp

#endif  // REFLECTOR_XDP_BPF_LINK_H_
