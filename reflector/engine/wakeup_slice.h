// A short scheduler slice for a worker thread, so that a frame arriving for a worker asleep in
// poll() gets it onto its CPU at once instead of after the running task's slice. Under EEVDF
// (Linux 6.6+) a woken task waits for the current one's slice, about 3 ms, unless it asked for
// a shorter slice itself (sched_attr.sched_runtime of a SCHED_OTHER thread, Linux 6.12+): then
// it preempts on wakeup. That wait was the p99 of the sleeping afxdp and afpacket workers on a
// busy machine (milliseconds at 10 kfps).
#ifndef REFLECTOR_ENGINE_WAKEUP_SLICE_H_
#define REFLECTOR_ENGINE_WAKEUP_SLICE_H_

#include <cstdint>

#include "absl/status/status.h"

namespace reflector::engine {

// The slice a worker asks for: the kernel's shortest (0.1 ms). A worker's batch takes
// microseconds, so a slice this short costs it nothing.
inline constexpr uint64_t kWorkerSliceNs = 100000;

// Sets the calling thread's slice to `slice_ns`, keeping its policy (SCHED_OTHER) and
// niceness. Fails on kernels without custom slices (the thread keeps the default) or for a
// thread with another policy.
absl::Status RequestWakeupSlice(uint64_t slice_ns);

// The calling thread's slice, 0 when the kernel does not report one.
uint64_t CurrentSliceNs();

}  // namespace reflector::engine

#endif  // REFLECTOR_ENGINE_WAKEUP_SLICE_H_
