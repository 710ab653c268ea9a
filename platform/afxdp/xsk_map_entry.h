// An AF_XDP socket's entry in the XDP program's XSKMAP, removed when this object goes: from
// then on the program passes that queue's frames to the stack (its redirect falls back to
// XDP_PASS) instead of aiming them at a socket that is about to close.
#ifndef REFLECTOR_PLATFORM_AFXDP_XSK_MAP_ENTRY_H_
#define REFLECTOR_PLATFORM_AFXDP_XSK_MAP_ENTRY_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "reflector/base/unique_fd.h"

namespace reflector::platform::afxdp {

class XskMapEntry {
 public:
  // Sets map[queue] = socket_fd. Keeps a duplicate of `map_fd`, so the entry can be removed
  // even if the program's owner closed its descriptor first.
  static absl::StatusOr<XskMapEntry> Insert(int map_fd, uint32_t queue, int socket_fd);

  XskMapEntry(XskMapEntry&&) = default;
  XskMapEntry& operator=(XskMapEntry&&) = delete;
  ~XskMapEntry();

 private:
  XskMapEntry(UniqueFd map, uint32_t queue) : map_(std::move(map)), queue_(queue) {}
  UniqueFd map_;  // invalid once moved from
  uint32_t queue_;
};

}  // namespace reflector::platform::afxdp

#endif  // REFLECTOR_PLATFORM_AFXDP_XSK_MAP_ENTRY_H_
