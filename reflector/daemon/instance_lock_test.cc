#include "reflector/daemon/instance_lock.h"

#include <sys/wait.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace reflector::daemon {
namespace {

// An ifindex no real interface has, so the test never collides with a running reflectord.
base::NetDevice FakeDevice(int ifindex) {
  base::NetDevice device;
  device.name = absl::StrCat("test", ifindex);
  device.ifindex = ifindex;
  return device;
}

TEST(InstanceLock, SecondHolderIsRefusedAndNamesTheFirst) {
  const base::NetDevice device = FakeDevice(1'000'000 + getpid());
  absl::StatusOr<InstanceLock> first = InstanceLock::Acquire(device);
  ASSERT_TRUE(first.ok()) << first.status();
  absl::StatusOr<InstanceLock> second = InstanceLock::Acquire(device);
  ASSERT_EQ(second.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_NE(second.status().message().find(absl::StrCat("is already served by pid ", getpid())),
            std::string::npos)
      << second.status();
  EXPECT_NE(second.status().message().find(device.name), std::string::npos);
}

TEST(InstanceLock, OtherInterfacesAreIndependent) {
  absl::StatusOr<InstanceLock> a = InstanceLock::Acquire(FakeDevice(2'000'000 + getpid()));
  absl::StatusOr<InstanceLock> b = InstanceLock::Acquire(FakeDevice(3'000'000 + getpid()));
  EXPECT_TRUE(a.ok()) << a.status();
  EXPECT_TRUE(b.ok()) << b.status();
}

TEST(InstanceLock, ReleasedWhenTheHolderGoesAway) {
  const base::NetDevice device = FakeDevice(4'000'000 + getpid());
  { ASSERT_TRUE(InstanceLock::Acquire(device).ok()); }
  EXPECT_TRUE(InstanceLock::Acquire(device).ok());
}

TEST(InstanceLock, ReleasedWhenTheHolderIsKilled) {
  const base::NetDevice device = FakeDevice(5'000'000 + getpid());
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  const pid_t child = fork();
  if (child == 0) {
    absl::StatusOr<InstanceLock> lock = InstanceLock::Acquire(device);
    (void)!write(ready[1], lock.ok() ? "y" : "n", 1);
    pause();
    _exit(0);
  }
  char answer = 0;
  ASSERT_EQ(read(ready[0], &answer, 1), 1);
  ASSERT_EQ(answer, 'y');
  absl::StatusOr<InstanceLock> while_held = InstanceLock::Acquire(device);
  EXPECT_NE(while_held.status().message().find(absl::StrCat("pid ", child)), std::string::npos)
      << while_held.status();
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  EXPECT_TRUE(InstanceLock::Acquire(device).ok());
  close(ready[0]);
  close(ready[1]);
}

}  // namespace
}  // namespace reflector::daemon
