#include "platform/afxdp/afxdp_io.h"

#include <linux/if_xdp.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "platform/afxdp/bind_policy.h"
#include "platform/afxdp/busy_poll.h"
#include "reflector/base/status_macros.h"

namespace reflector::platform::afxdp {
namespace {

// In copy mode one sendto transmits a bounded burst (32 frames in current kernels) and
// reports EAGAIN when more is left, so a batch of 64 needs two or three. More than that means
// the kernel cannot keep up; the rest goes out with the next batch, Flush or poll.
constexpr int kMaxKicks = 4;

xdp_statistics KernelStatistics(int fd) {
  xdp_statistics statistics = {};
  socklen_t length = sizeof(statistics);
  if (getsockopt(fd, SOL_XDP, XDP_STATISTICS, &statistics, &length) != 0) return {};
  return statistics;
}

}  // namespace

absl::StatusOr<std::unique_ptr<AfXdpIo>> AfXdpIo::Create(const AfXdpOptions& options) {
  REFLECTOR_RETURN_IF_ERROR(ValidateOptions(options));
  REFLECTOR_ASSIGN_OR_RETURN(BoundSocket bound, BindSocket(options));
  std::unique_ptr<AfXdpIo> io(
      new AfXdpIo(options, std::move(bound.socket), bound.zero_copy, std::move(bound.mode)));
  if (options.busy_poll) {
    REFLECTOR_RETURN_IF_ERROR(EnableKernelBusyPoll(io->socket_->fd(), io->Describe()));
  }
  // Buffers go in before the program can redirect here, so the first frames find room.
  io->RefillFillRing();
  REFLECTOR_ASSIGN_OR_RETURN(
      XskMapEntry entry, XskMapEntry::Insert(options.xsk_map_fd, options.queue, io->socket_->fd()));
  io->map_entry_.emplace(std::move(entry));
  return io;
}

AfXdpIo::AfXdpIo(const AfXdpOptions& options, std::unique_ptr<XskSocket> socket, bool zero_copy,
                 std::string mode)
    : interface_(options.interface),
      queue_(options.queue),
      ring_size_(options.ring_size),
      frame_size_(options.frame_size),
      zero_copy_(zero_copy),
      busy_poll_(options.busy_poll),
      mode_(std::move(mode)),
      socket_(std::move(socket)),
      pool_(options.frame_count, options.frame_size) {}

AfXdpIo::~AfXdpIo() {
  // Out of the XSKMAP first (the member order would do it too; this says it on purpose).
  map_entry_.reset();
}

void AfXdpIo::ReclaimCompletions() {
  xsk_ring_cons& completion = socket_->completion();
  uint32_t index = 0;
  const uint32_t n = xsk_ring_cons__peek(&completion, ring_size_, &index);
  if (n == 0) return;
  for (uint32_t i = 0; i < n; ++i) {
    const uint64_t addr = *xsk_ring_cons__comp_addr(&completion, index + i);
    if (!pool_.Move(addr, Place::kKernelTx, Place::kFree)) ++kernel_strays_;
  }
  xsk_ring_cons__release(&completion, n);
}

void AfXdpIo::RefillFillRing() {
  const uint32_t free = pool_.count(Place::kFree);
  if (free == 0) return;
  xsk_ring_prod& fill = socket_->fill();
  // The fill ring has a slot for every frame of the UMEM, so this is normally all of them.
  const uint32_t n = std::min(free, xsk_prod_nb_free(&fill, free));
  uint32_t index = 0;
  if (n == 0 || xsk_ring_prod__reserve(&fill, n, &index) != n) return;
  for (uint32_t i = 0; i < n; ++i) {
    uint64_t addr = 0;
    pool_.TakeFree(Place::kKernelRx, &addr);  // cannot fail: n <= free
    *xsk_ring_prod__fill_addr(&fill, index + i) = addr;
  }
  xsk_ring_prod__submit(&fill, n);
}

bool AfXdpIo::TxPending() { return xsk_prod_nb_free(&socket_->tx(), ring_size_) < ring_size_; }

absl::Status AfXdpIo::KickTx() {
  xsk_ring_prod& tx = socket_->tx();
  for (int kick = 0; kick < kMaxKicks && TxPending(); ++kick) {
    // Zero-copy drivers clear the flag while their NAPI loop is busy sending: no syscall then.
    if (!xsk_ring_prod__needs_wakeup(&tx)) break;
    if (sendto(socket_->fd(), nullptr, 0, MSG_DONTWAIT, nullptr, 0) < 0) {
      if (errno == ENETDOWN) break;  // frames wait on the ring until the link is back
      if (errno != EAGAIN && errno != EBUSY && errno != ENOBUFS && errno != EINTR) {
        return absl::ErrnoToStatus(
            errno, absl::StrCat("afxdp: kick TX on ", interface_, " queue ", queue_));
      }
    }
    // Copy mode completes inside sendto; a full completion ring would stall the next kick.
    ReclaimCompletions();
  }
  return absl::OkStatus();
}

absl::Status AfXdpIo::WaitForRx(absl::Duration timeout) {
  if (timeout <= absl::ZeroDuration()) {
    // Spinning: a zero-copy driver that found the fill ring empty sleeps until told; with
    // kernel busy polling, the call itself runs the device's NAPI poll. Only a wakeup; a
    // failure here shows up as frames not arriving, not as an error.
    if (busy_poll_ || xsk_ring_prod__needs_wakeup(&socket_->fill())) {
      recvfrom(socket_->fd(), nullptr, 0, MSG_DONTWAIT, nullptr, nullptr);
    }
    return absl::OkStatus();
  }
  // poll also wakes the driver (need_wakeup) and, in copy mode, sends what the TX ring holds.
  const int64_t ms = absl::ToInt64Milliseconds(absl::Ceil(timeout, absl::Milliseconds(1)));
  pollfd readable = {.fd = socket_->fd(), .events = POLLIN, .revents = 0};
  if (poll(&readable, 1, static_cast<int>(std::min<int64_t>(ms, INT_MAX))) < 0 && errno != EINTR) {
    return absl::ErrnoToStatus(errno, absl::StrCat("afxdp: poll ", interface_, " queue ", queue_));
  }
  return absl::OkStatus();
}

absl::StatusOr<size_t> AfXdpIo::Receive(absl::Span<Frame> frames, absl::Duration timeout) {
  ReclaimCompletions();
  RefillFillRing();
  xsk_ring_cons& rx = socket_->rx();
  const uint32_t want = static_cast<uint32_t>(std::min<size_t>(frames.size(), ring_size_));
  uint32_t index = 0;
  uint32_t n = xsk_ring_cons__peek(&rx, want, &index);
  if (n == 0 && want > 0) {
    REFLECTOR_RETURN_IF_ERROR(WaitForRx(timeout));
    n = xsk_ring_cons__peek(&rx, want, &index);
  }
  uint8_t* const area = socket_->umem_area();
  size_t count = 0;
  for (uint32_t i = 0; i < n; ++i) {
    const xdp_desc* desc = xsk_ring_cons__rx_desc(&rx, index + i);
    if (!pool_.Move(desc->addr, Place::kKernelRx, Place::kEngine)) {
      ++kernel_strays_;
      continue;
    }
    // The frame may grow to its chunk's end (TransmitBatch refuses more).
    const uint32_t room = static_cast<uint32_t>(frame_size_ - (desc->addr & (frame_size_ - 1)));
    frames[count++] = Frame{area + desc->addr, desc->len, desc->addr, room};
  }
  if (n > 0) xsk_ring_cons__release(&rx, n);
  stats_.rx_frames += count;
  // The kernel's drop counters cost a syscall: read them when idle and every so many batches,
  // not once per batch (the engine reads stats() after every batch).
  // A spinning worker (zero timeout) comes here idle millions of times a second: count its
  // empty calls like batches rather than pay a syscall for each.
  const bool slept = n == 0 && timeout > absl::ZeroDuration();
  if (slept || ++batches_since_kernel_stats_ >= kKernelStatsEvery) {
    const xdp_statistics kernel = KernelStatistics(socket_->fd());
    // Fill ring empty (rx_dropped) or RX ring full: frames the program redirected, lost here.
    stats_.rx_dropped = kernel.rx_dropped + kernel.rx_ring_full;
    batches_since_kernel_stats_ = 0;
  }
  return count;
}

absl::Status AfXdpIo::TransmitBatch(absl::Span<const Frame> frames) {
  xdp_desc batch[kBatchSize];
  uint32_t n = 0;
  for (const Frame& frame : frames) {
    if (!pool_.Move(frame.handle, Place::kEngine, Place::kKernelTx)) {
      ++bad_returns_;
      continue;
    }
    // The kernel skips an invalid descriptor without a completion, which would strand the
    // frame: refuse it here instead (a frame must not run past the end of its chunk).
    const uint64_t offset = frame.handle & (frame_size_ - 1);
    if (frame.length == 0 || offset + frame.length > frame_size_) {
      pool_.Move(frame.handle, Place::kKernelTx, Place::kFree);
      ++stats_.tx_dropped;
      continue;
    }
    batch[n++] = xdp_desc{.addr = frame.handle, .len = frame.length, .options = 0};
  }
  if (n == 0) return absl::OkStatus();

  xsk_ring_prod& tx = socket_->tx();
  absl::Status kicked = absl::OkStatus();
  if (xsk_prod_nb_free(&tx, n) < n) {
    // Full: give the kernel a chance to drain it before dropping anything.
    kicked = KickTx();
    ReclaimCompletions();
  }
  const uint32_t placed = std::min(n, xsk_prod_nb_free(&tx, n));
  uint32_t index = 0;
  if (placed > 0 && xsk_ring_prod__reserve(&tx, placed, &index) == placed) {
    for (uint32_t i = 0; i < placed; ++i) *xsk_ring_prod__tx_desc(&tx, index + i) = batch[i];
    xsk_ring_prod__submit(&tx, placed);
  }
  // Whatever did not fit goes straight back: counted, never stranded.
  for (uint32_t i = placed; i < n; ++i) {
    pool_.Move(batch[i].addr, Place::kKernelTx, Place::kFree);
    ++stats_.tx_dropped;
  }
  stats_.tx_frames += placed;
  return kicked;
}

absl::Status AfXdpIo::Transmit(absl::Span<const Frame> frames) {
  ReclaimCompletions();
  // Every frame is taken back even after an error: the engine no longer owns any of them.
  absl::Status status = absl::OkStatus();
  for (size_t start = 0; start < frames.size(); start += kBatchSize) {
    status.Update(TransmitBatch(frames.subspan(start, kBatchSize)));
  }
  status.Update(KickTx());
  RefillFillRing();
  return status;
}

void AfXdpIo::Release(absl::Span<const Frame> frames) {
  for (const Frame& frame : frames) {
    if (!pool_.Move(frame.handle, Place::kEngine, Place::kFree)) ++bad_returns_;
  }
  RefillFillRing();
}

absl::Status AfXdpIo::Flush() {
  ReclaimCompletions();
  absl::Status status = KickTx();
  RefillFillRing();
  return status;
}

IoStats AfXdpIo::stats() const { return stats_; }

FrameAccounting AfXdpIo::accounting() const {
  return FrameAccounting{
      .total = pool_.frame_count(),
      .free = pool_.count(Place::kFree),
      .kernel_rx = pool_.count(Place::kKernelRx),
      .engine = pool_.count(Place::kEngine),
      .kernel_tx = pool_.count(Place::kKernelTx),
      .bad_returns = bad_returns_,
      .kernel_strays = kernel_strays_,
      .tx_invalid = KernelStatistics(socket_->fd()).tx_invalid_descs,
  };
}

std::string AfXdpIo::Describe() const {
  return absl::StrCat("afxdp ", interface_, " queue ", queue_, " (", mode_, ")");
}

}  // namespace reflector::platform::afxdp
