// What the receive side learns from the reflections of one stream: loss, duplicates,
// reordering, round-trip times and jitter. Record() runs per received frame, so it only
// updates counters and writes into memory sized before the run; Summarize() does the sorting
// after the run.
#ifndef REFLECTOR_TOOLS_TESTER_STREAM_STATS_H_
#define REFLECTOR_TOOLS_TESTER_STREAM_STATS_H_

#include <cstdint>
#include <optional>
#include <vector>

namespace reflector::tester {

struct RttSummary {
  double min_us = 0;
  double mean_us = 0;
  double p50_us = 0;
  double p90_us = 0;
  double p99_us = 0;
  double p999_us = 0;
  double max_us = 0;
  double jitter_us = 0;  // RFC 3550 interarrival jitter over the RTTs
  uint64_t samples = 0;  // RTTs behind the percentiles (all frames unless the cap was hit)
};

struct StreamSummary {
  uint64_t sent = 0;
  uint64_t received = 0;    // matching frames, duplicates included
  uint64_t unique = 0;      // distinct sequence numbers received
  uint64_t lost = 0;        // sent - unique
  double loss_percent = 0;  // lost / sent
  uint64_t duplicates = 0;
  uint64_t out_of_order = 0;  // arrived after a higher sequence number
  uint64_t unknown = 0;       // sequence number never sent (corrupt or from another run)
  std::optional<RttSummary> rtt;  // absent when nothing came back
};

// Nearest-rank percentile (the smallest sample with at least `percent` of the samples at or
// below it) of `sorted`, which must not be empty.
uint32_t NearestRank(const std::vector<uint32_t>& sorted, double percent);

class StreamStats {
 public:
  // Room for `max_frames` sequence numbers (a bit each) and up to `max_rtt_samples` RTTs;
  // allocated here, never during the run.
  StreamStats(uint64_t max_frames, uint64_t max_rtt_samples);

  // A reflection of frame `seq` came back after `rtt_ns`. Not thread-safe: one receiver.
  void Record(uint32_t seq, uint32_t rtt_ns) {
    ++received_;
    if (seq >= seen_.size()) {
      ++unknown_;
      return;
    }
    if (seen_[seq]) {
      ++duplicates_;
      return;
    }
    seen_[seq] = true;
    ++unique_;
    if (any_ && seq < highest_) ++out_of_order_;
    if (!any_ || seq > highest_) highest_ = seq;
    // RFC 3550 §6.4.1: J += (|D| - J) / 16, D the change in transit time between two frames
    // in arrival order. Transit here is the round trip, so no clock sync is needed.
    if (any_) {
      const double d = static_cast<double>(rtt_ns) - static_cast<double>(last_rtt_ns_);
      jitter_ns_ += ((d < 0 ? -d : d) - jitter_ns_) / 16.0;
    }
    any_ = true;
    last_rtt_ns_ = rtt_ns;
    rtt_sum_ns_ += rtt_ns;
    if (rtt_ns < rtt_min_ns_) rtt_min_ns_ = rtt_ns;
    if (rtt_ns > rtt_max_ns_) rtt_max_ns_ = rtt_ns;
    if (rtts_.size() < rtts_.capacity()) rtts_.push_back(rtt_ns);  // never reallocates
  }

  // Sorts the RTT samples: call once, after the run.
  StreamSummary Summarize(uint64_t sent);

 private:
  std::vector<bool> seen_;
  std::vector<uint32_t> rtts_;
  uint64_t received_ = 0;
  uint64_t unique_ = 0;
  uint64_t duplicates_ = 0;
  uint64_t out_of_order_ = 0;
  uint64_t unknown_ = 0;
  bool any_ = false;
  uint32_t highest_ = 0;
  uint32_t last_rtt_ns_ = 0;
  double jitter_ns_ = 0;
  uint64_t rtt_sum_ns_ = 0;
  uint32_t rtt_min_ns_ = UINT32_MAX;
  uint32_t rtt_max_ns_ = 0;
};

}  // namespace reflector::tester

#endif  // REFLECTOR_TOOLS_TESTER_STREAM_STATS_H_
