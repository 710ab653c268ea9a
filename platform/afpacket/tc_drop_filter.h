// Owns the tc ingress program (tc_drop.bpf.c) that keeps the host stack from answering test
// frames: loads it, attaches it to the interface, updates its config, and takes it off again.
// Attach one per interface, not one per worker.
//
// Where the kernel has tcx (6.6+) the program hangs on a tcx bpf_link: no qdisc is touched
// and the kernel detaches it when the process dies, even by SIGKILL. Older kernels get a
// netlink tc filter on a clsact qdisc, which survives a killed process until the next start
// replaces it.
#ifndef REFLECTOR_PLATFORM_AFPACKET_TC_DROP_FILTER_H_
#define REFLECTOR_PLATFORM_AFPACKET_TC_DROP_FILTER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "reflector/base/unique_fd.h"
#include "reflector/packet/wire.h"
#include "xdp/abi.h"

struct rf_tc_drop;  // the bpftool skeleton

namespace reflector::platform::afpacket {

enum class TcAttachMethod {
  kTcxLink,        // bpf_link on the tcx ingress hook
  kNetlinkClsact,  // cls_bpf filter on a clsact qdisc, through netlink
};

// "tcx link" or "netlink tc (clsact)".
absl::string_view TcAttachMethodName(TcAttachMethod method);

class TcDropFilter {
 public:
  // Attaches to `ifindex` in the calling thread's network namespace: through a tcx link when
  // the kernel has one and `allow_tcx` (false only to test the fallback), else through netlink
  // tc. There a clsact qdisc that is already in place is shared (and left on detach), one we
  // create is removed with us, and a stale filter of ours from a killed run is replaced.
  static absl::StatusOr<std::unique_ptr<TcDropFilter>> Attach(int ifindex, const rf_config& config,
                                                              bool allow_tcx = true);
  ~TcDropFilter();
  TcDropFilter(const TcDropFilter&) = delete;
  TcDropFilter& operator=(const TcDropFilter&) = delete;

  TcAttachMethod attach_method() const { return method_; }
  // The method's name, and for the netlink fallback why tcx was not used.
  std::string DescribeAttachment() const;

  // Takes effect for the next frame; the program stays attached.
  absl::Status SetConfig(const rf_config& config);

  // Test frames dropped so far (summed over CPUs).
  absl::StatusOr<uint64_t> dropped() const;

  // Verdicts of every frame the filter saw, summed over CPUs (the XDP program's record: `tx`
  // counts the dropped test frames, `passed` the frames left to the stack).
  absl::StatusOr<rf_xdp_counters> ReadCounters() const;

 private:
  TcDropFilter(int ifindex, int netns_fd) : ifindex_(ifindex), netns_fd_(netns_fd) {}
  absl::Status AttachNetlink();
  void DetachNetlink();

  const int ifindex_;
  // The namespace we attached in: ifindex means something only there, and the destructor may
  // run on a thread in another namespace.
  const int netns_fd_;
  rf_tc_drop* skeleton_ = nullptr;
  TcAttachMethod method_ = TcAttachMethod::kTcxLink;
  std::string tcx_unavailable_;  // why the netlink fallback is in use
  UniqueFd tcx_link_;
  bool netlink_attached_ = false;
  bool created_qdisc_ = false;
};

}  // namespace reflector::platform::afpacket

#endif  // REFLECTOR_PLATFORM_AFPACKET_TC_DROP_FILTER_H_
