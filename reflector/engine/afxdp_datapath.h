// The afxdp data path: the kernel program redirects test frames to one AF_XDP socket per RX
// queue; userspace workers re-classify, reflect and transmit them from the same UMEM frame.
#ifndef REFLECTOR_ENGINE_AFXDP_DATAPATH_H_
#define REFLECTOR_ENGINE_AFXDP_DATAPATH_H_

#include <memory>

#include "absl/status/statusor.h"
#include "reflector/engine/datapath.h"

namespace reflector::engine {

absl::StatusOr<std::unique_ptr<DataPath>> OpenAfXdpDataPath(const DataPathRequest& request);

}  // namespace reflector::engine

#endif  // REFLECTOR_ENGINE_AFXDP_DATAPATH_H_
