// Whether an interface already has a clsact (or ingress) qdisc, asked over rtnetlink directly.
// libbpf's bpf_tc_hook_create would answer too, but by failing with EEXIST and printing the
// kernel's "Exclusivity flag on" to stderr through its log callback.
#ifndef REFLECTOR_XDP_INGRESS_QDISC_H_
#define REFLECTOR_XDP_INGRESS_QDISC_H_

#include "absl/status/statusor.h"

namespace reflector::xdp {

// True when `ifindex` (in the calling thread's network namespace) has a qdisc on its ingress
// hook, as a clsact qdisc is.
absl::StatusOr<bool> HasIngressQdisc(int ifindex);

}  // namespace reflector::xdp

#endif  // REFLECTOR_XDP_INGRESS_QDISC_H_
