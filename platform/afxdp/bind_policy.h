// --zero_copy=auto|on|off turned into bind attempts: zero-copy first where allowed, copy mode
// as the fallback, and a sentence that says which mode is in effect and why (for the banner;
// a fallback never hides its reason).
#ifndef REFLECTOR_PLATFORM_AFXDP_BIND_POLICY_H_
#define REFLECTOR_PLATFORM_AFXDP_BIND_POLICY_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "platform/afxdp/afxdp_options.h"
#include "platform/afxdp/xsk_socket.h"

namespace reflector::platform::afxdp {

struct BoundSocket {
  std::unique_ptr<XskSocket> socket;
  bool zero_copy = false;
  // "zero-copy", "copy mode: --zero_copy=off", or
  // "copy mode: the driver refused zero-copy: Operation not supported".
  std::string mode;
};

// Binds with need_wakeup. With kOn, a driver without zero-copy gives FailedPrecondition that
// names the interface and suggests --zero_copy=auto.
absl::StatusOr<BoundSocket> BindSocket(const AfXdpOptions& options);

}  // namespace reflector::platform::afxdp

#endif  // REFLECTOR_PLATFORM_AFXDP_BIND_POLICY_H_
