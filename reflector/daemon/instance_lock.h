// One reflector per interface (SPEC §5): two reflectors on one interface would reflect every
// test frame twice, and the one that stops first would take away what the other relies on.
//
// The lock is a listening Unix socket in the abstract namespace, named after the interface's
// index. Abstract names belong to a network namespace, exactly as interface indexes do; they
// need no writable directory (an unprivileged reflectord with file capabilities can take one);
// the kernel releases them when the process dies, even by SIGKILL, so no stale lock survives;
// and a second instance learns the holder's PID from the socket's peer credentials.
// `ss -xlp | grep reflectord` lists the holders.
#ifndef REFLECTOR_DAEMON_INSTANCE_LOCK_H_
#define REFLECTOR_DAEMON_INSTANCE_LOCK_H_

#include <string>

#include "absl/status/statusor.h"
#include "reflector/base/netdev.h"
#include "reflector/base/unique_fd.h"

namespace reflector::daemon {

class InstanceLock {
 public:
  // Takes the lock for `device` in the calling thread's network namespace. AlreadyExists,
  // naming the holder's PID, when another reflectord holds it.
  static absl::StatusOr<InstanceLock> Acquire(const base::NetDevice& device);

  // "@reflectord/ifindex/3": the socket's abstract name as ss shows it.
  static std::string NameFor(int ifindex);

 private:
  explicit InstanceLock(UniqueFd socket) : socket_(std::move(socket)) {}
  UniqueFd socket_;  // released with the process, by any death
};

}  // namespace reflector::daemon

#endif  // REFLECTOR_DAEMON_INSTANCE_LOCK_H_
