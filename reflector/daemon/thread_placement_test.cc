#include "reflector/daemon/thread_placement.h"

#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "gtest/gtest.h"

namespace reflector::daemon {
namespace {

TEST(CpusBesideWorkers, LeavesOutTheWorkersCpus) {
  EXPECT_EQ(CpusBesideWorkers({1}, {0, 1}), (std::vector<int>{0}));
  EXPECT_EQ(CpusBesideWorkers({1, 3}, {0, 1, 2, 3}), (std::vector<int>{0, 2}));
  EXPECT_EQ(CpusBesideWorkers({5}, {0, 1}), (std::vector<int>{0, 1}));  // not ours to avoid
}

TEST(CpusBesideWorkers, NothingWhenWorkersAreNotPinnedOrTakeEveryCpu) {
  EXPECT_TRUE(CpusBesideWorkers({}, {0, 1}).empty());
  EXPECT_TRUE(CpusBesideWorkers({0, 1}, {0, 1}).empty());
}

std::vector<int> CpusOf(pid_t tid) {
  cpu_set_t set;
  CPU_ZERO(&set);
  EXPECT_EQ(sched_getaffinity(tid, sizeof(set), &set), 0);
  std::vector<int> cpus;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (CPU_ISSET(cpu, &set)) cpus.push_back(cpu);
  }
  return cpus;
}

TEST(MoveThreadsTo, MovesRunningThreadsAndThoseStartedLater) {
  const absl::StatusOr<std::vector<int>> allowed = AllowedCpus();
  ASSERT_TRUE(allowed.ok()) << allowed.status();
  if (allowed->size() < 2) GTEST_SKIP() << "needs two CPUs";
  const std::vector<int> target = {allowed->back()};

  std::atomic<pid_t> running_tid{0};
  std::atomic<bool> done{false};
  std::thread running([&] {
    running_tid.store(static_cast<pid_t>(syscall(SYS_gettid)));
    while (!done.load()) usleep(1000);
  });
  while (running_tid.load() == 0) usleep(1000);

  ASSERT_TRUE(MoveThreadsTo(target).ok());
  EXPECT_EQ(CpusOf(0), target);
  EXPECT_EQ(CpusOf(running_tid.load()), target);
  std::vector<int> later;
  std::thread([&] { later = CpusOf(0); }).join();
  EXPECT_EQ(later, target);

  done.store(true);
  running.join();
  ASSERT_TRUE(MoveThreadsTo(*allowed).ok());
}

}  // namespace
}  // namespace reflector::daemon
