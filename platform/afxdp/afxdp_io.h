// AfXdpIo: the afxdp data path's FrameIo for one rx queue (SPEC §5). The reflector's XDP
// program redirects frames whose verdict is `reflect` into this queue's AF_XDP socket; Receive
// hands them out as pointers into the UMEM, Transmit puts the very same UMEM frames on the TX
// ring (no copy), and completed or released frames go back to the fill ring.
//
//   REFLECTOR_ASSIGN_OR_RETURN(std::unique_ptr<AfXdpIo> io,
//                              AfXdpIo::Create({.interface = "eth1", .queue = 0,
//                                               .xsk_map_fd = program->xsk_map_fd()}));
//   // io->Describe(): "afxdp eth1 queue 0 (zero-copy)"
//
// Every UMEM frame is always in exactly one place (see frame_pool.h): accounting() shows where.
// Frames given back that were never handed out, or given back twice, are refused and counted,
// never queued. Thread-compatible: one worker thread owns it.
#ifndef REFLECTOR_PLATFORM_AFXDP_AFXDP_IO_H_
#define REFLECTOR_PLATFORM_AFXDP_AFXDP_IO_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "platform/afxdp/afxdp_options.h"
#include "platform/afxdp/frame_pool.h"
#include "platform/afxdp/xsk_map_entry.h"
#include "platform/afxdp/xsk_socket.h"
#include "platform/frame_io.h"

namespace reflector::platform::afxdp {

// Where the UMEM frames are, plus the two kinds of refused hand-backs.
struct FrameAccounting {
  uint32_t total = 0;
  uint32_t free = 0;           // in userspace, waiting for fill-ring room
  uint32_t kernel_rx = 0;      // fill ring, driver, RX ring
  uint32_t engine = 0;         // handed out, not yet given back
  uint32_t kernel_tx = 0;      // TX ring, completion ring
  uint64_t bad_returns = 0;    // Transmit/Release of a frame not handed out (or twice)
  uint64_t kernel_strays = 0;  // RX or completion entries that were not the kernel's to give
  uint64_t tx_invalid = 0;     // descriptors the kernel refused (XDP_STATISTICS)
};

class AfXdpIo final : public FrameIo {
 public:
  // Binds the socket (zero-copy per options.zero_copy), fills the fill ring, and inserts the
  // socket into the XSKMAP at key options.queue. Call it in the interface's network namespace.
  static absl::StatusOr<std::unique_ptr<AfXdpIo>> Create(const AfXdpOptions& options);

  AfXdpIo(const AfXdpIo&) = delete;
  AfXdpIo& operator=(const AfXdpIo&) = delete;
  // Removes the socket from the XSKMAP, then frees the socket and the UMEM.
  ~AfXdpIo() override;

  // Waits up to `timeout` (poll) only when the RX ring is empty; timeout zero never sleeps
  // (with busy_poll, it has the kernel poll the device once instead).
  absl::StatusOr<size_t> Receive(absl::Span<Frame> frames, absl::Duration timeout) override;
  absl::Status Transmit(absl::Span<const Frame> frames) override;
  void Release(absl::Span<const Frame> frames) override;
  // Reclaims completions and kicks the TX ring if the kernel still has frames to send.
  absl::Status Flush() override;
  // Cheap: no syscall. rx_dropped lags by at most 64 batches (refreshed when idle).
  IoStats stats() const override;
  // "afxdp eth1 queue 0 (zero-copy)", or with the reason for copy mode:
  // "afxdp eth1 queue 0 (copy mode: the driver refused zero-copy: Operation not supported)".
  std::string Describe() const override;

  bool zero_copy() const { return zero_copy_; }
  FrameAccounting accounting() const;

 private:
  AfXdpIo(const AfXdpOptions& options, std::unique_ptr<XskSocket> socket, bool zero_copy,
          std::string mode);

  // Completion ring → free; free → fill ring. Both once per batch.
  void ReclaimCompletions();
  void RefillFillRing();
  // Wakes the kernel for TX when it asked for it (need_wakeup), a few times at most: in copy
  // mode each sendto sends a bounded burst.
  absl::Status KickTx();
  bool TxPending();
  absl::Status WaitForRx(absl::Duration timeout);
  // Places up to kBatchSize frames on the TX ring; the rest count as tx_dropped. Every frame
  // leaves the engine, even when the (kick) status is an error.
  absl::Status TransmitBatch(absl::Span<const Frame> frames);

  const std::string interface_;
  const uint32_t queue_;
  const uint32_t ring_size_;
  const uint32_t frame_size_;
  const bool zero_copy_;
  const bool busy_poll_;
  const std::string mode_;
  std::unique_ptr<XskSocket> socket_;
  FramePool pool_;
  IoStats stats_;
  uint64_t bad_returns_ = 0;
  uint64_t kernel_strays_ = 0;
  // rx_dropped comes from the kernel (XDP_STATISTICS), refreshed by Receive now and then.
  static constexpr int kKernelStatsEvery = 64;
  int batches_since_kernel_stats_ = 0;
  // Declared last: leaves the XSKMAP before the socket closes.
  std::optional<XskMapEntry> map_entry_;
};

}  // namespace reflector::platform::afxdp

#endif  // REFLECTOR_PLATFORM_AFXDP_AFXDP_IO_H_
