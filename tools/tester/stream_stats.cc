#include "tools/tester/stream_stats.h"

#include <algorithm>
#include <cmath>

namespace reflector::tester {

uint32_t NearestRank(const std::vector<uint32_t>& sorted, double percent) {
  const double n = static_cast<double>(sorted.size());
  // The epsilon keeps 99.9% of 1000 at rank 999: in binary, 0.999 * 1000 is a hair above it.
  size_t rank = static_cast<size_t>(std::ceil(percent / 100.0 * n - 1e-9));
  rank = std::clamp<size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

StreamStats::StreamStats(uint64_t max_frames, uint64_t max_rtt_samples)
    : seen_(max_frames, false) {
  rtts_.reserve(max_rtt_samples);
}

StreamSummary StreamStats::Summarize(uint64_t sent) {
  StreamSummary s;
  s.sent = sent;
  s.received = received_;
  s.unique = unique_;
  s.lost = sent > unique_ ? sent - unique_ : 0;
  s.loss_percent = sent == 0 ? 0 : 100.0 * static_cast<double>(s.lost) / static_cast<double>(sent);
  s.duplicates = duplicates_;
  s.out_of_order = out_of_order_;
  s.unknown = unknown_;
  if (unique_ == 0) return s;

  std::sort(rtts_.begin(), rtts_.end());
  constexpr double kUs = 1e-3;
  RttSummary r;
  r.min_us = rtt_min_ns_ * kUs;
  r.max_us = rtt_max_ns_ * kUs;
  r.mean_us = static_cast<double>(rtt_sum_ns_) / static_cast<double>(unique_) * kUs;
  r.jitter_us = jitter_ns_ * kUs;
  r.samples = rtts_.size();
  if (!rtts_.empty()) {
    r.p50_us = NearestRank(rtts_, 50) * kUs;
    r.p90_us = NearestRank(rtts_, 90) * kUs;
    r.p99_us = NearestRank(rtts_, 99) * kUs;
    r.p999_us = NearestRank(rtts_, 99.9) * kUs;
  }
  s.rtt = r;
  return s;
}

}  // namespace reflector::tester
