#include "reflector/datapaths.h"

#include "reflector/engine/afpacket_datapath.h"
#include "reflector/engine/afxdp_datapath.h"
#include "reflector/engine/xdp_datapath.h"
#ifdef REFLECTOR_WITH_DPDK
#include "reflector/engine/dpdk_datapath.h"
#endif

namespace reflector {

std::vector<engine::DataPathCandidate> DataPaths() {
  return {
      {engine::DataPathKind::kXdp, engine::OpenXdpDataPath},
      {engine::DataPathKind::kAfXdp, engine::OpenAfXdpDataPath},
      {engine::DataPathKind::kAfPacket, engine::OpenAfPacketDataPath},
#ifdef REFLECTOR_WITH_DPDK
      {engine::DataPathKind::kDpdk, engine::OpenDpdkDataPath, engine::ResolveDpdkDevice},
#endif
  };
}

}  // namespace reflector
