// Owns the tc ingress program (tc_drop.bpf.c) that keeps the host stack from answering test
// frames: loads it, attaches it to the interface's clsact hook, updates its config, and takes
// it off again in the destructor. Attach one per interface, not one per worker.
#ifndef REFLECTOR_PLATFORM_AFPACKET_TC_DROP_FILTER_H_
#define REFLECTOR_PLATFORM_AFPACKET_TC_DROP_FILTER_H_

#include <cstdint>
#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "reflector/packet/wire.h"
#include "xdp/abi.h"

struct rf_tc_drop;  // the bpftool skeleton

namespace reflector::platform::afpacket {

class TcDropFilter {
 public:
  // Attaches to `ifindex` in the calling thread's network namespace. A clsact qdisc that is
  // already there is shared (and left in place on detach); one we create is removed with us.
  // A stale filter of ours from a killed run (tc filters survive their process) is replaced.
  static absl::StatusOr<std::unique_ptr<TcDropFilter>> Attach(int ifindex, const rf_config& config);
  ~TcDropFilter();
  TcDropFilter(const TcDropFilter&) = delete;
  TcDropFilter& operator=(const TcDropFilter&) = delete;

  // Takes effect for the next frame; the program stays attached.
  absl::Status SetConfig(const rf_config& config);

  // Test frames dropped so far (summed over CPUs).
  absl::StatusOr<uint64_t> dropped() const;

  // Verdicts of every frame the filter saw, summed over CPUs (the XDP program's record: `tx`
  // counts the dropped test frames, `passed` the frames left to the stack).
  absl::StatusOr<rf_xdp_counters> ReadCounters() const;

 private:
  TcDropFilter(int ifindex, int netns_fd) : ifindex_(ifindex), netns_fd_(netns_fd) {}
  void Detach();

  const int ifindex_;
  // The namespace we attached in: ifindex means something only there, and the destructor may
  // run on a thread in another namespace.
  const int netns_fd_;
  rf_tc_drop* skeleton_ = nullptr;
  bool attached_ = false;
  bool created_qdisc_ = false;
};

}  // namespace reflector::platform::afpacket

#endif  // REFLECTOR_PLATFORM_AFPACKET_TC_DROP_FILTER_H_
