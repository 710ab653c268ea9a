#include "platform/afxdp/xsk_socket.h"

#include <linux/if_xdp.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"

namespace reflector::platform::afxdp {

absl::StatusOr<std::unique_ptr<XskSocket>> XskSocket::Open(absl::string_view interface,
                                                           uint32_t queue,
                                                           const XskGeometry& geometry,
                                                           uint16_t bind_flags) {
  const std::string name(interface);
  std::unique_ptr<XskSocket> xsk(new XskSocket());

  // MAP_POPULATE: fault the pages in now, not on the first frames of a test run.
  xsk->area_size_ = size_t{geometry.frame_count} * geometry.frame_size;
  void* area = mmap(nullptr, xsk->area_size_, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
  if (area == MAP_FAILED) {
    return absl::ErrnoToStatus(
        errno, absl::StrCat("afxdp: map ", xsk->area_size_, " bytes of UMEM for ", name));
  }
  xsk->area_ = static_cast<uint8_t*>(area);

  const xsk_umem_config umem_config = {
      .fill_size = geometry.frame_count,
      .comp_size = geometry.ring_size,
      .frame_size = geometry.frame_size,
      .frame_headroom = 0,
      .flags = 0,
  };
  int error = xsk_umem__create(&xsk->umem_, xsk->area_, xsk->area_size_, &xsk->fill_,
                               &xsk->completion_, &umem_config);
  if (error != 0) {
    xsk->umem_ = nullptr;
    return absl::ErrnoToStatus(std::abs(error), absl::StrCat("afxdp: register UMEM for ", name));
  }

  xsk_socket_config socket_config = {};
  socket_config.rx_size = geometry.ring_size;
  socket_config.tx_size = geometry.ring_size;
  socket_config.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD;
  socket_config.xdp_flags = 0;
  socket_config.bind_flags = bind_flags;
  error = xsk_socket__create(&xsk->socket_, name.c_str(), queue, xsk->umem_, &xsk->rx_, &xsk->tx_,
                             &socket_config);
  if (error != 0) {
    xsk->socket_ = nullptr;
    return absl::ErrnoToStatus(
        std::abs(error), absl::StrCat("afxdp: bind an AF_XDP socket to ", name, " queue ", queue));
  }
  return xsk;
}

XskSocket::~XskSocket() {
  // The socket first: the UMEM registration refuses to go while a socket uses it (EBUSY), and
  // the memory must outlive both.
  if (socket_ != nullptr) xsk_socket__delete(socket_);
  if (umem_ != nullptr) xsk_umem__delete(umem_);
  if (area_ != nullptr) munmap(area_, area_size_);
}

bool XskSocket::zero_copy() const {
  xdp_options options = {};
  socklen_t length = sizeof(options);
  if (getsockopt(fd(), SOL_XDP, XDP_OPTIONS, &options, &length) != 0) return false;
  return (options.flags & XDP_OPTIONS_ZEROCOPY) != 0;
}

}  // namespace reflector::platform::afxdp
