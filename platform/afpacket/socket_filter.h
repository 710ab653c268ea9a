// The classic BPF socket filter on the RX socket: lets only candidate test frames into the
// ring, so ordinary traffic on the interface is never copied to userspace. It is a coarse
// pre-filter, not the classifier: the engine classifies every frame it gets (SPEC §3), so the
// filter may pass too much but must never drop a frame the classifier would reflect.
#ifndef REFLECTOR_PLATFORM_AFPACKET_SOCKET_FILTER_H_
#define REFLECTOR_PLATFORM_AFPACKET_SOCKET_FILTER_H_

#include <linux/filter.h>

#include <vector>

#include "absl/status/status.h"

namespace reflector::platform::afpacket {

// Accepts frames with a unicast destination MAC, at most two inline 802.1Q/802.1ad tags (the
// kernel has already taken the outer one out), IPv4 or IPv6, and UDP as the IP protocol or
// IPv6 next header. Everything else, and every frame too short to tell, is dropped.
std::vector<sock_filter> CandidateFilterProgram();

// SO_ATTACH_FILTER of CandidateFilterProgram() on `fd`.
absl::Status AttachCandidateFilter(int fd);

}  // namespace reflector::platform::afpacket

#endif  // REFLECTOR_PLATFORM_AFPACKET_SOCKET_FILTER_H_
