// What one AF_XDP socket needs to know: where to bind, which XSKMAP to join, whether to insist
// on zero-copy, and how big its UMEM and rings are.
#ifndef REFLECTOR_PLATFORM_AFXDP_AFXDP_OPTIONS_H_
#define REFLECTOR_PLATFORM_AFXDP_AFXDP_OPTIONS_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace reflector::platform::afxdp {

// --zero_copy (SPEC §6).
enum class ZeroCopyMode : uint8_t {
  kAuto,  // bind with XDP_ZEROCOPY; if the driver refuses, bind with XDP_COPY and say why
  kOn,    // XDP_ZEROCOPY or fail
  kOff,   // XDP_COPY
};
// "auto", "on", "off".
absl::string_view ZeroCopyModeName(ZeroCopyMode mode);

struct AfXdpOptions {
  // Interface name in the calling thread's network namespace, and the rx queue to bind. The
  // queue is also the socket's key in the XSKMAP.
  std::string interface;
  uint32_t queue = 0;
  // XdpProgram::xsk_map_fd(). Borrowed for the call only: the backend keeps its own duplicate,
  // so the map outlives neither the program nor the socket by surprise.
  int xsk_map_fd = -1;
  ZeroCopyMode zero_copy = ZeroCopyMode::kAuto;
  // Kernel busy polling on the socket (busy_poll.h); an error when the kernel refuses it. The
  // owner then calls Receive with a zero timeout (a spinning worker): each empty Receive asks
  // the kernel to poll the device.
  bool busy_poll = false;
  // UMEM geometry: 32 MiB per queue by default, so that the RX ring (4096) absorbs a burst of
  // a few thousand back-to-back frames, as testers send at line rate, while the worker runs.
  // frame_count is a power of two and also the fill ring's size, so every free frame always fits
  // into the fill ring. frame_size is 2048 or 4096 (aligned chunk mode); the largest frame is
  // frame_size - 256 (XDP_PACKET_HEADROOM).
  uint32_t frame_count = 8192;
  uint32_t frame_size = 4096;
  // RX, TX and completion rings: a power of two, at most frame_count.
  uint32_t ring_size = 4096;
};

// InvalidArgument naming the first field that is out of range.
absl::Status ValidateOptions(const AfXdpOptions& options);

}  // namespace reflector::platform::afxdp

#endif  // REFLECTOR_PLATFORM_AFXDP_AFXDP_OPTIONS_H_
