#include "testing/lab/packet_socket.h"

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"

namespace reflector::testing::lab {
namespace {

constexpr size_t kMaxFrame = 65536;
constexpr size_t kMacBytes = 12;  // where a tag goes: after dst and src MAC

}  // namespace

absl::StatusOr<PacketSocket> PacketSocket::Open(absl::string_view interface) {
  const std::string name(interface);
  const int ifindex = static_cast<int>(if_nametoindex(name.c_str()));
  if (ifindex == 0) return absl::NotFoundError(absl::StrCat(interface, ": no such interface"));
  // Protocol 0 until bound: otherwise frames of every interface queue up before bind().
  UniqueFd fd(socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return absl::ErrnoToStatus(errno, "AF_PACKET socket");
  const int on = 1;
  if (setsockopt(fd.get(), SOL_PACKET, PACKET_AUXDATA, &on, sizeof(on)) != 0 ||
      setsockopt(fd.get(), SOL_PACKET, PACKET_IGNORE_OUTGOING, &on, sizeof(on)) != 0) {
    return absl::ErrnoToStatus(errno, "AF_PACKET socket options");
  }
  sockaddr_ll address = {};
  address.sll_family = AF_PACKET;
  address.sll_protocol = htons(ETH_P_ALL);
  address.sll_ifindex = ifindex;
  if (bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat("bind AF_PACKET to ", interface));
  }
  return PacketSocket(std::move(fd), ifindex);
}

absl::Status PacketSocket::Send(absl::Span<const uint8_t> frame) {
  sockaddr_ll address = {};
  address.sll_family = AF_PACKET;
  address.sll_ifindex = ifindex_;
  address.sll_halen = ETH_ALEN;
  const ssize_t sent = sendto(fd_.get(), frame.data(), frame.size(), 0,
                              reinterpret_cast<const sockaddr*>(&address), sizeof(address));
  if (sent != static_cast<ssize_t>(frame.size())) {
    return absl::ErrnoToStatus(errno, absl::StrCat("send a ", frame.size(), "-byte frame"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<std::vector<uint8_t>>> PacketSocket::Receive(absl::Time deadline) {
  std::vector<uint8_t> frame(kMaxFrame);
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(tpacket_auxdata))];
  while (true) {
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) return std::nullopt;
    pollfd readable = {.fd = fd_.get(), .events = POLLIN, .revents = 0};
    const int ready = poll(&readable, 1, static_cast<int>(absl::ToInt64Milliseconds(left)) + 1);
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) return absl::ErrnoToStatus(errno, "poll AF_PACKET");
    if (ready == 0) continue;

    iovec data = {.iov_base = frame.data(), .iov_len = frame.size()};
    msghdr message = {};
    message.msg_iov = &data;
    message.msg_iovlen = 1;
    message.msg_control = control;
    message.msg_controllen = sizeof(control);
    const ssize_t length = recvmsg(fd_.get(), &message, MSG_DONTWAIT);
    if (length < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (length < 0) return absl::ErrnoToStatus(errno, "recvmsg AF_PACKET");
    frame.resize(static_cast<size_t>(length));

    for (cmsghdr* c = CMSG_FIRSTHDR(&message); c != nullptr; c = CMSG_NXTHDR(&message, c)) {
      if (c->cmsg_level != SOL_PACKET || c->cmsg_type != PACKET_AUXDATA) continue;
      tpacket_auxdata aux;
      std::memcpy(&aux, CMSG_DATA(c), sizeof(aux));
      if (!(aux.tp_status & TP_STATUS_VLAN_VALID) || frame.size() < kMacBytes) continue;
      const uint16_t tpid =
          (aux.tp_status & TP_STATUS_VLAN_TPID_VALID) ? aux.tp_vlan_tpid : ETH_P_8021Q;
      const uint8_t tag[4] = {static_cast<uint8_t>(tpid >> 8), static_cast<uint8_t>(tpid),
                              static_cast<uint8_t>(aux.tp_vlan_tci >> 8),
                              static_cast<uint8_t>(aux.tp_vlan_tci)};
      frame.insert(frame.begin() + kMacBytes, std::begin(tag), std::end(tag));
    }
    return frame;
  }
}

}  // namespace reflector::testing::lab
