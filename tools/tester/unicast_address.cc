#include "tools/tester/unicast_address.h"

#include <linux/if_packet.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace reflector::tester {

absl::StatusOr<ExtraUnicastAddress> ExtraUnicastAddress::Add(int ifindex,
                                                             const packet::MacAddress& mac) {
  // Protocol 0: the socket receives nothing; it only holds the membership.
  UniqueFd fd(socket(AF_PACKET, SOCK_RAW, 0));
  if (!fd.valid()) {
    return absl::ErrnoToStatus(errno, "open an AF_PACKET socket (needs CAP_NET_RAW)");
  }
  packet_mreq request = {};
  request.mr_ifindex = ifindex;
  request.mr_type = PACKET_MR_UNICAST;
  request.mr_alen = static_cast<unsigned short>(mac.size());
  std::memcpy(request.mr_address, mac.data(), mac.size());
  if (setsockopt(fd.get(), SOL_PACKET, PACKET_ADD_MEMBERSHIP, &request, sizeof(request)) != 0) {
    return absl::ErrnoToStatus(
        errno, absl::StrCat("have the interface receive frames for ", packet::FormatMac(mac)));
  }
  return ExtraUnicastAddress(std::move(fd));
}

}  // namespace reflector::tester
