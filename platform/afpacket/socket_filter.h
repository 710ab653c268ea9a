// The classic BPF socket filter on the RX socket: lets only candidate test frames into the
// ring, so ordinary traffic on the interface is never copied to userspace. The program is
// platform/classic_bpf's, shared with the BSD BPF device backend.
#ifndef REFLECTOR_PLATFORM_AFPACKET_SOCKET_FILTER_H_
#define REFLECTOR_PLATFORM_AFPACKET_SOCKET_FILTER_H_

#include <linux/filter.h>

#include <vector>

#include "absl/status/status.h"

namespace reflector::platform::afpacket {

// classic_bpf::CandidateFilterProgram() as Linux's sock_filter array.
std::vector<sock_filter> CandidateFilterProgram();

// SO_ATTACH_FILTER of CandidateFilterProgram() on `fd`.
absl::Status AttachCandidateFilter(int fd);

}  // namespace reflector::platform::afpacket

#endif  // REFLECTOR_PLATFORM_AFPACKET_SOCKET_FILTER_H_
