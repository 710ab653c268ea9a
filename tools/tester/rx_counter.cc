#include "tools/tester/rx_counter.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "tools/tester/trailer.h"
// After the ABI header: the skeleton's generated asserts check that g++ and clang agree.
#include "tools/tester/rx_counter_skel.skel.h"

namespace reflector::tester {
namespace {

absl::Status BpfError(int error, const std::string& what) {
  const int e = error < 0 ? -error : error;
  std::string message = absl::StrFormat("%s: %s", what, std::strerror(e));
  if (e == EPERM) message += " (needs CAP_BPF and CAP_NET_ADMIN: run as root)";
  return absl::ErrnoToStatus(e, message);
}

}  // namespace

absl::StatusOr<std::unique_ptr<RxCounter>> RxCounter::Attach(
    int ifindex, const ito_tester_rx_config& config) {
  ito_tester_rx_bpf* skeleton = ito_tester_rx_bpf__open();
  if (skeleton == nullptr) return BpfError(errno, "open the receive counter");
  std::unique_ptr<RxCounter> counter(new RxCounter(skeleton));
  // Read-only data becomes constants for the verifier once loaded: set it now.
  std::memcpy(const_cast<ito_tester_rx_config*>(&skeleton->rodata->rx_config), &config,
              sizeof(config));
  if (const int err = ito_tester_rx_bpf__load(skeleton); err != 0) {
    return BpfError(err, "load the receive counter XDP program");
  }
  const int program = bpf_program__fd(skeleton->progs.ito_tester_rx);
  // A bpf_link, not netlink: the attachment dies with the process, however it ends.
  LIBBPF_OPTS(bpf_link_create_opts, native, .flags = XDP_FLAGS_DRV_MODE);
  int fd = bpf_link_create(program, ifindex, BPF_XDP, &native);
  if (fd < 0 && fd != -EBUSY && fd != -EEXIST && fd != -EPERM) {
    LIBBPF_OPTS(bpf_link_create_opts, generic, .flags = XDP_FLAGS_SKB_MODE);
    fd = bpf_link_create(program, ifindex, BPF_XDP, &generic);
    counter->generic_ = true;
  }
  if (fd < 0) {
    return BpfError(fd, absl::StrFormat("attach the receive counter XDP program to ifindex %d "
                                        "(is another XDP program attached there?)",
                                        ifindex));
  }
  counter->link_.reset(fd);
  return counter;
}

RxCounter::~RxCounter() {
  link_.reset();
  ito_tester_rx_bpf__destroy(skeleton_);
}

absl::StatusOr<ito_tester_rx_counters> RxCounter::Read() const {
  const int cpus = libbpf_num_possible_cpus();
  if (cpus <= 0) return BpfError(cpus, "count the possible CPUs");
  std::vector<ito_tester_rx_counters> per_cpu(static_cast<size_t>(cpus));
  const uint32_t key = 0;
  if (bpf_map_lookup_elem(bpf_map__fd(skeleton_->maps.rx_counters), &key, per_cpu.data()) != 0) {
    return BpfError(errno, "read the receive counters");
  }
  ito_tester_rx_counters total = {};
  for (const ito_tester_rx_counters& c : per_cpu) {
    total.frames += c.frames;
    total.bytes += c.bytes;
  }
  return total;
}

}  // namespace reflector::tester
