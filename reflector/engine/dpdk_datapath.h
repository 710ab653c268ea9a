// The dpdk data path (issue 18): DPDK's EAL started with --dpdk_eal_args, one port, one RX/TX
// queue pair and one engine worker per queue, running the same classifier and loop guard as
// afxdp and afpacket. On a vdev over a kernel interface (net_af_packet) the kernel still sees
// every frame, so the afpacket data path's tc ingress filter keeps the host stack quiet.
// Only built where DPDK is (reflector/datapaths.cc).
#ifndef REFLECTOR_ENGINE_DPDK_DATAPATH_H_
#define REFLECTOR_ENGINE_DPDK_DATAPATH_H_

#include <memory>

#include "absl/status/statusor.h"
#include "reflector/engine/datapath.h"

namespace reflector::engine {

absl::StatusOr<std::unique_ptr<DataPath>> OpenDpdkDataPath(const DataPathRequest& request);

}  // namespace reflector::engine

#endif  // REFLECTOR_ENGINE_DPDK_DATAPATH_H_
