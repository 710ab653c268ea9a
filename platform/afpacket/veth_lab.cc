#include "platform/afpacket/veth_lab.h"

#include <stdio.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "absl/strings/str_cat.h"
#include "reflector/base/status_macros.h"
#include "testing/lab/veth.h"

namespace reflector::platform::afpacket {

using testing::lab::NetNamespace;

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
  const std::string prefix = testing::lab::UniqueLabName("rfpkt");
  // Interface names equal namespace names, which the test's messages rely on.
  REFLECTOR_ASSIGN_OR_RETURN(NetNamespace reflector, NetNamespace::Create(prefix + "r"));
  REFLECTOR_ASSIGN_OR_RETURN(NetNamespace tester, NetNamespace::Create(prefix + "t"));
  std::unique_ptr<VethLab> lab(new VethLab(std::move(reflector), std::move(tester)));
  REFLECTOR_RETURN_IF_ERROR(testing::lab::CreateVethPair({&lab->reflector_,
                                                          lab->reflector_.name(),
                                                          "02:00:5e:10:00:02",
                                                          {"198.18.0.2/24", "2001:2::2/64"},
                                                          9000},
                                                         {&lab->tester_,
                                                          lab->tester_.name(),
                                                          "00:c0:17:54:05:98",
                                                          {"198.18.0.1/24", "2001:2::1/64"},
                                                          9000}));
  const std::string& r = lab->reflector_.name();
  const std::string& t = lab->tester_.name();
  const std::string commands[] = {
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

absl::Status VethLab::RunIn(const std::string& ns, const std::function<void()>& fn) {
  absl::Status status;
  std::thread thread([&] {
    absl::StatusOr<testing::lab::NetnsEntry> inside = testing::lab::NetnsEntry::Enter(ns);
    if (!inside.ok()) {
      status = inside.status();
      return;
    }
    fn();
  });
  thread.join();
  return status;
}

}  // namespace reflector::platform::afpacket
