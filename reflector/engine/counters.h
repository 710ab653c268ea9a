// What a data path has done, in one snapshot: frames received, reflected (per rule) and
// rejected (per reason). Workers and the kernel program each keep their own and the daemon
// adds them up outside the hot path.
#ifndef REFLECTOR_ENGINE_COUNTERS_H_
#define REFLECTOR_ENGINE_COUNTERS_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <vector>

#include "reflector/packet/cfm.h"
#include "reflector/packet/dwell.h"
#include "reflector/packet/packet.h"

namespace reflector::engine {

// What one userspace worker (one queue) received and reflected: how the load spreads over
// the workers of afxdp and afpacket.
struct WorkerCounts {
  uint64_t rx_frames = 0;
  uint64_t reflected_frames = 0;
  friend bool operator==(const WorkerCounts&, const WorkerCounts&) = default;
};

// How long frames stayed in the reflector, as a histogram in the buckets of
// reflector/packet/dwell.h (the kernel program's too). Two are kept:
// * Counters::dwell, reflected frames in a userspace worker: from the batch's arrival (Receive
//   returned) to its submission for sending (Transmit returned). Every frame of a batch is read
//   and submitted together, so one pair of clock reads per batch gives each frame's dwell; the
//   frames of a batch count into its bucket as many times as the batch sent frames.
// * Counters::stamp_dwell, STAMP answers: T3 - T2, the dwell each answer carries.
struct Dwell {
  // Upper bounds of the buckets, in ns; a last bucket takes the rest (+Inf).
  static constexpr std::array<uint64_t, RF_DWELL_BOUNDS> kBoundsNs = {RF_DWELL_BOUNDS_NS};
  std::array<uint64_t, RF_DWELL_BUCKETS> buckets = {};  // frames per bucket, not cumulative
  uint64_t sum_ns = 0;

  // The frames counted (the buckets added up, so that a reading is always consistent).
  uint64_t frames() const {
    uint64_t total = 0;
    for (uint64_t n : buckets) total += n;
    return total;
  }

  void Add(uint64_t dwell_ns, uint64_t count) {
    buckets[rf_dwell_bucket(dwell_ns)] += count;
    sum_ns += dwell_ns * count;
  }
  // A kernel program's histogram (dwell.h), its CPUs summed.
  static Dwell FromHistogram(const rf_dwell_histogram& histogram);
  Dwell& operator+=(const Dwell& other);
  friend bool operator==(const Dwell&, const Dwell&) = default;
};

struct Counters {
  uint64_t rx_frames = 0;
  uint64_t rx_bytes = 0;
  uint64_t reflected_frames = 0;
  uint64_t reflected_bytes = 0;
  // Per rule of the table in force (packet::CompiledConfig::rules), indexed by rf_result.rule.
  std::array<uint64_t, RF_MAX_RULES> reflected_by_rule = {};
  std::array<uint64_t, RF_MAX_RULES> reflected_bytes_by_rule = {};
  // Indexed by packet::Verdict; the kReflect slot stays 0 (see reflected_frames).
  std::array<uint64_t, packet::kVerdictCount> rejected_by_reason = {};
  // The Y.1731 responder (cfm.h), indexed by rf_cfm_outcome: the answers (also counted in
  // reflected_frames, under no rule) and the reasons CFM frames were passed (also counted
  // in rejected_by_reason under the classifier's verdict).
  std::array<uint64_t, RF_CFM_OUTCOME_COUNT> y1731 = {};
  uint64_t passed_frames = 0;  // handed to the kernel stack untouched (XDP paths)
  uint64_t tx_dropped = 0;     // reflected but could not be sent
  uint64_t rx_dropped = 0;     // lost before userspace saw them (socket ring full)
  // The source MAC (rf_mac_number) of the latest frame counted as `loop`; 0: none yet.
  uint64_t loop_peer = 0;
  // Capture (issue 21), filled in by whoever runs the capture: frames written to the file,
  // and frames selected but not written (ring or queue full, rate bound, file bound).
  uint64_t capture_captured = 0;
  uint64_t capture_dropped = 0;
  // Userspace workers only (afxdp, afpacket, dpdk); empty for xdp.
  Dwell dwell;
  // STAMP answers, from whoever sent them: the XDP program (xdp) or the workers.
  Dwell stamp_dwell;
  // The XDP program's STAMP T2s by source (issue 14): [0] the software clock, [1] the NIC's
  // receive timestamp (--stamp_rx_timestamp). The workers' T2s are all the software clock's
  // and not counted here.
  std::array<uint64_t, 2> stamp_rx_time = {};
  // Per worker, in queue order (the engine fills it when it adds its workers up; empty for
  // xdp, whose frames never reach userspace). Adding snapshots lists both sets of workers.
  std::vector<WorkerCounts> workers;

  uint64_t rejected_frames() const;
  Counters& operator+=(const Counters& other);
  friend bool operator==(const Counters&, const Counters&) = default;
};

// A worker's counters, written by that worker only and read by the stats thread. Each field is
// an atomic updated with a relaxed load + store (no read-modify-write: there is one writer), so
// readers never see torn values and the worker pays no locked instruction.
class PublishedCounters {
 public:
  // Adds `delta` (one batch) to the published values. Worker thread only.
  void Add(const Counters& delta);
  // A consistent-enough copy for stats lines (fields may be from adjacent batches).
  Counters Read() const;

 private:
  static void Bump(std::atomic<uint64_t>& field, uint64_t delta) {
    if (delta)
      field.store(field.load(std::memory_order_relaxed) + delta, std::memory_order_relaxed);
  }
  // A Dwell published the same way.
  class PublishedDwell {
   public:
    void Add(const Dwell& delta);
    Dwell Read() const;

   private:
    std::array<std::atomic<uint64_t>, RF_DWELL_BUCKETS> buckets_{};
    std::atomic<uint64_t> sum_ns_{0};
  };

  std::atomic<uint64_t> rx_frames_{0};
  std::atomic<uint64_t> rx_bytes_{0};
  std::atomic<uint64_t> reflected_frames_{0};
  std::atomic<uint64_t> reflected_bytes_{0};
  std::array<std::atomic<uint64_t>, RF_MAX_RULES> reflected_by_rule_{};
  std::array<std::atomic<uint64_t>, RF_MAX_RULES> reflected_bytes_by_rule_{};
  std::array<std::atomic<uint64_t>, packet::kVerdictCount> rejected_by_reason_{};
  std::array<std::atomic<uint64_t>, RF_CFM_OUTCOME_COUNT> y1731_{};
  std::atomic<uint64_t> passed_frames_{0};
  std::atomic<uint64_t> tx_dropped_{0};
  std::atomic<uint64_t> rx_dropped_{0};
  std::atomic<uint64_t> loop_peer_{0};
  PublishedDwell dwell_;
  PublishedDwell stamp_dwell_;
};

}  // namespace reflector::engine

#endif  // REFLECTOR_ENGINE_COUNTERS_H_
