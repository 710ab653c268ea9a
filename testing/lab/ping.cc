#include "testing/lab/ping.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "reflector/base/unique_fd.h"

namespace reflector::testing::lab {
namespace {

uint16_t InternetChecksum(const uint8_t* data, size_t length) {
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < length; i += 2) sum += (data[i] << 8) | data[i + 1];
  if (length % 2) sum += data[length - 1] << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

}  // namespace

absl::Status PingIpv4(absl::string_view destination, absl::Duration timeout) {
  sockaddr_in to = {};
  to.sin_family = AF_INET;
  if (inet_pton(AF_INET, std::string(destination).c_str(), &to.sin_addr) != 1) {
    return absl::InvalidArgumentError(absl::StrCat(destination, ": not an IPv4 address"));
  }
  UniqueFd fd(socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP));
  if (!fd.valid()) return absl::ErrnoToStatus(errno, "raw ICMP socket");

  const uint16_t id = static_cast<uint16_t>(getpid());
  const absl::Time deadline = absl::Now() + timeout;
  for (uint16_t sequence = 1; absl::Now() < deadline; ++sequence) {
    uint8_t request[16] = {ICMP_ECHO, 0, 0, 0, static_cast<uint8_t>(id >> 8),
                           static_cast<uint8_t>(id), static_cast<uint8_t>(sequence >> 8),
                           static_cast<uint8_t>(sequence), 'r', 'f', 'x', 'd', 'p', 0, 0, 0};
    const uint16_t checksum = InternetChecksum(request, sizeof(request));
    request[2] = static_cast<uint8_t>(checksum >> 8);
    request[3] = static_cast<uint8_t>(checksum);
    if (sendto(fd.get(), request, sizeof(request), 0, reinterpret_cast<const sockaddr*>(&to),
               sizeof(to)) < 0) {
      return absl::ErrnoToStatus(errno, absl::StrCat("send ICMP echo to ", destination));
    }
    const absl::Time retry = std::min(deadline, absl::Now() + absl::Milliseconds(100));
    while (absl::Now() < retry) {
      pollfd readable = {.fd = fd.get(), .events = POLLIN, .revents = 0};
      const int wait_ms = static_cast<int>(absl::ToInt64Milliseconds(retry - absl::Now())) + 1;
      if (poll(&readable, 1, wait_ms) <= 0) continue;
      uint8_t reply[1500];
      const ssize_t length = recv(fd.get(), reply, sizeof(reply), MSG_DONTWAIT);
      if (length < 20) continue;
      const size_t icmp = (reply[0] & 0x0f) * 4u;  // a raw socket hands us the IP header
      if (static_cast<size_t>(length) < icmp + 8) continue;
      if (reply[icmp] == ICMP_ECHOREPLY && reply[icmp + 4] == (id >> 8) &&
          reply[icmp + 5] == (id & 0xff)) {
        return absl::OkStatus();
      }
    }
  }
  return absl::DeadlineExceededError(
      absl::StrCat("no ICMP echo reply from ", destination, " within ", absl::FormatDuration(timeout)));
}

}  // namespace reflector::testing::lab
