#include "tools/tester/addresses.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "reflector/base/unique_fd.h"
#include "tools/tester/clock.h"

namespace reflector::tester {
namespace {

// Sends one empty UDP datagram to ip:9 (discard) out of `interface`: the kernel resolves the
// neighbor first. Whether the datagram itself arrives does not matter.
void TriggerResolution(absl::string_view interface, const IpAddress& ip) {
  UniqueFd fd(socket(ip.ipv6 ? AF_INET6 : AF_INET, SOCK_DGRAM, 0));
  if (!fd.valid()) return;
  const std::string name(interface);
  setsockopt(fd.get(), SOL_SOCKET, SO_BINDTODEVICE, name.c_str(), name.size());
  if (ip.ipv6) {
    sockaddr_in6 to = {};
    to.sin6_family = AF_INET6;
    to.sin6_port = htons(9);
    std::memcpy(&to.sin6_addr, ip.v6.data(), 16);
    sendto(fd.get(), "", 0, MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&to), sizeof(to));
  } else {
    sockaddr_in to = {};
    to.sin_family = AF_INET;
    to.sin_port = htons(9);
    std::memcpy(&to.sin_addr, ip.v4.data(), 4);
    sendto(fd.get(), "", 0, MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&to), sizeof(to));
  }
}

// One dump of the neighbor table; the entry for ip on ifindex if it has a MAC.
absl::StatusOr<std::optional<packet::MacAddress>> LookupNeighbor(int ifindex,
                                                                 const IpAddress& ip) {
  UniqueFd fd(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
  if (!fd.valid()) return absl::ErrnoToStatus(errno, "open rtnetlink");
  struct {
    nlmsghdr header;
    ndmsg message;
  } request = {};
  request.header.nlmsg_len = sizeof(request);
  request.header.nlmsg_type = RTM_GETNEIGH;
  request.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  request.message.ndm_family = ip.ipv6 ? AF_INET6 : AF_INET;
  if (send(fd.get(), &request, sizeof(request), 0) < 0) {
    return absl::ErrnoToStatus(errno, "ask rtnetlink for the neighbor table");
  }
  const size_t address_length = ip.ipv6 ? 16 : 4;
  const uint8_t* wanted = ip.ipv6 ? ip.v6.data() : ip.v4.data();
  std::optional<packet::MacAddress> found;
  alignas(nlmsghdr) char buffer[32768];
  for (;;) {
    const ssize_t n = recv(fd.get(), buffer, sizeof(buffer), 0);
    if (n < 0) return absl::ErrnoToStatus(errno, "read the neighbor table");
    int length = static_cast<int>(n);
    for (auto* h = reinterpret_cast<nlmsghdr*>(buffer); NLMSG_OK(h, length);
         h = NLMSG_NEXT(h, length)) {
      if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR) return found;
      if (h->nlmsg_type != RTM_NEWNEIGH) continue;
      const auto* message = static_cast<const ndmsg*>(NLMSG_DATA(h));
      if (message->ndm_ifindex != ifindex ||
          (message->ndm_state & (NUD_INCOMPLETE | NUD_FAILED | NUD_NOARP)) != 0) {
        continue;
      }
      const uint8_t* destination = nullptr;
      const uint8_t* mac = nullptr;
      int attributes_length = static_cast<int>(RTM_PAYLOAD(h));
      for (auto* a = reinterpret_cast<rtattr*>(RTM_RTA(message)); RTA_OK(a, attributes_length);
           a = RTA_NEXT(a, attributes_length)) {
        if (a->rta_type == NDA_DST && RTA_PAYLOAD(a) == address_length) {
          destination = static_cast<const uint8_t*>(RTA_DATA(a));
        } else if (a->rta_type == NDA_LLADDR && RTA_PAYLOAD(a) == 6) {
          mac = static_cast<const uint8_t*>(RTA_DATA(a));
        }
      }
      if (destination != nullptr && mac != nullptr &&
          std::memcmp(destination, wanted, address_length) == 0) {
        found.emplace();
        std::memcpy(found->data(), mac, 6);
      }
    }
  }
}

}  // namespace

absl::StatusOr<IpAddress> ParseIp(absl::string_view text) {
  const std::string s(text);
  IpAddress ip;
  if (inet_pton(AF_INET, s.c_str(), ip.v4.data()) == 1) return ip;
  ip.ipv6 = true;
  if (inet_pton(AF_INET6, s.c_str(), ip.v6.data()) == 1) return ip;
  return absl::InvalidArgumentError(
      absl::StrCat("\"", text, "\" is not an IPv4 or IPv6 address"));
}

std::string FormatIp(const IpAddress& ip) {
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(ip.ipv6 ? AF_INET6 : AF_INET, ip.ipv6 ? ip.v6.data() : ip.v4.data(), text,
            sizeof(text));
  return text;
}

absl::StatusOr<IpAddress> FirstAddress(absl::string_view interface, bool ipv6) {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return absl::ErrnoToStatus(errno, "list interface addresses");
  std::optional<IpAddress> global;
  std::optional<IpAddress> link_local;
  for (const ifaddrs* a = list; a != nullptr; a = a->ifa_next) {
    if (a->ifa_addr == nullptr || interface != a->ifa_name) continue;
    IpAddress ip;
    if (!ipv6 && a->ifa_addr->sa_family == AF_INET) {
      std::memcpy(ip.v4.data(), &reinterpret_cast<const sockaddr_in*>(a->ifa_addr)->sin_addr, 4);
      if (!global) global = ip;
    } else if (ipv6 && a->ifa_addr->sa_family == AF_INET6) {
      ip.ipv6 = true;
      std::memcpy(ip.v6.data(), &reinterpret_cast<const sockaddr_in6*>(a->ifa_addr)->sin6_addr,
                  16);
      const bool is_link_local = ip.v6[0] == 0xfe && (ip.v6[1] & 0xc0) == 0x80;
      if (is_link_local) {
        if (!link_local) link_local = ip;
      } else if (!global) {
        global = ip;
      }
    }
  }
  freeifaddrs(list);
  if (global) return *global;
  if (link_local) return *link_local;
  return absl::InvalidArgumentError(absl::StrCat(interface, " has no ", ipv6 ? "IPv6" : "IPv4",
                                                 " address: pass --src_ip"));
}

absl::StatusOr<packet::MacAddress> ResolveMac(int ifindex, absl::string_view interface,
                                              const IpAddress& ip) {
  const uint64_t deadline = MonotonicNs() + 1000000000ull;
  TriggerResolution(interface, ip);
  for (;;) {
    absl::StatusOr<std::optional<packet::MacAddress>> mac = LookupNeighbor(ifindex, ip);
    if (!mac.ok()) return mac.status();
    if (mac->has_value()) return **mac;
    if (MonotonicNs() > deadline) break;
    usleep(20000);
  }
  return absl::InvalidArgumentError(absl::StrCat("no ARP/neighbor entry for ", FormatIp(ip),
                                                 " on ", interface,
                                                 " after 1 s: pass --dst_mac"));
}

}  // namespace reflector::tester
