// The afpacket data path: packet sockets (TPACKET_V2 or V3 RX rings), one per worker, joined in a PACKET_FANOUT group;
// a tc ingress filter keeps the host stack from answering the test frames.
#ifndef REFLECTOR_ENGINE_AFPACKET_DATAPATH_H_
#define REFLECTOR_ENGINE_AFPACKET_DATAPATH_H_

#include <memory>

#include "absl/status/statusor.h"
#include "reflector/engine/datapath.h"

namespace reflector::engine {

absl::StatusOr<std::unique_ptr<DataPath>> OpenAfPacketDataPath(const DataPathRequest& request);

}  // namespace reflector::engine

#endif  // REFLECTOR_ENGINE_AFPACKET_DATAPATH_H_
