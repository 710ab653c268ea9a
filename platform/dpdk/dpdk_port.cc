#include "platform/dpdk/dpdk_port.h"

#include <net/if.h>

#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "platform/frame_io.h"

namespace reflector::platform::dpdk {
namespace {

constexpr uint16_t kRxDescriptors = 1024;
constexpr uint16_t kTxDescriptors = 1024;
constexpr unsigned kPoolCache = 256;

std::string PortName(uint16_t id) {
  char name[RTE_ETH_NAME_MAX_LEN] = {};
  if (rte_eth_dev_get_name_by_port(id, name) != 0) return absl::StrCat("port ", id);
  return name;
}

std::string DpdkError(int error) { return std::strerror(error < 0 ? -error : error); }

// "net_pcap0 (net_pcap), net_af_packet0 (net_af_packet on eth1)".
std::string DescribePorts() {
  std::vector<std::string> ports;
  uint16_t id;
  RTE_ETH_FOREACH_DEV(id) {
    rte_eth_dev_info info;
    std::string line = PortName(id);
    if (rte_eth_dev_info_get(id, &info) == 0) {
      char interface[IF_NAMESIZE] = {};
      const bool on_interface =
          info.if_index != 0 && if_indextoname(info.if_index, interface) != nullptr;
      absl::StrAppend(&line, " (", info.driver_name != nullptr ? info.driver_name : "?",
                      on_interface ? absl::StrCat(" on ", interface) : "", ")");
    }
    ports.push_back(line);
  }
  return absl::StrJoin(ports, ", ");
}

absl::StatusOr<uint16_t> FindPortId(absl::string_view name) {
  const std::string text(name);
  uint16_t id;
  if (rte_eth_dev_get_port_by_name(text.c_str(), &id) == 0) return id;
  const unsigned if_index = if_nametoindex(text.c_str());
  if (if_index != 0) {
    RTE_ETH_FOREACH_DEV(id) {
      rte_eth_dev_info info;
      if (rte_eth_dev_info_get(id, &info) == 0 && info.if_index == if_index) return id;
    }
  }
  if (rte_eth_dev_count_avail() == 0) {
    return absl::NotFoundError(absl::StrCat(
        "the EAL found no port for --interface=", name,
        ": name one in --dpdk_eal_args (-a 0000:03:00.0, or --vdev=net_af_packet0,iface=",
        name, ")"));
  }
  return absl::NotFoundError(absl::StrCat("--interface=", name,
                                          ": no DPDK port of that name or on that interface; "
                                          "ports: ",
                                          DescribePorts()));
}

}  // namespace

absl::StatusOr<PortInfo> FindPort(absl::string_view name) {
  absl::StatusOr<uint16_t> id = FindPortId(name);
  if (!id.ok()) return id.status();
  PortInfo port;
  port.id = *id;
  port.name = PortName(*id);
  rte_eth_dev_info info;
  if (int error = rte_eth_dev_info_get(port.id, &info); error != 0) {
    return absl::InternalError(
        absl::StrCat("DPDK port ", port.name, ": rte_eth_dev_info_get: ", DpdkError(error)));
  }
  port.driver = info.driver_name != nullptr ? info.driver_name : "?";
  port.if_index = static_cast<int>(info.if_index);
  port.max_queue_pairs = std::max(1, static_cast<int>(std::min(info.max_rx_queues,
                                                               info.max_tx_queues)));
  rte_ether_addr mac;
  if (int error = rte_eth_macaddr_get(port.id, &mac); error != 0) {
    return absl::InternalError(
        absl::StrCat("DPDK port ", port.name, ": rte_eth_macaddr_get: ", DpdkError(error)));
  }
  std::copy(mac.addr_bytes, mac.addr_bytes + 6, port.mac.begin());
  uint16_t mtu = 0;
  if (rte_eth_dev_get_mtu(port.id, &mtu) == 0 && mtu != 0) port.mtu = mtu;
  return port;
}

absl::StatusOr<std::unique_ptr<DpdkPort>> DpdkPort::Open(const PortInfo& found, int queues) {
  auto port = std::unique_ptr<DpdkPort>(new DpdkPort());
  port->id_ = found.id;
  port->queues_ = queues;
  port->name_ = found.name;
  port->driver_ = found.driver;
  port->mac_ = found.mac;
  const auto fail = [&](absl::string_view what, int error) {
    return absl::InternalError(
        absl::StrCat("DPDK port ", port->name_, ": ", what, ": ", DpdkError(error)));
  };
  rte_eth_dev_info info;
  if (int error = rte_eth_dev_info_get(port->id_, &info); error != 0) {
    return fail("rte_eth_dev_info_get", error);
  }
  if (queues > found.max_queue_pairs) {
    return absl::InvalidArgumentError(absl::StrCat(
        "DPDK port ", port->name_, " has ", info.max_rx_queues, " RX and ", info.max_tx_queues,
        " TX queues, ", queues, " workers need as many: give --queues=", found.max_queue_pairs,
        " (or more queue pairs to the device, qpairs= for net_af_packet)"));
  }

  const int socket = rte_eth_dev_socket_id(port->id_);
  // Every descriptor of every queue may hold an mbuf, plus a batch in each worker's hands and
  // what the per-lcore caches keep.
  const unsigned mbufs =
      queues * (kRxDescriptors + kTxDescriptors + kBatchSize + kPoolCache) + 1024;
  const std::string pool_name = absl::StrCat("reflector_", port->id_);
  port->pool_ = rte_pktmbuf_pool_create(pool_name.c_str(), mbufs, kPoolCache, 0,
                                        RTE_MBUF_DEFAULT_BUF_SIZE,
                                        socket < 0 ? static_cast<int>(SOCKET_ID_ANY) : socket);
  if (port->pool_ == nullptr) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "DPDK port ", port->name_, ": no memory for ", mbufs, " mbufs (",
        DpdkError(rte_errno), "): give the EAL more (-m, or hugepages)"));
  }

  rte_eth_conf conf = {};
  if (queues > 1) {
    conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
    conf.rx_adv_conf.rss_conf.rss_hf =
        (RTE_ETH_RSS_IP | RTE_ETH_RSS_UDP) & info.flow_type_rss_offloads;
  }
  if (int error = rte_eth_dev_configure(port->id_, queues, queues, &conf); error != 0) {
    return fail("rte_eth_dev_configure", error);
  }
  port->configured_ = true;
  uint16_t rx_descriptors = kRxDescriptors;
  uint16_t tx_descriptors = kTxDescriptors;
  if (int error = rte_eth_dev_adjust_nb_rx_tx_desc(port->id_, &rx_descriptors, &tx_descriptors);
      error != 0) {
    return fail("rte_eth_dev_adjust_nb_rx_tx_desc", error);
  }
  for (int queue = 0; queue < queues; ++queue) {
    if (int error = rte_eth_rx_queue_setup(port->id_, queue, rx_descriptors, socket, nullptr,
                                           port->pool_);
        error != 0) {
      return fail(absl::StrCat("RX queue ", queue), error);
    }
    if (int error = rte_eth_tx_queue_setup(port->id_, queue, tx_descriptors, socket, nullptr);
        error != 0) {
      return fail(absl::StrCat("TX queue ", queue), error);
    }
  }
  if (int error = rte_eth_dev_start(port->id_); error != 0) {
    return fail("rte_eth_dev_start", error);
  }
  port->started_ = true;
  rte_eth_stats_reset(port->id_);
  return port;
}

DpdkPort::~DpdkPort() {
  if (started_) rte_eth_dev_stop(id_);
  if (configured_) rte_eth_dev_close(id_);
  if (pool_ != nullptr) rte_mempool_free(pool_);
}

PortDrops DpdkPort::drops() const {
  rte_eth_stats stats = {};
  if (rte_eth_stats_get(id_, &stats) != 0) return {};
  return {stats.imissed, stats.oerrors};
}

}  // namespace reflector::platform::dpdk
