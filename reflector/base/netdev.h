// Facts about a network interface that every data path needs: index, MAC, RX queue count.
#ifndef REFLECTOR_BASE_NETDEV_H_
#define REFLECTOR_BASE_NETDEV_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace reflector::base {

struct NetDevice {
  std::string name;
  int ifindex = 0;
  std::array<uint8_t, 6> mac = {};
  int rx_queues = 1;  // combined + RX-only channels, at least 1
  int mtu = 1500;
  bool up = false;

  // False for a port that no kernel interface stands for (a DPDK port on a NIC bound to
  // vfio-pci): then ifindex is 0 and `name` is the port's (DPDK's ethdev name).
  bool in_kernel() const { return ifindex != 0; }
};

// Looks the interface up in the current network namespace. An unknown name is a NotFound
// error that lists the interfaces that do exist.
absl::StatusOr<NetDevice> LookupNetDevice(absl::string_view name);

// Names of the interfaces in the current network namespace, in index order.
std::vector<std::string> ListNetDevices();

}  // namespace reflector::base

#endif  // REFLECTOR_BASE_NETDEV_H_
