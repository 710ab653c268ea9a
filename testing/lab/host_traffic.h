// Tells the reflector host's own traffic apart from reflected frames. The reflector's
// namespace has addresses, so its stack answers ARP, ICMP echo, TCP (with RST) and sends
// MLD reports, as a production host does; none of that is reflection. A reflection is always
// unicast (a test frame's source never is a group address) and always UDP over IPv4/IPv6.
// Frames of any other kind are the host's; the daemon's counters still show if a data path
// ever reflected one.
#ifndef REFLECTOR_TESTING_LAB_HOST_TRAFFIC_H_
#define REFLECTOR_TESTING_LAB_HOST_TRAFFIC_H_

#include <cstdint>

#include "absl/types/span.h"

namespace reflector::testing::lab {

// False for frames that cannot be a reflection: group destination, not IPv4/IPv6 (after at
// most two tags), or not UDP.
bool CouldBeReflection(absl::Span<const uint8_t> frame);

}  // namespace reflector::testing::lab

#endif  // REFLECTOR_TESTING_LAB_HOST_TRAFFIC_H_
