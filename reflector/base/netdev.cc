#include "reflector/base/netdev.h"

#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace reflector::base {
namespace {

// An ioctl socket, closed on scope exit.
class IoctlSocket {
 public:
  IoctlSocket() : fd_(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) {}
  ~IoctlSocket() {
    if (fd_ >= 0) close(fd_);
  }
  int fd() const { return fd_; }

 private:
  int fd_;
};

int CountRxQueues(int fd, const std::string& name) {
  ethtool_channels channels = {};
  channels.cmd = ETHTOOL_GCHANNELS;
  ifreq request = {};
  std::strncpy(request.ifr_name, name.c_str(), IFNAMSIZ - 1);
  request.ifr_data = reinterpret_cast<char*>(&channels);
  if (ioctl(fd, SIOCETHTOOL, &request) != 0) return 1;  // no channel API: one queue
  const int queues = static_cast<int>(channels.combined_count + channels.rx_count);
  return queues > 0 ? queues : 1;
}

}  // namespace

std::vector<std::string> ListNetDevices() {
  std::vector<std::string> names;
  struct if_nameindex* list = if_nameindex();
  if (list == nullptr) return names;
  for (struct if_nameindex* entry = list; entry->if_index != 0; ++entry)
    names.push_back(entry->if_name);
  if_freenameindex(list);
  return names;
}

absl::StatusOr<NetDevice> LookupNetDevice(absl::string_view name) {
  if (name.empty() || name.size() >= IFNAMSIZ) {
    return absl::InvalidArgumentError(
        absl::StrFormat("invalid interface name \"%s\"; interfaces: %s", name,
                        absl::StrJoin(ListNetDevices(), ", ")));
  }
  NetDevice device;
  device.name = std::string(name);
  device.ifindex = static_cast<int>(if_nametoindex(device.name.c_str()));
  if (device.ifindex == 0) {
    return absl::NotFoundError(absl::StrFormat("%s: no such interface; interfaces: %s", name,
                                               absl::StrJoin(ListNetDevices(), ", ")));
  }
  IoctlSocket sock;
  if (sock.fd() < 0) {
    return absl::InternalError(absl::StrFormat("socket: %s", std::strerror(errno)));
  }
  ifreq request = {};
  std::strncpy(request.ifr_name, device.name.c_str(), IFNAMSIZ - 1);
  if (ioctl(sock.fd(), SIOCGIFHWADDR, &request) != 0) {
    return absl::InternalError(
        absl::StrFormat("%s: cannot read the MAC address: %s", name, std::strerror(errno)));
  }
  std::memcpy(device.mac.data(), request.ifr_hwaddr.sa_data, device.mac.size());
  if (ioctl(sock.fd(), SIOCGIFFLAGS, &request) == 0) device.up = request.ifr_flags & IFF_UP;
  if (ioctl(sock.fd(), SIOCGIFMTU, &request) == 0) device.mtu = request.ifr_mtu;
  device.rx_queues = CountRxQueues(sock.fd(), device.name);
  return device;
}

}  // namespace reflector::base
