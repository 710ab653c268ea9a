#include "platform/afpacket/veth_lab.h"

#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "absl/strings/str_cat.h"

namespace reflector::platform::afpacket {

VethLab::VethLab(std::string prefix) : reflector_(prefix + "r"), tester_(prefix + "t") {}

absl::StatusOr<std::string> VethLab::Run(const std::string& command) {
  // Bazel's test PATH may not hold /sbin; name it.
  const std::string line = absl::StrCat("PATH=/usr/sbin:/usr/bin:/sbin:/bin ", command, " 2>&1");
  FILE* pipe = popen(line.c_str(), "r");
  if (pipe == nullptr) return absl::InternalError(absl::StrCat("popen: ", std::strerror(errno)));
  std::string output;
  char buffer[512];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) output.append(buffer, n);
  const int status = pclose(pipe);
  if (status != 0) {
    return absl::InternalError(absl::StrCat("`", command, "` failed: ", output));
  }
  return output;
}

absl::StatusOr<std::unique_ptr<VethLab>> VethLab::Create() {
  std::unique_ptr<VethLab> lab(new VethLab(absl::StrCat("rfpkt", getpid())));
  const std::string& r = lab->reflector_;
  const std::string& t = lab->tester_;
  // From here on the destructor deletes whatever was created.
  const std::string commands[] = {
      absl::StrCat("ip netns add ", r),
      absl::StrCat("ip netns add ", t),
      absl::StrCat("ip link add ", r, " netns ", r, " type veth peer name ", t, " netns ", t),
      absl::StrCat("ip -n ", r, " link set ", r, " address 02:00:5e:10:00:02 mtu 9000 up"),
      absl::StrCat("ip -n ", t, " link set ", t, " address 00:c0:17:54:05:98 mtu 9000 up"),
      absl::StrCat("ip -n ", r, " addr add 198.18.0.2/24 dev ", r),
      absl::StrCat("ip -n ", r, " addr add 2001:2::2/64 dev ", r, " nodad"),
      absl::StrCat("ip -n ", t, " addr add 198.18.0.1/24 dev ", t),
      absl::StrCat("ip -n ", t, " addr add 2001:2::1/64 dev ", t, " nodad"),
      absl::StrCat("ip -n ", t, " neigh add 198.18.0.2 lladdr 02:00:5e:10:00:02 dev ", t),
      absl::StrCat("ip -n ", t, " neigh add 2001:2::2 lladdr 02:00:5e:10:00:02 dev ", t),
      absl::StrCat("ip -n ", r, " neigh add 198.18.0.1 lladdr 00:c0:17:54:05:98 dev ", r),
      absl::StrCat("ip -n ", r, " neigh add 2001:2::1 lladdr 00:c0:17:54:05:98 dev ", r),
      // Every ICMP error the reflector's stack would send must be seen, none rate-limited.
      absl::StrCat("ip netns exec ", r, " sysctl -qw net.ipv4.icmp_ratelimit=0"),
      absl::StrCat("ip netns exec ", r, " sysctl -qw net.ipv6.icmp.ratelimit=0"),
  };
  for (const std::string& command : commands) {
    if (absl::StatusOr<std::string> out = Run(command); !out.ok()) return out.status();
  }
  return lab;
}

VethLab::~VethLab() {
  (void)Run(absl::StrCat("ip netns del ", reflector_));
  (void)Run(absl::StrCat("ip netns del ", tester_));
}

absl::Status VethLab::RunIn(const std::string& ns, const std::function<void()>& fn) {
  absl::Status status;
  std::thread thread([&] {
    const int fd = open(absl::StrCat("/run/netns/", ns).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 || setns(fd, CLONE_NEWNET) != 0) {
      status = absl::InternalError(absl::StrCat("joining netns ", ns, ": ", std::strerror(errno)));
      if (fd >= 0) close(fd);
      return;
    }
    close(fd);
    fn();
  });
  thread.join();
  return status;
}

}  // namespace reflector::platform::afpacket
