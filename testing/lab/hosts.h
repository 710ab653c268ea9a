// The lab's two hosts as commands and flags take them. The values are the frame builder's
// (reflector/packet/testing/frame_builder.h: kTesterMac, kReflectorMac, kTesterIpv4, ...), the
// one place they are written; this only turns them into text.
#ifndef REFLECTOR_TESTING_LAB_HOSTS_H_
#define REFLECTOR_TESTING_LAB_HOSTS_H_

#include <string>

#include "reflector/packet/testing/frame_builder.h"

namespace reflector::testing::lab {

inline constexpr int kIpv4PrefixLength = 24;
inline constexpr int kIpv6PrefixLength = 64;

// "198.18.0.2", "2001:2::2".
std::string Ipv4Text(const packet::testing::Ipv4Address& address);
std::string Ipv6Text(const packet::testing::Ipv6Address& address);

// "198.18.0.2/24", "2001:2::2/64": the address with the lab's prefix length.
std::string Ipv4Cidr(const packet::testing::Ipv4Address& address);
std::string Ipv6Cidr(const packet::testing::Ipv6Address& address);

}  // namespace reflector::testing::lab

#endif  // REFLECTOR_TESTING_LAB_HOSTS_H_
