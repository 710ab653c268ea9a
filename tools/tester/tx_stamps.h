// Kernel transmit timestamps for the precise engine's round-trip times. A frame carries the
// send time the sender read just before sendmmsg; the kernel's software transmit stamp (taken
// in the driver's transmit routine, the last point software sees before the wire) reaches the
// sender later through the socket's error queue — on veth often after the reflection is
// already in the receive ring. TxStampBook carries the stamps from the sending thread to the
// receiving one; RttResolver holds each reflection until its stamp is known or known to be
// missing, so an RTT runs from the kernel's transmit stamp to the kernel's receive stamp and
// neither tester thread's scheduling counts. Where there is no stamp, the frame's send time is
// used and counted as such.
#ifndef REFLECTOR_TOOLS_TESTER_TX_STAMPS_H_
#define REFLECTOR_TOOLS_TESTER_TX_STAMPS_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "tools/tester/stream_stats.h"

namespace reflector::tester {

// Times are the low 32 bits of CLOCK_REALTIME ns, like the trailer's send time.
class TxStampBook {
 public:
  // Remembers the stamps of the last 2^window_log2 sequence numbers.
  explicit TxStampBook(int window_log2);

  // Sender: frame `seq` left at kernel time `tx_ns`.
  void Put(uint32_t seq, uint32_t tx_ns) {
    slots_[seq & mask_].store(uint64_t{seq} << 32 | tx_ns, std::memory_order_relaxed);
  }
  // Sender: every frame below `seq` was handed to the kernel and its stamp, if any, Put.
  void Resolve(uint64_t seq) { resolved_.store(seq, std::memory_order_release); }

  // Receiver: frames below this have their stamps settled.
  uint64_t resolved() const { return resolved_.load(std::memory_order_acquire); }
  // Receiver: the stamp of `seq`, unless it never came or a later frame took its slot.
  std::optional<uint32_t> Get(uint32_t seq) const {
    const uint64_t slot = slots_[seq & mask_].load(std::memory_order_relaxed);
    if (slot == kEmpty || static_cast<uint32_t>(slot >> 32) != seq) return std::nullopt;
    return static_cast<uint32_t>(slot);
  }

 private:
  static constexpr uint64_t kEmpty = UINT64_MAX;
  std::unique_ptr<std::atomic<uint64_t>[]> slots_;
  uint32_t mask_;
  std::atomic<uint64_t> resolved_{0};
};

// Which send time the RTTs of a run started from.
struct RttClockCounts {
  uint64_t tx_kernel = 0;  // the kernel's transmit stamp
  uint64_t tx_user = 0;    // the frame's send time (no kernel stamp for it)
  // Kernel stamps that could not be right (after the receive stamp, or before the send time
  // read in userspace) and were not used; they count in tx_user.
  uint64_t rejected = 0;
};

// Feeds reflections to StreamStats in arrival order, each with the best RTT known for it.
// Not thread-safe: the receiving thread owns it.
class RttResolver {
 public:
  // `book` null: no kernel transmit stamps, every RTT from the frame's send time.
  // `user_stats`, if not null, gets the same reflections with RTTs from the frames' send
  // times, to compare the two clocks on the same frames.
  RttResolver(const TxStampBook* book, StreamStats* stats, StreamStats* user_stats,
              size_t max_held);

  // A reflection of `seq` received at kernel time `rx_ns`, sent (as the frame says) at
  // `frame_tx_ns`.
  void Add(uint32_t seq, uint32_t rx_ns, uint32_t frame_tx_ns);
  // Records the held reflections whose stamps are settled; with `all`, every one (call it
  // once the sender has resolved everything it sent).
  void Flush(bool all);

  const RttClockCounts& counts() const { return counts_; }

 private:
  struct Held {
    uint32_t seq;
    uint32_t rx_ns;
    uint32_t frame_tx_ns;
  };
  void Record(const Held& held);

  const TxStampBook* book_;
  StreamStats* stats_;
  StreamStats* user_stats_;
  std::vector<Held> held_;  // a ring, sized once
  size_t head_ = 0;
  size_t size_ = 0;
  RttClockCounts counts_;
};

}  // namespace reflector::tester

#endif  // REFLECTOR_TOOLS_TESTER_TX_STAMPS_H_
