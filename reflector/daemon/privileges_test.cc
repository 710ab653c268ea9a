#include "reflector/daemon/privileges.h"

#include <linux/capability.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gtest/gtest.h"

namespace reflector::daemon {
namespace {

// Runs `body` in a child process (capability changes are for good) and returns its exit code.
template <typename Body>
int InChild(Body body) {
  const pid_t pid = fork();
  if (pid == 0) _exit(body());
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 100;
}

TEST(Privileges, DroppingLeavesOnlyWhatIsKept) {
  if (!CheckCapabilities({CAP_SETPCAP}).ok()) GTEST_SKIP() << "needs root (CAP_SETPCAP)";
  EXPECT_EQ(InChild([] {
              if (!DropCapabilitiesExcept({CAP_NET_ADMIN, CAP_BPF}).ok()) return 1;
              if (EffectiveCapabilities() != "cap_net_admin,cap_bpf") return 2;
              if (CheckCapabilities({CAP_NET_RAW}).ok()) return 3;
              return 0;
            }),
            0);
}

TEST(Privileges, MissingCapabilitiesAreNamed) {
  if (!CheckCapabilities({CAP_SETPCAP}).ok()) GTEST_SKIP() << "needs root (CAP_SETPCAP)";
  EXPECT_EQ(InChild([] {
              if (!DropCapabilitiesExcept({}).ok()) return 1;
              const absl::Status status = CheckCapabilities(SetupCapabilities());
              if (status.code() != absl::StatusCode::kPermissionDenied) return 2;
              const std::string message(status.message());
              if (message.find("cap_net_admin, cap_net_raw, cap_bpf") == std::string::npos)
                return 3;
              return 0;
            }),
            0);
}

}  // namespace
}  // namespace reflector::daemon
