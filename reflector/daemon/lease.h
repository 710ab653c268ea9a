// The reflection lease (--lease, SPEC §8): reflect only for a while after start or after the
// last renewal (SIGUSR2), then reflect nothing until renewed. A permanently installed
// reflector has none. Time is passed in, so tests need no clock.
#ifndef REFLECTOR_DAEMON_LEASE_H_
#define REFLECTOR_DAEMON_LEASE_H_

#include <optional>

#include "absl/time/time.h"

namespace reflector::daemon {

class Lease {
 public:
  // `length` zero: no lease, never expires.
  Lease(absl::Duration length, absl::Time now) { Reset(length, now); }

  bool active() const { return length_ > absl::ZeroDuration(); }
  absl::Duration length() const { return length_; }
  bool expired(absl::Time now) const { return active() && now >= deadline_; }
  // Time left (zero once expired); nullopt without a lease.
  std::optional<absl::Duration> left(absl::Time now) const;
  // When the main loop must wake to notice the expiry; InfiniteFuture without a lease.
  absl::Time deadline() const { return active() ? deadline_ : absl::InfiniteFuture(); }

  // Starts the lease again from `now`.
  void Renew(absl::Time now) { deadline_ = now + length_; }
  // A new length (a reload changed --lease), counted from `now`.
  void Reset(absl::Duration length, absl::Time now) {
    length_ = length;
    Renew(now);
  }

 private:
  absl::Duration length_;
  absl::Time deadline_;
};


}  // namespace reflector::daemon

#endif  // REFLECTOR_DAEMON_LEASE_H_
