// The xdp data path: the kernel program classifies and reflects in the driver (XDP_TX);
// frames never reach userspace. This side attaches, reconfigures and reads the counters.
#ifndef REFLECTOR_ENGINE_XDP_DATAPATH_H_
#define REFLECTOR_ENGINE_XDP_DATAPATH_H_

#include <memory>

#include "absl/status/statusor.h"
#include "reflector/engine/datapath.h"

namespace reflector::engine {

absl::StatusOr<std::unique_ptr<DataPath>> OpenXdpDataPath(const DataPathRequest& request);

}  // namespace reflector::engine

#endif  // REFLECTOR_ENGINE_XDP_DATAPATH_H_
