#include "reflector/engine/counters.h"

namespace reflector::engine {

uint64_t Counters::rejected_frames() const {
  uint64_t total = 0;
  for (uint64_t n : rejected_by_reason) total += n;
  return total;
}

Dwell Dwell::FromHistogram(const rf_dwell_histogram& histogram) {
  Dwell out;
  for (size_t i = 0; i < out.buckets.size(); ++i) out.buckets[i] = histogram.buckets[i];
  out.sum_ns = histogram.sum_ns;
  return out;
}

Dwell& Dwell::operator+=(const Dwell& other) {
  for (size_t i = 0; i < buckets.size(); ++i) buckets[i] += other.buckets[i];
  sum_ns += other.sum_ns;
  return *this;
}

Counters& Counters::operator+=(const Counters& other) {
  rx_frames += other.rx_frames;
  rx_bytes += other.rx_bytes;
  reflected_frames += other.reflected_frames;
  reflected_bytes += other.reflected_bytes;
  for (size_t i = 0; i < reflected_by_rule.size(); ++i) {
    reflected_by_rule[i] += other.reflected_by_rule[i];
    reflected_bytes_by_rule[i] += other.reflected_bytes_by_rule[i];
  }
  for (size_t i = 0; i < rejected_by_reason.size(); ++i) {
    rejected_by_reason[i] += other.rejected_by_reason[i];
  }
  for (size_t i = 0; i < y1731.size(); ++i) y1731[i] += other.y1731[i];
  passed_frames += other.passed_frames;
  tx_dropped += other.tx_dropped;
  rx_dropped += other.rx_dropped;
  if (other.loop_peer != 0) loop_peer = other.loop_peer;
  capture_captured += other.capture_captured;
  capture_dropped += other.capture_dropped;
  dwell += other.dwell;
  stamp_dwell += other.stamp_dwell;
  for (size_t i = 0; i < stamp_rx_time.size(); ++i) stamp_rx_time[i] += other.stamp_rx_time[i];
  workers.insert(workers.end(), other.workers.begin(), other.workers.end());
  return *this;
}

void PublishedCounters::Add(const Counters& delta) {
  Bump(rx_frames_, delta.rx_frames);
  Bump(rx_bytes_, delta.rx_bytes);
  Bump(reflected_frames_, delta.reflected_frames);
  Bump(reflected_bytes_, delta.reflected_bytes);
  for (size_t i = 0; i < reflected_by_rule_.size(); ++i) {
    Bump(reflected_by_rule_[i], delta.reflected_by_rule[i]);
    Bump(reflected_bytes_by_rule_[i], delta.reflected_bytes_by_rule[i]);
  }
  for (size_t i = 0; i < rejected_by_reason_.size(); ++i) {
    Bump(rejected_by_reason_[i], delta.rejected_by_reason[i]);
  }
  for (size_t i = 0; i < y1731_.size(); ++i) Bump(y1731_[i], delta.y1731[i]);
  Bump(passed_frames_, delta.passed_frames);
  Bump(tx_dropped_, delta.tx_dropped);
  Bump(rx_dropped_, delta.rx_dropped);
  if (delta.loop_peer != 0) loop_peer_.store(delta.loop_peer, std::memory_order_relaxed);
  dwell_.Add(delta.dwell);
  stamp_dwell_.Add(delta.stamp_dwell);
}

void PublishedCounters::PublishedDwell::Add(const Dwell& delta) {
  if (delta.sum_ns == 0 && delta.buckets[0] == 0) return;  // nothing counted, mostly
  for (size_t i = 0; i < buckets_.size(); ++i) Bump(buckets_[i], delta.buckets[i]);
  Bump(sum_ns_, delta.sum_ns);
}

Dwell PublishedCounters::PublishedDwell::Read() const {
  Dwell out;
  for (size_t i = 0; i < buckets_.size(); ++i) {
    out.buckets[i] = buckets_[i].load(std::memory_order_relaxed);
  }
  out.sum_ns = sum_ns_.load(std::memory_order_relaxed);
  return out;
}

Counters PublishedCounters::Read() const {
  Counters out;
  out.rx_frames = rx_frames_.load(std::memory_order_relaxed);
  out.rx_bytes = rx_bytes_.load(std::memory_order_relaxed);
  out.reflected_frames = reflected_frames_.load(std::memory_order_relaxed);
  out.reflected_bytes = reflected_bytes_.load(std::memory_order_relaxed);
  for (size_t i = 0; i < out.reflected_by_rule.size(); ++i) {
    out.reflected_by_rule[i] = reflected_by_rule_[i].load(std::memory_order_relaxed);
    out.reflected_bytes_by_rule[i] = reflected_bytes_by_rule_[i].load(std::memory_order_relaxed);
  }
  for (size_t i = 0; i < out.rejected_by_reason.size(); ++i) {
    out.rejected_by_reason[i] = rejected_by_reason_[i].load(std::memory_order_relaxed);
  }
  for (size_t i = 0; i < out.y1731.size(); ++i) {
    out.y1731[i] = y1731_[i].load(std::memory_order_relaxed);
  }
  out.passed_frames = passed_frames_.load(std::memory_order_relaxed);
  out.tx_dropped = tx_dropped_.load(std::memory_order_relaxed);
  out.rx_dropped = rx_dropped_.load(std::memory_order_relaxed);
  out.loop_peer = loop_peer_.load(std::memory_order_relaxed);
  out.dwell = dwell_.Read();
  out.stamp_dwell = stamp_dwell_.Read();
  return out;
}

}  // namespace reflector::engine
