#include "reflector/engine/counter_merge.h"

#include <algorithm>

#include "xdp/counters.h"

namespace reflector::engine {

Counters FromKernelCounters(const rf_xdp_counters& kernel, bool monitor) {
  Counters out;
  for (int i = 0; i < packet::kVerdictCount; ++i) {
    if (i != RF_REFLECT) out.rejected_by_reason[i] = kernel.verdict_frames[i];
  }
  for (int i = 0; i < RF_MAX_RULES; ++i) {
    out.reflected_by_rule[i] = kernel.rule_frames[i];
    out.reflected_bytes_by_rule[i] = kernel.rule_bytes[i];
  }
  // Y.1731 answers are reflected frames of no rule; its passed frames are rejected ones too.
  for (int i = 0; i < RF_CFM_OUTCOME_COUNT; ++i) out.y1731[i] = kernel.cfm_frames[i];
  out.reflected_frames = xdp::ReflectVerdicts(kernel) + xdp::CfmAnswers(kernel);
  out.reflected_bytes = xdp::ReflectBytes(kernel) + kernel.cfm_answered_bytes;
  out.rx_frames = out.reflected_frames + xdp::RejectedFrames(kernel);
  out.rx_bytes = out.reflected_bytes + kernel.rejected_bytes;
  out.passed_frames = xdp::PassedFrames(kernel, monitor);
  out.loop_peer = kernel.loop_peer;
  for (size_t i = 0; i < out.stamp_rx_time.size(); ++i) {
    out.stamp_rx_time[i] = kernel.stamp_rx_time[i];
  }
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
  // The program counts the CFM frames it passed; the workers the answers (redirected to them).
  for (size_t i = 0; i < out.y1731.size(); ++i) out.y1731[i] += program.y1731[i];
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
  // Both run the Y.1731 responder's checks too; tc also sees the CFM frames the socket
  // filter keeps from the workers (multicast other than LBM).
  for (size_t i = 0; i < out.y1731.size(); ++i) {
    out.y1731[i] = std::max(workers.y1731[i], tc.y1731[i]);
  }
  out.passed_frames = tc.passed_frames;
  return out;
}

}  // namespace reflector::engine
