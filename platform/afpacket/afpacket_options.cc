#include "platform/afpacket/afpacket_options.h"

namespace reflector::platform::afpacket {

absl::string_view RxRingKindName(RxRingKind kind) {
  switch (kind) {
    case RxRingKind::kFrames:
      return "frames";
    case RxRingKind::kBlocks:
      return "blocks";
  }
  return "unknown";
}

}  // namespace reflector::platform::afpacket
