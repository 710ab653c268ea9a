// The benchmark's baseline: the bare XDP_TX MAC-swap program (mac_swap.bpf.c) attached in native
// mode to one interface through a bpf_link. Destroying the object detaches it, and because the
// attachment is a link, a killed benchmark leaves nothing attached either.
#ifndef REFLECTOR_TOOLS_BENCH_MAC_SWAP_H_
#define REFLECTOR_TOOLS_BENCH_MAC_SWAP_H_

#include <linux/bpf.h>

#include <memory>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "xdp/bpf_link.h"

struct rf_bench_swap_bpf;  // the bpftool skeleton; only mac_swap.cc sees it

namespace reflector::bench {

class MacSwapProgram {
 public:
  // Loads the program and attaches it natively to `ifindex` of the calling thread's network
  // namespace. Native only: a generic-mode baseline would measure the skb path instead.
  static absl::StatusOr<std::unique_ptr<MacSwapProgram>> Attach(int ifindex);
  // Loads the program without attaching it, for test runs on program_fd().
  static absl::StatusOr<std::unique_ptr<MacSwapProgram>> Load();
  MacSwapProgram(const MacSwapProgram&) = delete;
  MacSwapProgram& operator=(const MacSwapProgram&) = delete;
  ~MacSwapProgram();

  int program_fd() const;
  // Its instructions as loaded, for the bench's interpreter (bpf_interpreter.h).
  absl::Span<const bpf_insn> instructions() const;

 private:
  explicit MacSwapProgram(rf_bench_swap_bpf* skeleton) : skeleton_(skeleton) {}
  rf_bench_swap_bpf* skeleton_;
  xdp::BpfLink link_;  // detached before the skeleton is destroyed
};

}  // namespace reflector::bench

#endif  // REFLECTOR_TOOLS_BENCH_MAC_SWAP_H_
