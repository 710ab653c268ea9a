// The afpacket data path (SPEC §5): frames arrive in an RX ring behind a classic BPF candidate
// filter (TPACKET_V2 slots by default, handed over frame by frame; or TPACKET_V3 blocks, see
// afpacket_options.h), leave through a TPACKET_V2 TX ring that bypasses the qdisc, and workers of
// one interface share the load through PACKET_FANOUT. Before a frame is handed out its outer
// VLAN tag (moved to metadata by the kernel) is put back and a partial UDP checksum is
// completed. Every socket and mapping is released by the destructor.
//
// The socket is a tap: it gets its copy of a frame before tc ingress. Keeping the host stack
// from answering test frames is the data path's job (xdp/tc_drop_filter.h), attached once the
// first AfPacketIo of the interface exists, so no test frame is dropped before a socket has it.
#ifndef REFLECTOR_PLATFORM_AFPACKET_AFPACKET_IO_H_
#define REFLECTOR_PLATFORM_AFPACKET_AFPACKET_IO_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "platform/afpacket/afpacket_options.h"
#include "platform/afpacket/rx_ring.h"
#include "platform/afpacket/rx_slot_ring.h"
#include "platform/afpacket/scoped_resources.h"
#include "platform/afpacket/tx_ring.h"
#include "platform/frame_io.h"
#include "reflector/base/unique_fd.h"

namespace reflector::platform::afpacket {

// How often Receive had to undo what the kernel did to a frame (diagnostics and tests).
struct AfPacketFixups {
  uint64_t vlan_tags_restored = 0;
  uint64_t checksums_completed = 0;
};

class AfPacketIo : public FrameIo {
 public:
  // Opens the sockets and rings in the calling thread's network namespace. The RX socket
  // receives (is bound) when this returns.
  static absl::StatusOr<std::unique_ptr<AfPacketIo>> Create(const AfPacketOptions& options);
  ~AfPacketIo() override = default;
  AfPacketIo(const AfPacketIo&) = delete;
  AfPacketIo& operator=(const AfPacketIo&) = delete;

  absl::StatusOr<size_t> Receive(absl::Span<Frame> frames, absl::Duration timeout) override;
  absl::Status Transmit(absl::Span<const Frame> frames) override;
  void Release(absl::Span<const Frame> frames) override;
  absl::Status Flush() override;
  IoStats stats() const override { return stats_; }
  std::string Describe() const override { return description_; }

  const AfPacketFixups& fixups() const { return fixups_; }
  // The largest frame the TX ring carries (MTU + Ethernet header + two tags).
  uint32_t max_frame_bytes() const { return tx_ring_->max_frame_bytes(); }

 private:
  AfPacketIo() = default;
  absl::Status OpenRx(const AfPacketOptions& options, int ifindex, uint32_t max_frame);
  // Maps the RX ring of the chosen kind (PACKET_VERSION already set).
  absl::Status MapSlotRing(const AfPacketOptions& options, uint32_t max_frame);
  absl::Status MapBlockRing(const AfPacketOptions& options, uint32_t max_frame);
  // Receive from whichever ring is mapped (tpacket2_hdr or tpacket3_hdr frames).
  template <typename Ring>
  absl::StatusOr<size_t> ReceiveFrom(Ring& ring, absl::Span<Frame> frames,
                                     absl::Duration timeout);
  void ReturnRx(uint64_t handle);
  absl::Status OpenTx(const AfPacketOptions& options, int ifindex, uint32_t max_frame);
  absl::Status KickTx();
  void ReadKernelDrops();

  // Declared so that destruction runs rings, mappings, then sockets.
  UniqueFd rx_fd_;
  UniqueFd tx_fd_;
  ScopedMapping rx_map_;
  ScopedMapping tx_map_;
  // Exactly one of the two RX rings, per AfPacketOptions::rx_ring.
  std::optional<RxSlotRing> rx_slots_;
  std::optional<RxRing> rx_ring_;
  std::optional<TxRing> tx_ring_;
  uint32_t max_frame_ = 0;  // MTU + Ethernet header + two tags: the most a Frame may grow to
  bool kick_pending_ = false;
  IoStats stats_;
  AfPacketFixups fixups_;
  std::string description_;
};

}  // namespace reflector::platform::afpacket

#endif  // REFLECTOR_PLATFORM_AFPACKET_AFPACKET_IO_H_
