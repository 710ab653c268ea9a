// Network interface names → indexes, with the error a user can act on.
#ifndef REFLECTOR_XDP_INTERFACE_H_
#define REFLECTOR_XDP_INTERFACE_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace reflector::xdp {

// The ifindex of `name` in the calling thread's network namespace, or NotFound listing the
// interfaces that do exist ("eth9: no such interface; interfaces: lo, eth0").
absl::StatusOr<int> InterfaceIndex(absl::string_view name);

}  // namespace reflector::xdp

#endif  // REFLECTOR_XDP_INTERFACE_H_
