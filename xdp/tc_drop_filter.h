// TcDropFilter: the afpacket data path's tc ingress program (tc_drop.bpf.c), which keeps the
// host stack from answering test frames, loaded into the kernel and, optionally, attached to
// one interface. It owns every kernel object involved; destroying it takes the program off
// again. Attach one per interface, not one per worker, and only once the packet socket is
// bound: packet taps run before tc ingress, so the socket gets its copy of a test frame before
// the program drops it, but a frame dropped before any socket exists is lost.
//
// Where the kernel has tcx (6.6+) the program hangs on a tcx bpf_link: no qdisc is touched
// and the kernel detaches it when the process dies, even by SIGKILL. Older kernels get a
// netlink tc filter on a clsact qdisc, which survives a killed process until the next start
// replaces it.
#ifndef REFLECTOR_XDP_TC_DROP_FILTER_H_
#define REFLECTOR_XDP_TC_DROP_FILTER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "reflector/base/unique_fd.h"
#include "reflector/packet/wire.h"
#include "xdp/abi.h"
#include "xdp/bpf_link.h"

struct rf_tc_drop;  // the bpftool skeleton

namespace reflector::xdp {

enum class TcAttachMethod {
  kTcxLink,        // bpf_link on the tcx ingress hook
  kNetlinkClsact,  // cls_bpf filter on a clsact qdisc, through netlink
};

// "tcx link" or "netlink tc (clsact)".
absl::string_view TcAttachMethodName(TcAttachMethod method);

class TcDropFilter {
 public:
  // Loads the program with `config` in place; attaches nothing. Tests run the loaded program
  // with bpf_prog_test_run_opts on program_fd(): TC_ACT_SHOT for a test frame, TC_ACT_UNSPEC
  // (go on to whatever runs next) for any other.
  static absl::StatusOr<std::unique_ptr<TcDropFilter>> Load(const rf_config& config);
  ~TcDropFilter();
  TcDropFilter(const TcDropFilter&) = delete;
  TcDropFilter& operator=(const TcDropFilter&) = delete;

  // Attaches to `ifindex` in the calling thread's network namespace: through a tcx link when
  // the kernel has one and `allow_tcx` (false only to test the fallback), else through netlink
  // tc. There a clsact qdisc that is already in place is shared (and left on detach), one we
  // create is removed with us, and a stale filter of ours from a killed run is replaced.
  absl::Status Attach(int ifindex, bool allow_tcx = true);

  // Meaningful once attached.
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

  // Capture (issue 21): the program copies the frames it rejects into its ring; the same
  // calls as XdpProgram's.
  void ConfigureCapture(const rf_capture_config& capture);
  int capture_ring_fd() const;
  absl::StatusOr<rf_capture_state> ReadCaptureState() const;

  int program_fd() const;

 private:
  explicit TcDropFilter(rf_tc_drop* skeleton) : skeleton_(skeleton) {}
  absl::Status AttachNetlink();
  void DetachNetlink();

  rf_tc_drop* skeleton_;
  int ifindex_ = 0;
  // The namespace we attached in: ifindex means something only there, and the destructor may
  // run on a thread in another namespace.
  UniqueFd netns_;
  TcAttachMethod method_ = TcAttachMethod::kTcxLink;
  std::string tcx_unavailable_;  // why the netlink fallback is in use
  BpfLink tcx_link_;
  bool netlink_attached_ = false;
  bool created_qdisc_ = false;
};

}  // namespace reflector::xdp

#endif  // REFLECTOR_XDP_TC_DROP_FILTER_H_
