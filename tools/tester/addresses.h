// Where the stream goes: IP address parsing, the interface's own first address (the default
// source), and the reflector's MAC from the kernel's ARP / neighbor table.
#ifndef REFLECTOR_TOOLS_TESTER_ADDRESSES_H_
#define REFLECTOR_TOOLS_TESTER_ADDRESSES_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "reflector/packet/config.h"
#include "tools/tester/stream_frame.h"

namespace reflector::tester {

struct IpAddress {
  bool ipv6 = false;
  Ipv4Address v4 = {};
  Ipv6Address v6 = {};
};

// "198.18.0.2" or "2001:2::2".
absl::StatusOr<IpAddress> ParseIp(absl::string_view text);
std::string FormatIp(const IpAddress& ip);

// The first address of `interface` in the family asked for; for IPv6 a global one before a
// link-local one.
absl::StatusOr<IpAddress> FirstAddress(absl::string_view interface, bool ipv6);

// The MAC of `ip` on `interface`: asks the kernel to resolve it (a UDP datagram to the
// discard port makes it send ARP / neighbor solicitation), then reads the neighbor table
// through rtnetlink, for up to a second.
absl::StatusOr<packet::MacAddress> ResolveMac(int ifindex, absl::string_view interface,
                                              const IpAddress& ip);

}  // namespace reflector::tester

#endif  // REFLECTOR_TOOLS_TESTER_ADDRESSES_H_
