// One AF_XDP socket bound to one rx queue, with its own UMEM: the anonymous memory, libxdp's
// UMEM registration, the socket and its four rings, owned together and freed in the order the
// kernel needs (socket, then UMEM registration, then memory). One bind attempt per object; the
// zero-copy policy lives in bind_policy.h.
//
// libxdp's default XDP program is never loaded (XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD): the
// reflector's own program redirects into the socket, and the caller inserts it into that
// program's XSKMAP.
#ifndef REFLECTOR_PLATFORM_AFXDP_XSK_SOCKET_H_
#define REFLECTOR_PLATFORM_AFXDP_XSK_SOCKET_H_

#include <xdp/xsk.h>

#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace reflector::platform::afxdp {

struct XskGeometry {
  uint32_t frame_count = 0;  // also the fill ring size
  uint32_t frame_size = 0;
  uint32_t ring_size = 0;  // RX, TX and completion rings
};

class XskSocket {
 public:
  // Creates the UMEM and binds a socket to `interface` (calling thread's netns) queue `queue`
  // with `bind_flags` (XDP_ZEROCOPY or XDP_COPY, plus XDP_USE_NEED_WAKEUP). On failure the
  // status carries the errno of the step that failed, so callers can tell "the driver cannot
  // do zero-copy" (EOPNOTSUPP) from other errors.
  static absl::StatusOr<std::unique_ptr<XskSocket>> Open(absl::string_view interface,
                                                         uint32_t queue,
                                                         const XskGeometry& geometry,
                                                         uint16_t bind_flags);
  XskSocket(const XskSocket&) = delete;
  XskSocket& operator=(const XskSocket&) = delete;
  ~XskSocket();

  int fd() const { return xsk_socket__fd(socket_); }
  uint8_t* umem_area() const { return area_; }
  // Asks the kernel (XDP_OPTIONS) rather than trusting the flags we bound with.
  bool zero_copy() const;

  // The rings. libxdp keeps pointers to fill and completion, so this object never moves.
  xsk_ring_prod& fill() { return fill_; }
  xsk_ring_cons& completion() { return completion_; }
  xsk_ring_cons& rx() { return rx_; }
  xsk_ring_prod& tx() { return tx_; }

 private:
  XskSocket() = default;

  uint8_t* area_ = nullptr;
  size_t area_size_ = 0;
  xsk_umem* umem_ = nullptr;
  xsk_socket* socket_ = nullptr;
  xsk_ring_prod fill_ = {};
  xsk_ring_cons completion_ = {};
  xsk_ring_cons rx_ = {};
  xsk_ring_prod tx_ = {};
};

}  // namespace reflector::platform::afxdp

#endif  // REFLECTOR_PLATFORM_AFXDP_XSK_SOCKET_H_
