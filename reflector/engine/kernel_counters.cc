#include "reflector/engine/kernel_counters.h"

namespace reflector::engine {

Counters FromKernelCounters(const rf_xdp_counters& kernel) {
  Counters out;
  for (int i = 0; i < packet::kVerdictCount; ++i) {
    out.rx_frames += kernel.verdict_frames[i];
    if (i != RF_REFLECT) out.rejected_by_reason[i] = kernel.verdict_frames[i];
  }
  out.rx_bytes = kernel.rx_bytes;
  for (int i = 0; i < packet::kSignatureCount; ++i) {
    out.reflected_by_signature[i] = kernel.reflect_frames[i];
    out.reflected_bytes += kernel.reflect_bytes[i];
  }
  out.reflected_frames = kernel.verdict_frames[RF_REFLECT];
  out.passed_frames = kernel.passed;
  return out;
}

}  // namespace reflector::engine
