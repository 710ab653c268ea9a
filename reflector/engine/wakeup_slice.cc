#include "reflector/engine/wakeup_slice.h"

#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

namespace reflector::engine {
namespace {

// struct sched_attr (SCHED_ATTR_SIZE_VER0) as the kernel lays it out; glibc's <sched.h> and
// <linux/sched/types.h> do not go together.
struct SchedAttr {
  uint32_t size;
  uint32_t sched_policy;
  uint64_t sched_flags;
  int32_t sched_nice;
  uint32_t sched_priority;
  uint64_t sched_runtime;  // for SCHED_OTHER: the slice the thread asks for
  uint64_t sched_deadline;
  uint64_t sched_period;
};
static_assert(sizeof(SchedAttr) == 48, "SCHED_ATTR_SIZE_VER0");

bool GetAttr(SchedAttr* attr) {
  *attr = {};
  return syscall(SYS_sched_getattr, 0, attr, sizeof(*attr), 0) == 0;
}

}  // namespace

absl::Status RequestWakeupSlice(uint64_t slice_ns) {
  SchedAttr attr;
  if (!GetAttr(&attr)) return absl::ErrnoToStatus(errno, "sched_getattr");
  if (attr.sched_policy != SCHED_OTHER) {
    return absl::FailedPreconditionError("a custom slice is only for SCHED_OTHER threads");
  }
  // sched_setattr sets the niceness too: keep the one the thread has.
  errno = 0;
  const int nice = getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()));
  if (errno != 0) return absl::ErrnoToStatus(errno, "getpriority");
  attr.size = sizeof(attr);
  attr.sched_flags = 0;
  attr.sched_nice = nice;
  attr.sched_runtime = slice_ns;
  if (syscall(SYS_sched_setattr, 0, &attr, 0) != 0) {
    return absl::ErrnoToStatus(errno, "sched_setattr (a custom slice needs Linux 6.12+)");
  }
  return absl::OkStatus();
}

uint64_t CurrentSliceNs() {
  SchedAttr attr;
  return GetAttr(&attr) ? attr.sched_runtime : 0;
}

}  // namespace reflector::engine
