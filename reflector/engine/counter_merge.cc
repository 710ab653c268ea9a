#include "reflector/engine/counter_merge.h"

#include <algorithm>

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

Counters MergeAfXdpCounters(const Counters& workers, const Counters& program, bool monitor) {
  if (monitor) return program;
  Counters out = workers;
  out.rx_frames =
      std::max(program.rx_frames, workers.rx_frames + program.rx_frames - program.reflected_frames);
  out.rx_bytes =
      std::max(program.rx_bytes, workers.rx_bytes + program.rx_bytes - program.reflected_bytes);
  for (size_t i = 0; i < out.rejected_by_reason.size(); ++i) {
    out.rejected_by_reason[i] += program.rejected_by_reason[i];
  }
  out.passed_frames += program.passed_frames;
  return out;
}

Counters MergeAfPacketCounters(const Counters& workers, const Counters& tc) {
  Counters out = workers;
  out.rx_frames = std::max(workers.rx_frames, tc.rx_frames);
  out.rx_bytes = std::max(workers.rx_bytes, tc.rx_bytes);
  for (size_t i = 0; i < out.rejected_by_reason.size(); ++i) {
    out.rejected_by_reason[i] = std::max(workers.rejected_by_reason[i], tc.rejected_by_reason[i]);
  }
  out.passed_frames = tc.passed_frames;
  return out;
}

}  // namespace reflector::engine
