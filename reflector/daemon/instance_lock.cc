#include "reflector/daemon/instance_lock.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "absl/strings/str_cat.h"

namespace reflector::daemon {
namespace {

// The address of `name` in the abstract namespace: a leading NUL, no terminator.
socklen_t AbstractAddress(const std::string& name, sockaddr_un* address) {
  *address = {};
  address->sun_family = AF_UNIX;
  std::memcpy(address->sun_path + 1, name.data(), name.size());
  return static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size());
}

std::string ProcessName(pid_t pid) {
  std::ifstream comm(absl::StrCat("/proc/", pid, "/comm"));
  std::string name;
  std::getline(comm, name);
  return name;
}

// Who listens on `name`: "pid 1234 (reflectord)", or a vaguer phrase when the kernel cannot
// say (the holder is in another PID namespace).
std::string DescribeHolder(const std::string& name) {
  sockaddr_un address;
  const socklen_t length = AbstractAddress(name, &address);
  // Non-blocking: a full backlog must not stall us; it only costs the PID in the message.
  UniqueFd probe(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  ucred peer = {};
  socklen_t peer_length = sizeof(peer);
  if (!probe.valid() || connect(probe.get(), reinterpret_cast<sockaddr*>(&address), length) != 0 ||
      getsockopt(probe.get(), SOL_SOCKET, SO_PEERCRED, &peer, &peer_length) != 0 ||
      peer.pid <= 0) {
    return "another process";
  }
  const std::string comm = ProcessName(peer.pid);
  return absl::StrCat("pid ", peer.pid, comm.empty() ? "" : absl::StrCat(" (", comm, ")"));
}

}  // namespace

std::string InstanceLock::NameFor(int ifindex) {
  return absl::StrCat("reflectord/ifindex/", ifindex);
}

absl::StatusOr<InstanceLock> InstanceLock::Acquire(const base::NetDevice& device) {
  // A port no kernel interface stands for (DPDK) has no ifindex: its name is its identity.
  const std::string name =
      device.in_kernel() ? NameFor(device.ifindex) : absl::StrCat("reflectord/port/", device.name);
  UniqueFd socket_fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!socket_fd.valid()) {
    return absl::ErrnoToStatus(errno, "cannot create the instance lock socket");
  }
  sockaddr_un address;
  const socklen_t length = AbstractAddress(name, &address);
  if (bind(socket_fd.get(), reinterpret_cast<sockaddr*>(&address), length) != 0) {
    if (errno != EADDRINUSE) {
      return absl::ErrnoToStatus(errno, absl::StrCat("cannot take the lock @", name));
    }
    return absl::AlreadyExistsError(absl::StrCat(
        device.name, " is already served by ", DescribeHolder(name),
        "; one reflector per interface: stop that one first (ss -xlp | grep @", name, ")"));
  }
  // Listening lets a second instance connect and read our PID from SO_PEERCRED.
  if (listen(socket_fd.get(), 64) != 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat("cannot listen on the lock @", name));
  }
  return InstanceLock(std::move(socket_fd));
}

}  // namespace reflector::daemon
