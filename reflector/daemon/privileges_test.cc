#include "reflector/daemon/privileges.h"

#include <cap-ng.h>
#include <linux/capability.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
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
              const absl::Status status =
                  CheckCapabilities(SetupCapabilities(engine::DataPathKind::kAfPacket));
              if (status.code() != absl::StatusCode::kPermissionDenied) return 2;
              const std::string message(status.message());
              if (message.find("missing capabilities cap_net_admin, cap_bpf, cap_perfmon, "
                               "cap_net_raw: ") == std::string::npos)
                return 3;
              // One line, with a setcap command that grants every data path's needs.
              if (message.find('\n') != std::string::npos) return 4;
              if (message.find("setcap " + DocumentedFileCapabilities() + "+ep /") ==
                  std::string::npos)
                return 5;
              return 0;
            }),
            0);
}

TEST(Privileges, EachDataPathNeedsItsOwnSet) {
  using engine::DataPathKind;
  auto has = [](const std::vector<unsigned>& caps, unsigned cap) {
    return std::find(caps.begin(), caps.end(), cap) != caps.end();
  };
  EXPECT_FALSE(has(SetupCapabilities(DataPathKind::kXdp), CAP_NET_RAW));
  EXPECT_TRUE(has(SetupCapabilities(DataPathKind::kXdp), CAP_PERFMON));
  EXPECT_TRUE(has(SetupCapabilities(DataPathKind::kAfPacket), CAP_NET_RAW));
  EXPECT_FALSE(has(SetupCapabilities(DataPathKind::kAfPacket), CAP_IPC_LOCK));
  for (DataPathKind kind : {DataPathKind::kXdp, DataPathKind::kAfXdp, DataPathKind::kAfPacket,
                            DataPathKind::kAuto}) {
    for (unsigned cap : SetupCapabilities(kind)) {
      // Every capability a data path asks for is in the documented setcap line.
      const std::string name =
          absl::StrCat("cap_", absl::AsciiStrToLower(capng_capability_to_name(cap)));
      EXPECT_NE(DocumentedFileCapabilities().find(name), std::string::npos) << name;
    }
  }
}

}  // namespace
}  // namespace reflector::daemon
