#include "platform/vlan_offload.h"

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

namespace reflector::platform {
namespace {

// The legacy flags ioctl is enough: ETH_FLAG_RXVLAN maps to the rx-vlan-offload feature
// (NETIF_F_HW_VLAN_CTAG_RX) without looking feature names up by string.
int FlagsIoctl(const std::string& interface, uint32_t cmd, uint32_t* flags) {
  const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return errno;
  ethtool_value value = {};
  value.cmd = cmd;
  value.data = *flags;
  ifreq request = {};
  std::strncpy(request.ifr_name, interface.c_str(), IFNAMSIZ - 1);
  request.ifr_data = reinterpret_cast<char*>(&value);
  const int err = ioctl(fd, SIOCETHTOOL, &request) == 0 ? 0 : errno;
  close(fd);
  *flags = value.data;
  return err;
}

}  // namespace

absl::StatusOr<std::unique_ptr<RxVlanOffloadOff>> RxVlanOffloadOff::Apply(
    const std::string& interface) {
  uint32_t flags = 0;
  if (const int err = FlagsIoctl(interface, ETHTOOL_GFLAGS, &flags); err != 0) {
    if (err == EOPNOTSUPP) {
      return std::unique_ptr<RxVlanOffloadOff>(new RxVlanOffloadOff(interface, false, ""));
    }
    return absl::InternalError(
        absl::StrFormat("%s: cannot read the offload flags: %s", interface, std::strerror(err)));
  }
  if (!(flags & ETH_FLAG_RXVLAN)) {
    return std::unique_ptr<RxVlanOffloadOff>(new RxVlanOffloadOff(interface, false, ""));
  }
  uint32_t wanted = flags & ~ETH_FLAG_RXVLAN;
  if (const int err = FlagsIoctl(interface, ETHTOOL_SFLAGS, &wanted); err != 0) {
    return std::unique_ptr<RxVlanOffloadOff>(new RxVlanOffloadOff(
        interface, false,
        absl::StrFormat("rx-vlan-offload stays on (%s): the NIC may strip tags before XDP, and "
                        "tagged test frames would then leave untagged",
                        std::strerror(err))));
  }
  return std::unique_ptr<RxVlanOffloadOff>(new RxVlanOffloadOff(
      interface, true, "rx-vlan-offload turned off while running, so XDP sees VLAN tags"));
}

RxVlanOffloadOff::~RxVlanOffloadOff() {
  if (!changed_) return;
  uint32_t flags = 0;
  if (FlagsIoctl(interface_, ETHTOOL_GFLAGS, &flags) != 0) return;  // interface gone
  flags |= ETH_FLAG_RXVLAN;
  FlagsIoctl(interface_, ETHTOOL_SFLAGS, &flags);
}

}  // namespace reflector::platform
