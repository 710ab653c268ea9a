#include "platform/afxdp/xsk_map_entry.h"

#include <bpf/bpf.h>
#include <fcntl.h>

#include <cerrno>
#include <cstdlib>

#include "absl/strings/str_cat.h"

namespace reflector::platform::afxdp {

absl::StatusOr<XskMapEntry> XskMapEntry::Insert(int map_fd, uint32_t queue, int socket_fd) {
  UniqueFd map(fcntl(map_fd, F_DUPFD_CLOEXEC, 0));
  if (!map.valid()) return absl::ErrnoToStatus(errno, "afxdp: duplicate the XSKMAP descriptor");
  const int error = bpf_map_update_elem(map.get(), &queue, &socket_fd, BPF_ANY);
  if (error == -E2BIG || error == -EINVAL) {
    return absl::OutOfRangeError(absl::StrCat(
        "afxdp: queue ", queue, " is beyond the XDP program's XSKMAP (raise its max_queues)"));
  }
  if (error != 0) {
    return absl::ErrnoToStatus(std::abs(error), absl::StrCat("afxdp: insert the socket of queue ",
                                                             queue, " into the XSKMAP"));
  }
  return XskMapEntry(std::move(map), queue);
}

XskMapEntry::~XskMapEntry() {
  // The kernel also drops the entry when the socket closes; removing it first means no frame
  // is redirected to a socket in the middle of teardown.
  if (map_.valid()) bpf_map_delete_elem(map_.get(), &queue_);
}

}  // namespace reflector::platform::afxdp
