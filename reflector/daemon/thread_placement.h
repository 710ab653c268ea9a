// Where reflectord's own threads run beside pinned workers. The main loop, the HTTP server,
// the stats and capture threads wake up now and then; on a worker's CPU each wakeup delays the
// frames behind it (a spinning worker waits out the thread's whole time slice, milliseconds),
// so when --cpus leaves a CPU free they run there instead.
#ifndef REFLECTOR_DAEMON_THREAD_PLACEMENT_H_
#define REFLECTOR_DAEMON_THREAD_PLACEMENT_H_

#include <vector>

#include "absl/status/statusor.h"

namespace reflector::daemon {

// The CPUs of `allowed` that no worker is pinned to, in order; empty when the workers are
// not pinned (`worker_cpus` empty) or they take every allowed CPU.
std::vector<int> CpusBesideWorkers(const std::vector<int>& worker_cpus,
                                   const std::vector<int>& allowed);

// The CPUs this thread may run on.
absl::StatusOr<std::vector<int>> AllowedCpus();

// Moves every thread of this process to `cpus`; threads started afterwards inherit that from
// their creator (workers are pinned to their own CPU after they start).
absl::Status MoveThreadsTo(const std::vector<int>& cpus);

}  // namespace reflector::daemon

#endif  // REFLECTOR_DAEMON_THREAD_PLACEMENT_H_
