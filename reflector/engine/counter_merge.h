// One snapshot of a data path's counters from what its kernel program and its workers count
// (ARCHITECTURE.md, "stats"). The kernel program and the workers see different subsets of
// the frames, so each data path has its own formula; each is pinned by counter_merge_test.
#ifndef REFLECTOR_ENGINE_COUNTER_MERGE_H_
#define REFLECTOR_ENGINE_COUNTER_MERGE_H_

#include "reflector/engine/counters.h"
#include "xdp/abi.h"

namespace reflector::engine {

// The kernel programs' per-CPU counter record (xdp/abi.h), summed, in the engine's terms:
// every verdict counted is a received frame, every verdict but reflect a rejected one. In
// monitor mode the XDP program passes every frame, reflect verdicts included.
Counters FromKernelCounters(const rf_xdp_counters& kernel, bool monitor = false);

// afxdp: the XDP program sees every frame and redirects those it would reflect to the
// workers' sockets; the workers count what reached them. Received is what the program saw,
// frames lost in a full socket ring included, or more when the workers (read a moment later)
// are ahead. Rejected adds the program's (passed to the stack) to the workers' (rejected after
// the redirect, on a config change). Reflected, tx_dropped and rx_dropped are the workers'.
// In monitor mode nothing goes up: the program's counters are the whole story.
Counters MergeAfXdpCounters(const Counters& workers, const Counters& program, bool monitor);

// afpacket: tc ingress sees every frame, the workers only those the socket filter lets up, and
// both classify them (and judge CFM frames as the Y.1731 responder). Received, rejected and
// the Y.1731 outcomes are the larger of the two (the readings are taken at slightly different
// moments); passed is tc's (it leaves non-test frames to the stack);
// reflected, tx_dropped and rx_dropped are the workers', who sent the reflections.
Counters MergeAfPacketCounters(const Counters& workers, const Counters& tc);

}  // namespace reflector::engine

#endif  // REFLECTOR_ENGINE_COUNTER_MERGE_H_
