#include "reflector/daemon/thread_placement.h"

#include <dirent.h>
#include <sched.h>
#include <sys/types.h>

#include <algorithm>
#include <cerrno>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace reflector::daemon {

std::vector<int> CpusBesideWorkers(const std::vector<int>& worker_cpus,
                                   const std::vector<int>& allowed) {
  std::vector<int> beside;
  if (worker_cpus.empty()) return beside;
  for (const int cpu : allowed) {
    if (std::find(worker_cpus.begin(), worker_cpus.end(), cpu) == worker_cpus.end()) {
      beside.push_back(cpu);
    }
  }
  return beside;
}

absl::StatusOr<std::vector<int>> AllowedCpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) != 0) {
    return absl::ErrnoToStatus(errno, "sched_getaffinity");
  }
  std::vector<int> cpus;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (CPU_ISSET(cpu, &set)) cpus.push_back(cpu);
  }
  return cpus;
}

absl::Status MoveThreadsTo(const std::vector<int>& cpus) {
  cpu_set_t set;
  CPU_ZERO(&set);
  for (const int cpu : cpus) CPU_SET(cpu, &set);
  DIR* tasks = opendir("/proc/self/task");
  if (tasks == nullptr) return absl::ErrnoToStatus(errno, "open /proc/self/task");
  absl::Status status;
  while (const dirent* entry = readdir(tasks)) {
    pid_t tid = 0;
    if (!absl::SimpleAtoi(entry->d_name, &tid)) continue;  // "." and ".."
    // A thread that ended since readdir saw it is no failure.
    if (sched_setaffinity(tid, sizeof(set), &set) != 0 && errno != ESRCH && status.ok()) {
      status = absl::ErrnoToStatus(
          errno, absl::StrCat("move thread ", tid, " to CPUs ", absl::StrJoin(cpus, ",")));
    }
  }
  closedir(tasks);
  return status;
}

}  // namespace reflector::daemon
