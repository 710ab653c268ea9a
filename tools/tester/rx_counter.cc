#include "tools/tester/rx_counter.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "tools/tester/trailer.h"
#include "xdp/bpf_status.h"
// After the ABI header: the skeleton's generated asserts check that g++ and clang agree.
#include "tools/tester/rx_counter_skel.skel.h"

namespace reflector::tester {

using xdp::BpfErrorToStatus;

absl::StatusOr<std::unique_ptr<RxCounter>> RxCounter::Attach(
    int ifindex, const ito_tester_rx_config& config) {
  ito_tester_rx_bpf* skeleton = ito_tester_rx_bpf__open();
  if (skeleton == nullptr) return BpfErrorToStatus(errno, "open the receive counter");
  std::unique_ptr<RxCounter> counter(new RxCounter(skeleton));
  // Read-only data becomes constants for the verifier once loaded: set it now.
  std::memcpy(const_cast<ito_tester_rx_config*>(&skeleton->rodata->rx_config), &config,
              sizeof(config));
  if (const int err = ito_tester_rx_bpf__load(skeleton); err != 0) {
    return BpfErrorToStatus(err, "load the receive counter XDP program");
  }
  // A bpf_link, not netlink: the attachment dies with the process, however it ends.
  absl::StatusOr<xdp::XdpLink> attached = xdp::AttachXdp(
      bpf_program__fd(skeleton->progs.ito_tester_rx), ifindex, xdp::AttachMode::kAuto,
      absl::StrFormat("attach the receive counter XDP program to ifindex %d", ifindex));
  if (!attached.ok()) return attached.status();
  counter->link_ = std::move(attached->link);
  counter->generic_ = attached->mode == xdp::AttachMode::kGeneric;
  return counter;
}

RxCounter::~RxCounter() {
  link_.Detach();
  ito_tester_rx_bpf__destroy(skeleton_);
}

absl::StatusOr<ito_tester_rx_counters> RxCounter::Read() const {
  const int cpus = libbpf_num_possible_cpus();
  if (cpus <= 0) return BpfErrorToStatus(cpus, "count the possible CPUs");
  std::vector<ito_tester_rx_counters> per_cpu(static_cast<size_t>(cpus));
  const uint32_t key = 0;
  if (bpf_map_lookup_elem(bpf_map__fd(skeleton_->maps.rx_counters), &key, per_cpu.data()) != 0) {
    return BpfErrorToStatus(errno, "read the receive counters");
  }
  ito_tester_rx_counters total = {};
  for (const ito_tester_rx_counters& c : per_cpu) {
    total.frames += c.frames;
    total.bytes += c.bytes;
  }
  return total;
}

}  // namespace reflector::tester
