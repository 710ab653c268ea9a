// One DPDK ethdev port, started with one RX/TX queue pair per worker and one mbuf pool they
// share; stopped, closed and freed by the destructor. Needs a live Eal. FindPort says which
// port a user means before anything is configured: the daemon needs its MAC first.
#ifndef REFLECTOR_PLATFORM_DPDK_DPDK_PORT_H_
#define REFLECTOR_PLATFORM_DPDK_DPDK_PORT_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

struct rte_mempool;

namespace reflector::platform::dpdk {

// What the port lost that no queue counted: rte_eth_stats imissed (the device had no RX
// descriptor free) and oerrors (it failed to send).
struct PortDrops {
  uint64_t rx_missed = 0;
  uint64_t tx_errors = 0;
};

// What the EAL knows of a port before it is configured.
struct PortInfo {
  uint16_t id = 0;
  std::string name;    // the ethdev name: "0000:03:00.0", "net_pcap0", "net_af_packet0"
  std::string driver;  // "net_ixgbe", "net_pcap"
  std::array<uint8_t, 6> mac = {};
  // The kernel interface the port sits on (net_af_packet, net_af_xdp, net_tap), 0 when the
  // kernel has none for it (a NIC bound to vfio-pci, net_pcap, net_ring).
  int if_index = 0;
  int max_queue_pairs = 1;
  int mtu = 1500;
};

// The port `name` means: the port of that ethdev name, else the port on the kernel interface
// of that name. NotFound lists the ports the EAL has.
absl::StatusOr<PortInfo> FindPort(absl::string_view name);

class DpdkPort {
 public:
  // Configures and starts `info`'s port with `queues` RX/TX queue pairs.
  static absl::StatusOr<std::unique_ptr<DpdkPort>> Open(const PortInfo& info, int queues);
  ~DpdkPort();
  DpdkPort(const DpdkPort&) = delete;
  DpdkPort& operator=(const DpdkPort&) = delete;

  uint16_t id() const { return id_; }
  int queues() const { return queues_; }
  const std::string& name() const { return name_; }
  const std::string& driver() const { return driver_; }
  const std::array<uint8_t, 6>& mac() const { return mac_; }
  // The driver sits on a kernel interface through a packet socket (net_af_packet): the socket
  // also sees what the host itself sends there.
  bool on_packet_socket() const { return driver_ == "net_af_packet"; }
  // Outside the hot path: rte_eth_stats_get.
  PortDrops drops() const;

 private:
  DpdkPort() = default;

  uint16_t id_ = 0;
  int queues_ = 0;
  std::string name_;
  std::string driver_;
  std::array<uint8_t, 6> mac_ = {};
  bool configured_ = false;
  bool started_ = false;
  rte_mempool* pool_ = nullptr;
};

}  // namespace reflector::platform::dpdk

#endif  // REFLECTOR_PLATFORM_DPDK_DPDK_PORT_H_
