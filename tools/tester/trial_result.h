// What one trial (one stream at one rate) measured: plain data for reports and the search.
#ifndef REFLECTOR_TOOLS_TESTER_TRIAL_RESULT_H_
#define REFLECTOR_TOOLS_TESTER_TRIAL_RESULT_H_

#include <cstdint>
#include <optional>

#include "tools/tester/stream_frame.h"
#include "tools/tester/stream_stats.h"
#include "tools/tester/tx_stamps.h"

namespace reflector::tester {

enum class Engine {
  kPrecise,   // AF_PACKET, paced, per-frame sequence and time: loss, order, RTT, jitter
  kLineRate,  // live-frames XDP_TX: maximum offered load, counts only
};

struct TrialResult {
  StreamSpec spec;  // with the stream id this trial used
  Engine engine = Engine::kPrecise;
  double requested_fps = 0;  // 0: as fast as possible
  StreamSummary summary;     // for kLineRate: sent, received, lost only
  // kPrecise: the send times the RTTs start from. Every RTT ends at the kernel's receive
  // stamp; it starts at the kernel's transmit stamp where the socket gave one.
  bool kernel_tx_stamps = false;  // the sending socket asked the kernel for them
  RttClockCounts rtt_clock;
  // With kernel stamps: the same reflections timed from the send time read in userspace
  // before sendmmsg, which includes the tester's own delay in handing the frame over.
  std::optional<RttSummary> frame_clock_rtt;
  uint64_t xdp_received = 0;  // reflections the tester's XDP program counted
  uint64_t ring_drops = 0;    // frames the receive ring had no room for (kPrecise)
  uint64_t send_errors = 0;   // sendmmsg calls retried (kPrecise)
  double elapsed_s = 0;       // sending time: for kLineRate, sent / tx_fps
  double tx_fps = 0;          // over the span the frames were sent in
  double rx_fps = 0;  // reflections per second of sending time
  uint64_t burst_frames = 0;    // kLineRate: most frames sent back to back
  uint64_t schedule_slips = 0;  // kLineRate: times the pacer fell behind and moved on
  double slipped_s = 0;         // kLineRate: time lost to them
  bool rx_generic_xdp = false;  // the receive counter fell back to generic XDP
  bool interrupted = false;     // a signal ended the sending early: a partial result

  bool counts_only() const { return engine == Engine::kLineRate; }
};

// Mbit/s of Ethernet frames (FCS included, preamble and gap not) at `fps`.
inline double FrameMbps(double fps, size_t frame_size) {
  return fps * static_cast<double>(frame_size) * 8 / 1e6;
}

}  // namespace reflector::tester

#endif  // REFLECTOR_TOOLS_TESTER_TRIAL_RESULT_H_
