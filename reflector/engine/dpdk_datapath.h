// The dpdk data path (issue 18): DPDK's EAL started with --dpdk_eal_args, one port, one RX/TX
// queue pair and one engine worker per queue, running the same classifier and loop guard as
// afxdp and afpacket. --interface names a DPDK port (its ethdev name: a PCI address such as
// 0000:03:00.0 for a NIC bound to vfio-pci, net_pcap0 for a vdev) or the kernel interface a
// vdev sits on. On a vdev over a kernel interface (net_af_packet) the kernel still sees every
// frame, so the afpacket data path's tc ingress filter keeps the host stack quiet; a port the
// kernel does not own needs no such thing.
// Only built where DPDK is (reflector/datapaths.cc).
#ifndef REFLECTOR_ENGINE_DPDK_DATAPATH_H_
#define REFLECTOR_ENGINE_DPDK_DATAPATH_H_

#include <memory>

#include "absl/status/statusor.h"
#include "reflector/engine/datapath.h"

namespace reflector::engine {

// Starts the EAL with settings.dpdk_eal_args and finds the port `interface` names; the
// device's MAC is the port's (rte_eth_macaddr_get), its ifindex 0 when no kernel interface
// stands for it. The EAL lives in the result's runtime.
absl::StatusOr<ResolvedDevice> ResolveDpdkDevice(absl::string_view interface,
                                                 const DataPathSettings& settings);

absl::StatusOr<std::unique_ptr<DataPath>> OpenDpdkDataPath(const DataPathRequest& request);

}  // namespace reflector::engine

#endif  // REFLECTOR_ENGINE_DPDK_DATAPATH_H_
