#include "platform/afxdp/afxdp_options.h"

#include <net/if.h>

#include "absl/numeric/bits.h"
#include "absl/strings/str_cat.h"
#include "platform/frame_io.h"

namespace reflector::platform::afxdp {

absl::string_view ZeroCopyModeName(ZeroCopyMode mode) {
  switch (mode) {
    case ZeroCopyMode::kAuto:
      return "auto";
    case ZeroCopyMode::kOn:
      return "on";
    case ZeroCopyMode::kOff:
      return "off";
  }
  return "unknown";
}

absl::Status ValidateOptions(const AfXdpOptions& options) {
  if (options.interface.empty() || options.interface.size() >= IFNAMSIZ) {
    return absl::InvalidArgumentError(
        absl::StrCat("afxdp: interface name \"", options.interface, "\" is empty or too long"));
  }
  if (options.xsk_map_fd < 0) {
    return absl::InvalidArgumentError("afxdp: no XSKMAP given (load the XDP program first)");
  }
  if (options.frame_size != 2048 && options.frame_size != 4096) {
    return absl::InvalidArgumentError(
        absl::StrCat("afxdp: frame_size ", options.frame_size, " is not 2048 or 4096"));
  }
  // Two batches at least: one with the engine while the next one fills.
  if (!absl::has_single_bit(options.frame_count) || options.frame_count < 2 * kBatchSize) {
    return absl::InvalidArgumentError(absl::StrCat("afxdp: frame_count ", options.frame_count,
                                                   " is not a power of two >= ", 2 * kBatchSize));
  }
  if (!absl::has_single_bit(options.ring_size) || options.ring_size < kBatchSize ||
      options.ring_size > options.frame_count) {
    return absl::InvalidArgumentError(absl::StrCat("afxdp: ring_size ", options.ring_size,
                                                   " is not a power of two in [", kBatchSize,
                                                   ", frame_count]"));
  }
  return absl::OkStatus();
}

}  // namespace reflector::platform::afxdp
