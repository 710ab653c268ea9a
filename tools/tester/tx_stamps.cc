#include "tools/tester/tx_stamps.h"

namespace reflector::tester {

TxStampBook::TxStampBook(int window_log2)
    : slots_(new std::atomic<uint64_t>[size_t{1} << window_log2]),
      mask_(static_cast<uint32_t>((uint64_t{1} << window_log2) - 1)) {
  for (size_t i = 0; i <= mask_; ++i) slots_[i].store(kEmpty, std::memory_order_relaxed);
}

RttResolver::RttResolver(const TxStampBook* book, StreamStats* stats, StreamStats* user_stats,
                         size_t max_held)
    : book_(book), stats_(stats), user_stats_(user_stats), held_(max_held == 0 ? 1 : max_held) {}

void RttResolver::Add(uint32_t seq, uint32_t rx_ns, uint32_t frame_tx_ns) {
  const Held held{seq, rx_ns, frame_tx_ns};
  if (book_ == nullptr) {
    Record(held);
    return;
  }
  // Full: the oldest goes now, with whatever its stamp is (arrival order is kept).
  if (size_ == held_.size()) {
    Record(held_[head_]);
    head_ = (head_ + 1) % held_.size();
    --size_;
  }
  held_[(head_ + size_) % held_.size()] = held;
  ++size_;
  Flush(/*all=*/false);
}

void RttResolver::Flush(bool all) {
  const uint64_t resolved = book_ == nullptr ? 0 : book_->resolved();
  while (size_ > 0 && (all || held_[head_].seq < resolved)) {
    Record(held_[head_]);
    head_ = (head_ + 1) % held_.size();
    --size_;
  }
}

void RttResolver::Record(const Held& held) {
  // Differences modulo 2^32 of the low 32 bits: exact for RTTs below 4.29 s.
  const uint32_t frame_rtt = held.rx_ns - held.frame_tx_ns;
  uint32_t rtt = frame_rtt;
  const std::optional<uint32_t> stamp =
      book_ == nullptr ? std::nullopt : book_->Get(held.seq);
  if (stamp.has_value()) {
    const uint32_t kernel_rtt = held.rx_ns - *stamp;
    const uint32_t send_delay = *stamp - held.frame_tx_ns;
    // Signed views: a stamp after the receive stamp or before the userspace read is wrong.
    if (static_cast<int32_t>(kernel_rtt) >= 0 && static_cast<int32_t>(send_delay) >= 0) {
      rtt = kernel_rtt;
      ++counts_.tx_kernel;
    } else {
      ++counts_.rejected;
      ++counts_.tx_user;
    }
  } else {
    ++counts_.tx_user;
  }
  stats_->Record(held.seq, rtt);
  if (user_stats_ != nullptr) user_stats_->Record(held.seq, frame_rtt);
}

}  // namespace reflector::tester
