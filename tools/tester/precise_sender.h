// The precise transmit engine: an AF_PACKET socket that bypasses the qdisc and sends batches
// with sendmmsg, paced on the monotonic clock so frame i leaves at start + i / rate. Every
// frame gets its own sequence number and send time. Buffers are allocated once, at Open.
// With a TxStampBook, the kernel's software transmit stamp of every frame is read back from the
// socket's error queue after each batch and put in the book (tx_stamps.h).
#ifndef REFLECTOR_TOOLS_TESTER_PRECISE_SENDER_H_
#define REFLECTOR_TOOLS_TESTER_PRECISE_SENDER_H_

#include <sys/socket.h>
#include <sys/uio.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "reflector/base/unique_fd.h"
#include "tools/tester/stream_frame.h"
#include "tools/tester/tx_stamps.h"

namespace reflector::tester {

struct SendResult {
  uint64_t sent = 0;
  uint64_t elapsed_ns = 0;     // first send to last send
  uint64_t send_errors = 0;    // sendmmsg calls that failed (ENOBUFS and the like), retried
  uint64_t tx_stamps = 0;      // kernel transmit stamps read back
  int error = 0;               // errno of a failure that ended the run early, else 0
};

class PreciseSender {
 public:
  static constexpr int kBatch = 64;

  // `book` (may be null) gets the kernel's transmit stamps; if the socket cannot stamp, it
  // stays empty and `kernel_tx_stamps()` says so.
  static absl::StatusOr<std::unique_ptr<PreciseSender>> Open(int ifindex,
                                                             const StreamFrame& frame,
                                                             TxStampBook* book = nullptr);

  // Sends `count` frames at `rate_fps` (0: as fast as the socket takes them), or stops early
  // at `stop` or once `max_ns` have passed.
  SendResult Run(uint64_t count, double rate_fps, uint64_t max_ns,
                 const std::atomic<bool>& stop);

  // Frames sent so far by the current (or last) Run; any thread may ask.
  uint64_t sent_so_far() const { return sent_so_far_.load(std::memory_order_relaxed); }

  // The socket asks the kernel for software transmit stamps.
  bool kernel_tx_stamps() const { return book_ != nullptr; }

 private:
  PreciseSender(UniqueFd socket, const StreamFrame& frame, TxStampBook* book);
  // Moves every stamp waiting in the error queue into the book; returns how many.
  uint64_t ReadStamps();
  UniqueFd socket_;
  const StreamFrame& frame_;
  std::vector<uint8_t> buffers_;  // kBatch copies of the frame
  iovec iov_[kBatch];
  mmsghdr messages_[kBatch];
  std::atomic<uint64_t> sent_so_far_{0};
  TxStampBook* book_;
  // The error queue's messages: a copy of the frame and its stamp.
  std::vector<uint8_t> stamp_buffers_;
  std::vector<uint8_t> stamp_controls_;
  iovec stamp_iov_[kBatch];
  mmsghdr stamp_messages_[kBatch];
};

}  // namespace reflector::tester

#endif  // REFLECTOR_TOOLS_TESTER_PRECISE_SENDER_H_
