// Prints the lab's hosts as shell assignments (tester_mac=00:c0:17:54:05:98, ...) for
// tools/lab.sh, so that the shell lab and the C++ lab (reflector_lab.h) take their MACs and
// addresses from the same place: the frame builder.
#include <cstdio>

#include "reflector/packet/config.h"
#include "reflector/packet/testing/frame_builder.h"
#include "testing/lab/hosts.h"

int main() {
  namespace lab = ::reflector::testing::lab;
  namespace builder = ::reflector::packet::testing;
  using ::reflector::packet::FormatMac;
  std::printf("tester_mac=%s\n", FormatMac(builder::kTesterMac).c_str());
  std::printf("reflector_mac=%s\n", FormatMac(builder::kReflectorMac).c_str());
  std::printf("tester_ipv4=%s\n", lab::Ipv4Text(builder::kTesterIpv4).c_str());
  std::printf("reflector_ipv4=%s\n", lab::Ipv4Text(builder::kReflectorIpv4).c_str());
  std::printf("tester_ipv6=%s\n", lab::Ipv6Text(builder::kTesterIpv6).c_str());
  std::printf("reflector_ipv6=%s\n", lab::Ipv6Text(builder::kReflectorIpv6).c_str());
  std::printf("ipv4_prefix=%d\n", lab::kIpv4PrefixLength);
  std::printf("ipv6_prefix=%d\n", lab::kIpv6PrefixLength);
  return 0;
}
