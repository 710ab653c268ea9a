#include "tools/tester/precise_sender.h"

#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <linux/errqueue.h>
#include <linux/net_tstamp.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>

#include "absl/status/status.h"
#include "tools/tester/clock.h"

namespace reflector::tester {

namespace {

constexpr size_t kStampControlSize = 256;  // the stamp and the extended error, with room

// A send time at the driver: software stamps, taken as the device transmits each frame (a
// copy of the frame comes back with it, so its sequence number says whose stamp it is).
bool AskForTxStamps(int fd) {
  const int flags = SOF_TIMESTAMPING_TX_SOFTWARE | SOF_TIMESTAMPING_SOFTWARE;
  return setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING, &flags, sizeof(flags)) == 0;
}

}  // namespace

absl::StatusOr<std::unique_ptr<PreciseSender>> PreciseSender::Open(int ifindex,
                                                                   const StreamFrame& frame,
                                                                   TxStampBook* book) {
  // Protocol 0: a send-only socket, so the kernel never queues received frames on it.
  UniqueFd fd(socket(AF_PACKET, SOCK_RAW, 0));
  if (!fd.valid()) {
    return absl::ErrnoToStatus(errno, "open an AF_PACKET socket (needs CAP_NET_RAW)");
  }
  // Straight to the driver: no qdisc to queue or reorder frames between the pacing and the
  // wire, and send errors come back to us instead of becoming silent qdisc drops.
  const int one = 1;
  if (setsockopt(fd.get(), SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one)) != 0) {
    return absl::ErrnoToStatus(errno, "set PACKET_QDISC_BYPASS");
  }
  sockaddr_ll address = {};
  address.sll_family = AF_PACKET;
  address.sll_ifindex = ifindex;
  if (bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    return absl::ErrnoToStatus(errno, "bind the AF_PACKET socket to the interface");
  }
  // Without stamps the RTTs start at the send time read in userspace, as the report says.
  if (book != nullptr && !AskForTxStamps(fd.get())) book = nullptr;
  return std::unique_ptr<PreciseSender>(new PreciseSender(std::move(fd), frame, book));
}

PreciseSender::PreciseSender(UniqueFd socket, const StreamFrame& frame, TxStampBook* book)
    : socket_(std::move(socket)), frame_(frame), book_(book) {
  const size_t size = frame.size();
  buffers_.resize(size * kBatch);
  for (int i = 0; i < kBatch; ++i) {
    uint8_t* buffer = buffers_.data() + size * i;
    std::memcpy(buffer, frame.bytes().data(), size);
    iov_[i] = {buffer, size};
    messages_[i] = {};
    messages_[i].msg_hdr.msg_iov = &iov_[i];
    messages_[i].msg_hdr.msg_iovlen = 1;
  }
  if (book_ == nullptr) return;
  stamp_buffers_.resize(size * kBatch);
  stamp_controls_.resize(kStampControlSize * kBatch);
  for (int i = 0; i < kBatch; ++i) {
    stamp_iov_[i] = {stamp_buffers_.data() + size * i, size};
    stamp_messages_[i] = {};
    stamp_messages_[i].msg_hdr.msg_iov = &stamp_iov_[i];
    stamp_messages_[i].msg_hdr.msg_iovlen = 1;
  }
}

uint64_t PreciseSender::ReadStamps() {
  if (book_ == nullptr) return 0;
  uint64_t stamps = 0;
  const size_t size = frame_.size();
  for (;;) {
    for (int i = 0; i < kBatch; ++i) {
      stamp_messages_[i].msg_hdr.msg_control = stamp_controls_.data() + kStampControlSize * i;
      stamp_messages_[i].msg_hdr.msg_controllen = kStampControlSize;
    }
    const int n = recvmmsg(socket_.get(), stamp_messages_, kBatch, MSG_ERRQUEUE | MSG_DONTWAIT,
                           nullptr);
    if (n <= 0) return stamps;
    for (int i = 0; i < n; ++i) {
      msghdr& message = stamp_messages_[i].msg_hdr;
      const scm_timestamping* stamp = nullptr;
      bool is_stamp = false;
      for (cmsghdr* c = CMSG_FIRSTHDR(&message); c != nullptr; c = CMSG_NXTHDR(&message, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPING) {
          stamp = reinterpret_cast<const scm_timestamping*>(CMSG_DATA(c));
        } else if (c->cmsg_level == SOL_PACKET && c->cmsg_type == PACKET_TX_TIMESTAMP) {
          const auto* error = reinterpret_cast<const sock_extended_err*>(CMSG_DATA(c));
          is_stamp = error->ee_origin == SO_EE_ORIGIN_TIMESTAMPING;
        }
      }
      TrailerFields fields;
      if (stamp == nullptr || !is_stamp ||
          !ReadTrailer(absl::MakeConstSpan(stamp_buffers_.data() + size * i,
                                           std::min<size_t>(stamp_messages_[i].msg_len, size)),
                       frame_.marker_offset(), frame_.marker(), &fields)) {
        continue;
      }
      const uint64_t tx_ns = static_cast<uint64_t>(stamp->ts[0].tv_sec) * 1000000000ull +
                             static_cast<uint64_t>(stamp->ts[0].tv_nsec);
      book_->Put(fields.sequence, static_cast<uint32_t>(tx_ns));
      ++stamps;
    }
  }
}

namespace {
// The stretch before a send the sender spins through instead of sleeping.
constexpr uint64_t kSpinNs = 40000;
}  // namespace

SendResult PreciseSender::Run(uint64_t count, double rate_fps, uint64_t max_ns,
                              const std::atomic<bool>& stop) {
  SendResult result;
  sent_so_far_.store(0, std::memory_order_relaxed);
  // Wake up when asked: the default 50 us of timer slack would eat the spin stretch.
  prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
  const size_t size = frame_.size();
  const double ns_per_frame = rate_fps > 0 ? 1e9 / rate_fps : 0;
  const uint64_t start = MonotonicNs();
  uint64_t last_send = start;
  while (result.sent < count && !stop.load(std::memory_order_relaxed)) {
    const uint64_t now = MonotonicNs();
    if (now - start >= max_ns) break;
    // Frames due by now: frame i is due at start + i * ns_per_frame.
    uint64_t due = count;
    if (ns_per_frame > 0) {
      due = std::min<uint64_t>(count, static_cast<uint64_t>((now - start) / ns_per_frame) + 1);
    }
    if (due <= result.sent) {
      const uint64_t next = start + static_cast<uint64_t>(std::ceil(result.sent * ns_per_frame));
      // Sleeping wakes up late by tens of microseconds; spin for the last stretch. Sleep
      // even between frames 100 us apart (10 kfps): a sender spinning all the time keeps its
      // CPU busy, and the scheduler moves every other task to the reflector's CPU.
      if (next > now + kSpinNs + 10000) SleepUntilNs(next - kSpinNs);
      continue;
    }
    const int batch = static_cast<int>(std::min<uint64_t>(due - result.sent, kBatch));
    // One send time for the batch: its frames leave back to back within microseconds.
    const uint64_t tx_time = RealtimeNs();
    for (int i = 0; i < batch; ++i) {
      frame_.Stamp(absl::MakeSpan(buffers_.data() + size * i, size),
                   static_cast<uint32_t>(result.sent + i), tx_time);
    }
    int done = 0;
    while (done < batch) {
      const int n = sendmmsg(socket_.get(), messages_ + done, batch - done, 0);
      if (n > 0) {
        done += n;
        continue;
      }
      ++result.send_errors;
      // ENOBUFS: the device queue is full; the frames not sent yet are retried, their send
      // time already stamped (it only makes their RTT look longer, never shorter).
      if (errno != ENOBUFS && errno != EAGAIN && errno != EINTR) {
        result.error = errno;
        break;
      }
      if (stop.load(std::memory_order_relaxed)) break;
    }
    result.sent += done;
    sent_so_far_.store(result.sent, std::memory_order_relaxed);
    // With qdisc bypass the driver transmits inside sendmmsg, so the batch's stamps are
    // queued by now; the receiver may use them from here on.
    if (book_ != nullptr) {
      result.tx_stamps += ReadStamps();
      book_->Resolve(result.sent);
    }
    last_send = MonotonicNs();
    if (done < batch) break;  // a hard send error: stop rather than spin on it
  }
  result.elapsed_ns = last_send - start;
  if (book_ != nullptr) {
    result.tx_stamps += ReadStamps();
    book_->Resolve(result.sent);
  }
  return result;
}

}  // namespace reflector::tester
