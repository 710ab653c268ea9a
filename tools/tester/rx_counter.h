// The tester's receive-side XDP program (rx_counter.bpf.c) attached to its interface through a
// bpf_link: counts this stream's reflections before any queue can drop them, and makes a veth
// peer deliver the reflector's XDP_TX frames at all. Destroying it detaches it (a killed
// process leaves nothing attached either: the link dies with it).
#ifndef REFLECTOR_TOOLS_TESTER_RX_COUNTER_H_
#define REFLECTOR_TOOLS_TESTER_RX_COUNTER_H_

#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "tools/tester/trailer.h"
#include "xdp/bpf_link.h"

struct ito_tester_rx_bpf;  // the bpftool skeleton; only rx_counter.cc sees it

namespace reflector::tester {

class RxCounter {
 public:
  // Loads the program for one stream and attaches it to `ifindex` (native XDP, else generic).
  static absl::StatusOr<std::unique_ptr<RxCounter>> Attach(int ifindex,
                                                           const ito_tester_rx_config& config);
  RxCounter(const RxCounter&) = delete;
  RxCounter& operator=(const RxCounter&) = delete;
  ~RxCounter();

  // Matched frames so far, summed over CPUs.
  absl::StatusOr<ito_tester_rx_counters> Read() const;
  bool generic() const { return generic_; }

 private:
  explicit RxCounter(ito_tester_rx_bpf* skeleton) : skeleton_(skeleton) {}
  ito_tester_rx_bpf* skeleton_;
  xdp::BpfLink link_;  // detached before the skeleton is destroyed
  bool generic_ = false;
};

}  // namespace reflector::tester

#endif  // REFLECTOR_TOOLS_TESTER_RX_COUNTER_H_
