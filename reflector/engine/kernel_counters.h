// The kernel programs' per-CPU counter record (xdp/abi.h), summed, in the engine's terms.
#ifndef REFLECTOR_ENGINE_KERNEL_COUNTERS_H_
#define REFLECTOR_ENGINE_KERNEL_COUNTERS_H_

#include "reflector/engine/counters.h"
#include "xdp/abi.h"

namespace reflector::engine {

Counters FromKernelCounters(const rf_xdp_counters& kernel);

}  // namespace reflector::engine

#endif  // REFLECTOR_ENGINE_KERNEL_COUNTERS_H_
