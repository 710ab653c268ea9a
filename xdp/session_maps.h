// Reading the XDP program's per-tester session counts (xdp/session_count.h) from userspace:
// every non-empty way of every CPU's cache, and every entry of the table behind it, as they
// are; the daemon adds them up per key (reflector/engine/session_book.h).
#ifndef REFLECTOR_XDP_SESSION_MAPS_H_
#define REFLECTOR_XDP_SESSION_MAPS_H_

#include <vector>

#include "absl/status/statusor.h"
#include "reflector/packet/session.h"

struct bpf_map;

namespace reflector::xdp {

// `cache`: the per-CPU array of rf_session_cache_set; `table`: the hash of key -> counts.
absl::StatusOr<std::vector<rf_session_slot>> ReadSessionMaps(const bpf_map* cache,
                                                             const bpf_map* table);

}  // namespace reflector::xdp

#endif  // REFLECTOR_XDP_SESSION_MAPS_H_
