#include "platform/afxdp/bind_policy.h"

#include <linux/if_xdp.h>

#include "absl/strings/str_cat.h"

namespace reflector::platform::afxdp {
namespace {

absl::StatusOr<std::unique_ptr<XskSocket>> Bind(const AfXdpOptions& options, uint16_t mode) {
  const XskGeometry geometry = {
      .frame_count = options.frame_count,
      .frame_size = options.frame_size,
      .ring_size = options.ring_size,
  };
  // need_wakeup always: the kernel then tells us when a syscall is needed, instead of one per
  // batch (kernel >= 5.4; this project targets 6.x).
  return XskSocket::Open(options.interface, options.queue, geometry,
                         static_cast<uint16_t>(mode | XDP_USE_NEED_WAKEUP));
}

// The kernel's message for the errno, without our own prefix: "Operation not supported".
std::string Why(const absl::Status& status) {
  const absl::string_view message = status.message();
  const size_t colon = message.rfind(": ");
  return std::string(colon == absl::string_view::npos ? message : message.substr(colon + 2));
}

}  // namespace

absl::StatusOr<BoundSocket> BindSocket(const AfXdpOptions& options) {
  if (options.zero_copy == ZeroCopyMode::kOff) {
    absl::StatusOr<std::unique_ptr<XskSocket>> copy = Bind(options, XDP_COPY);
    if (!copy.ok()) return copy.status();
    return BoundSocket{*std::move(copy), false, "copy mode: --zero_copy=off"};
  }

  // A fresh UMEM and socket per attempt: a socket whose bind failed is not reused.
  absl::StatusOr<std::unique_ptr<XskSocket>> zero_copy = Bind(options, XDP_ZEROCOPY);
  if (zero_copy.ok()) {
    // Trust the kernel's answer over the flag we asked for.
    const bool in_effect = (*zero_copy)->zero_copy();
    return BoundSocket{*std::move(zero_copy), in_effect,
                       in_effect ? "zero-copy" : "copy mode: the kernel reports no zero-copy"};
  }
  if (options.zero_copy == ZeroCopyMode::kOn) {
    return absl::FailedPreconditionError(absl::StrCat(
        options.interface, " queue ", options.queue, ": the driver cannot do AF_XDP zero-copy (",
        Why(zero_copy.status()), "); use --zero_copy=auto to fall back to copy mode"));
  }

  absl::StatusOr<std::unique_ptr<XskSocket>> copy = Bind(options, XDP_COPY);
  if (!copy.ok()) {
    return absl::Status(copy.status().code(),
                        absl::StrCat(copy.status().message(),
                                     " (zero-copy had failed too: ", Why(zero_copy.status()), ")"));
  }
  return BoundSocket{
      *std::move(copy), false,
      absl::StrCat("copy mode: the driver refused zero-copy: ", Why(zero_copy.status()))};
}

}  // namespace reflector::platform::afxdp
