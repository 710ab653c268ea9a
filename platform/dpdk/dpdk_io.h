// The dpdk data path's FrameIo: one RX/TX queue pair of a started DpdkPort, used by one worker.
// Receive hands out mbufs (rte_eth_rx_burst), Transmit sends them back from the same buffers
// (rte_eth_tx_burst) and frees what the device did not take, Release frees. Every mbuf is freed
// exactly once: by the driver once sent, or here. On a packet-socket vdev the host's own
// frames out of the interface (neighbour discovery, MLD) come up too, the socket being a tap
// in both directions: those, with the port's MAC as source, are freed unseen, as no frame
// received from the wire (the tc filter still counts one that really arrives with it).
#ifndef REFLECTOR_PLATFORM_DPDK_DPDK_IO_H_
#define REFLECTOR_PLATFORM_DPDK_DPDK_IO_H_

#include <array>
#include <cstdint>
#include <string>

#include "platform/dpdk/dpdk_port.h"
#include "platform/frame_io.h"

struct rte_mbuf;

namespace reflector::platform::dpdk {

class DpdkIo : public FrameIo {
 public:
  // `spin`: Receive polls until its timeout; otherwise it naps between empty polls (a poll-mode
  // driver has nothing to sleep on), trading some latency for an idle CPU.
  DpdkIo(const DpdkPort& port, uint16_t queue, bool spin);
  ~DpdkIo() override = default;
  DpdkIo(const DpdkIo&) = delete;
  DpdkIo& operator=(const DpdkIo&) = delete;

  absl::StatusOr<size_t> Receive(absl::Span<Frame> frames, absl::Duration timeout) override;
  absl::Status Transmit(absl::Span<const Frame> frames) override;
  void Release(absl::Span<const Frame> frames) override;
  IoStats stats() const override { return stats_; }
  std::string Describe() const override { return description_; }

 private:
  uint16_t port_;
  uint16_t queue_;
  bool spin_;
  bool skip_own_source_;
  std::array<uint8_t, 6> own_mac_;
  uint32_t max_frame_;  // MTU + Ethernet header + two tags: the most a Frame may grow to
  bool registered_ = false;
  std::string description_;
  IoStats stats_;
};

}  // namespace reflector::platform::dpdk

#endif  // REFLECTOR_PLATFORM_DPDK_DPDK_IO_H_
