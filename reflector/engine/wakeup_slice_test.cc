#include "reflector/engine/wakeup_slice.h"

#include <sys/resource.h>
#include <unistd.h>

#include <thread>

#include "gtest/gtest.h"

namespace reflector::engine {
namespace {

TEST(WakeupSliceTest, SetsTheSliceAndKeepsTheNiceness) {
  // On a thread of its own: the test runner's thread keeps its settings.
  std::thread([] {
    ASSERT_EQ(setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 5), 0);
    const absl::Status status = RequestWakeupSlice(kWorkerSliceNs);
    if (absl::IsInvalidArgument(status)) GTEST_SKIP() << "kernel without custom slices";
    ASSERT_TRUE(status.ok()) << status;
    EXPECT_EQ(CurrentSliceNs(), kWorkerSliceNs);
    errno = 0;
    EXPECT_EQ(getpriority(PRIO_PROCESS, static_cast<id_t>(gettid())), 5);
    EXPECT_EQ(errno, 0);
  }).join();
}

}  // namespace
}  // namespace reflector::engine
