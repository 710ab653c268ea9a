#include "testing/lab/hosts.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include "absl/strings/str_cat.h"

namespace reflector::testing::lab {

std::string Ipv4Text(const packet::testing::Ipv4Address& address) {
  char text[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, address.data(), text, sizeof(text));
  return text;
}

std::string Ipv6Text(const packet::testing::Ipv6Address& address) {
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(AF_INET6, address.data(), text, sizeof(text));
  return text;
}

std::string Ipv4Cidr(const packet::testing::Ipv4Address& address) {
  return absl::StrCat(Ipv4Text(address), "/", kIpv4PrefixLength);
}

std::string Ipv6Cidr(const packet::testing::Ipv6Address& address) {
  return absl::StrCat(Ipv6Text(address), "/", kIpv6PrefixLength);
}

}  // namespace reflector::testing::lab
