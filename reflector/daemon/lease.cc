#include "reflector/daemon/lease.h"

#include <algorithm>


namespace reflector::daemon {

std::optional<absl::Duration> Lease::left(absl::Time now) const {
  if (!active()) return std::nullopt;
  return std::max(deadline_ - now, absl::ZeroDuration());
}

}  // namespace reflector::daemon
