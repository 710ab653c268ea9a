#include "platform/afxdp/busy_poll.h"

#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "gtest/gtest.h"

namespace reflector::platform::afxdp {
namespace {

int Get(int fd, int name) {
  int value = -1;
  socklen_t length = sizeof(value);
  EXPECT_EQ(getsockopt(fd, SOL_SOCKET, name, &value, &length), 0);
  return value;
}

// The options are generic socket options: a UDP socket takes them as an AF_XDP socket does,
// so the setting is checked without a device.
TEST(BusyPollTest, SetsTheThreeOptions) {
  const int fd = socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_GE(fd, 0);
  const absl::Status status = EnableKernelBusyPoll(fd, "test socket", {.usecs = 7, .budget = 16});
  if (absl::IsPermissionDenied(status)) {
    close(fd);
    GTEST_SKIP() << "raising SO_BUSY_POLL needs CAP_NET_ADMIN: " << status;
  }
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(Get(fd, SO_PREFER_BUSY_POLL), 1);
  EXPECT_EQ(Get(fd, SO_BUSY_POLL), 7);
  EXPECT_EQ(Get(fd, SO_BUSY_POLL_BUDGET), 16);
  EXPECT_EQ(IncomingNapiId(fd), 0u) << "nothing received yet";
  close(fd);
}

TEST(BusyPollTest, ARefusalNamesTheSocketTheOptionAndTheWayOut) {
  const int fd = socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_GE(fd, 0);
  close(fd);  // a closed descriptor: the first option is refused (EBADF)
  const absl::Status status = EnableKernelBusyPoll(fd, "afxdp veth1 queue 0");
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(std::string(status.message()),
            "afxdp veth1 queue 0: the kernel refused SO_PREFER_BUSY_POLL: Bad file descriptor "
            "(--busy_poll=spin spins without it)");
}

}  // namespace
}  // namespace reflector::platform::afxdp
