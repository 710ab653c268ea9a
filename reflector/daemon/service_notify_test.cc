#include "reflector/daemon/service_notify.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "reflector/base/unique_fd.h"

namespace reflector::daemon {
namespace {

// A datagram socket where systemd's would be, named by $NOTIFY_SOCKET for the test's duration.
class FakeNotifySocket {
 public:
  FakeNotifySocket() {
    // Not under $TEST_TMPDIR: a socket path has at most 107 bytes.
    static int made = 0;
    path_ = absl::StrCat("/tmp/reflectord-notify-test.", getpid(), ".", made++);
    unlink(path_.c_str());
    sockaddr_un address = {};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path_.c_str(), sizeof(address.sun_path) - 1);
    if (bind(fd_.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0) {
      setenv("NOTIFY_SOCKET", path_.c_str(), 1);
    }
  }
  ~FakeNotifySocket() {
    unsetenv("NOTIFY_SOCKET");
    unlink(path_.c_str());
  }
  // The next datagram, or "" when none is waiting.
  std::string Next() const {
    char buffer[4096];
    const ssize_t n = recv(fd_.get(), buffer, sizeof(buffer), MSG_DONTWAIT);
    return n > 0 ? std::string(buffer, static_cast<size_t>(n)) : std::string();
  }

 private:
  UniqueFd fd_{socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)};
  std::string path_;
};

engine::Counters Snapshot(uint64_t rx, uint64_t reflected) {
  engine::Counters counters;
  counters.rx_frames = rx;
  counters.rx_bytes = rx * 125;
  counters.reflected_frames = reflected;
  counters.reflected_bytes = reflected * 125;
  return counters;
}

TEST(ServiceNotifier, TellsSystemdReadyStatusWatchdogReloadAndStop) {
  FakeNotifySocket systemd;
  setenv("WATCHDOG_USEC", "2000000", 1);
  ServiceNotifier service;
  unsetenv("WATCHDOG_USEC");
  EXPECT_TRUE(service.enabled());
  EXPECT_EQ(service.MaxSleep(absl::Milliseconds(500)), absl::Milliseconds(500));
  EXPECT_EQ(service.MaxSleep(absl::Seconds(5)), absl::Seconds(1));

  const absl::Time start = absl::FromUnixSeconds(1000);
  service.Ready("eth0 xdp", Snapshot(0, 0), start);
  EXPECT_EQ(systemd.Next(), "READY=1\nSTATUS=eth0 xdp: reflecting");
  service.Tick(Snapshot(5, 5), start + absl::Milliseconds(400));
  EXPECT_EQ(systemd.Next(), "WATCHDOG=1");
  service.Tick(Snapshot(2000, 1000), start + absl::Seconds(2));
  EXPECT_EQ(systemd.Next(),
            "WATCHDOG=1\nSTATUS=eth0 xdp: rx 1000 fps 1.0 Mbps, reflected 500 fps "
            "0.5 Mbps; 1000 reflected in total");
  service.Reloading();
  EXPECT_EQ(systemd.Next(), "RELOADING=1\nSTATUS=reloading the settings");
  service.Reloaded();
  EXPECT_EQ(systemd.Next(), "READY=1\nSTATUS=eth0 xdp: reloaded");
  service.Stopping();
  EXPECT_EQ(systemd.Next(), "STOPPING=1\nSTATUS=detaching");
  EXPECT_EQ(systemd.Next(), "");
}

TEST(ServiceNotifier, WithoutAWatchdogTicksSendOnlyTheStatus) {
  FakeNotifySocket systemd;
  ServiceNotifier service;
  EXPECT_EQ(service.MaxSleep(absl::Milliseconds(500)), absl::Milliseconds(500));
  const absl::Time start = absl::FromUnixSeconds(1000);
  service.Ready("eth0 afpacket", Snapshot(0, 0), start);
  EXPECT_EQ(systemd.Next(), "READY=1\nSTATUS=eth0 afpacket: reflecting");
  service.Tick(Snapshot(1, 1), start + absl::Milliseconds(500));
  EXPECT_EQ(systemd.Next(), "");
  service.Tick(Snapshot(1, 1), start + absl::Seconds(1));
  EXPECT_EQ(systemd.Next(),
            "STATUS=eth0 afpacket: rx 1 fps 0.0 Mbps, reflected 1 fps 0.0 Mbps; 1 reflected in "
            "total");
}

TEST(ServiceNotifier, OutsideSystemdNothingIsSentAndTheLoopKeepsItsPace) {
  FakeNotifySocket bystander;  // exists, but the daemon is not told about it
  unsetenv("NOTIFY_SOCKET");
  setenv("WATCHDOG_USEC", "200000", 1);
  ServiceNotifier service;
  unsetenv("WATCHDOG_USEC");
  EXPECT_FALSE(service.enabled());
  EXPECT_EQ(service.MaxSleep(absl::Milliseconds(500)), absl::Milliseconds(500));
  const absl::Time start = absl::FromUnixSeconds(1000);
  service.Ready("eth0 xdp", Snapshot(0, 0), start);
  service.Tick(Snapshot(3, 3), start + absl::Seconds(3));
  service.Stopping();
  EXPECT_EQ(bystander.Next(), "");
}

}  // namespace
}  // namespace reflector::daemon
