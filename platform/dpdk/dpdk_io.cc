#include "platform/dpdk/dpdk_io.h"

#include <time.h>

#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "platform/dpdk/eal.h"

namespace reflector::platform::dpdk {
namespace {

// How long an idle, non-spinning worker naps between polls: short against the 1 ms a
// tester's latency resolution is worth, long enough for an idle worker to cost ~nothing.
constexpr timespec kIdleNap = {0, 20 * 1000};

rte_mbuf* MbufOf(const Frame& frame) { return reinterpret_cast<rte_mbuf*>(frame.handle); }

// The largest frame the port sends: its MTU (1500 when the driver does not say) with the
// Ethernet header and two tags.
uint32_t MaxFrame(uint16_t port) {
  uint16_t mtu = 1500;
  if (rte_eth_dev_get_mtu(port, &mtu) != 0) mtu = 1500;
  return uint32_t{mtu} + 14 + 2 * 4;
}

}  // namespace

DpdkIo::DpdkIo(const DpdkPort& port, uint16_t queue, bool spin)
    : port_(port.id()),
      queue_(queue),
      spin_(spin),
      skip_own_source_(port.on_packet_socket()),
      own_mac_(port.mac()),
      max_frame_(MaxFrame(port.id())),
      description_(absl::StrCat("dpdk ", port.name(), " (", port.driver(), ") queue ", queue)) {}

absl::StatusOr<size_t> DpdkIo::Receive(absl::Span<Frame> frames, absl::Duration timeout) {
  if (!registered_) {
    // The first call runs on the worker's own thread: it takes an lcore id there.
    if (absl::Status registered = Eal::RegisterThread(); !registered.ok()) return registered;
    registered_ = true;
  }
  std::array<rte_mbuf*, kBatchSize> mbufs;
  const uint16_t wanted = static_cast<uint16_t>(std::min(frames.size(), mbufs.size()));
  const absl::Time deadline = absl::Now() + timeout;
  uint16_t received = 0;
  while (true) {
    received = rte_eth_rx_burst(port_, queue_, mbufs.data(), wanted);
    if (received > 0 || absl::Now() >= deadline) break;
    if (!spin_) nanosleep(&kIdleNap, nullptr);
  }
  size_t kept = 0;
  for (uint16_t i = 0; i < received; ++i) {
    rte_mbuf* mbuf = mbufs[i];
    // A tag the device (or the kernel under a vdev) took out goes back in: the classifier
    // sees the frame as it was on the wire, and the reflection leaves with it.
    if ((mbuf->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED) != 0 && rte_vlan_insert(&mbuf) != 0) {
      rte_pktmbuf_free(mbuf);
      ++stats_.rx_dropped;
      continue;
    }
    if (skip_own_source_ && rte_pktmbuf_data_len(mbuf) >= 12 &&
        std::memcmp(rte_pktmbuf_mtod(mbuf, uint8_t*) + 6, own_mac_.data(), 6) == 0) {
      rte_pktmbuf_free(mbuf);
      continue;
    }
    // A frame in several segments is larger than any test frame this path reflects.
    if (mbuf->nb_segs != 1) {
      rte_pktmbuf_free(mbuf);
      ++stats_.rx_dropped;
      continue;
    }
    // Room to grow: the mbuf's tailroom (Transmit sets data_len to the frame's length).
    const uint32_t room = static_cast<uint32_t>(rte_pktmbuf_data_len(mbuf)) +
                          static_cast<uint32_t>(rte_pktmbuf_tailroom(mbuf));
    frames[kept++] = Frame{rte_pktmbuf_mtod(mbuf, uint8_t*), rte_pktmbuf_data_len(mbuf),
                           reinterpret_cast<uint64_t>(mbuf), std::min(room, max_frame_)};
  }
  stats_.rx_frames += kept;
  return kept;
}

absl::Status DpdkIo::Transmit(absl::Span<const Frame> frames) {
  std::array<rte_mbuf*, kBatchSize> mbufs;
  size_t done = 0;
  while (done < frames.size()) {
    const size_t count = std::min(frames.size() - done, mbufs.size());
    for (size_t i = 0; i < count; ++i) {
      const Frame& frame = frames[done + i];
      rte_mbuf* mbuf = MbufOf(frame);
      mbuf->data_len = static_cast<uint16_t>(frame.length);
      mbuf->pkt_len = frame.length;
      mbuf->ol_flags = 0;  // no offload asked: the reflection is complete as it is
      mbufs[i] = mbuf;
    }
    const uint16_t sent =
        rte_eth_tx_burst(port_, queue_, mbufs.data(), static_cast<uint16_t>(count));
    // The driver owns (and frees) what it took; the rest is ours to free, once.
    if (sent < count) rte_pktmbuf_free_bulk(mbufs.data() + sent, count - sent);
    stats_.tx_frames += sent;
    stats_.tx_dropped += count - sent;
    done += count;
  }
  return absl::OkStatus();
}

void DpdkIo::Release(absl::Span<const Frame> frames) {
  std::array<rte_mbuf*, kBatchSize> mbufs;
  size_t done = 0;
  while (done < frames.size()) {
    const size_t count = std::min(frames.size() - done, mbufs.size());
    for (size_t i = 0; i < count; ++i) mbufs[i] = MbufOf(frames[done + i]);
    rte_pktmbuf_free_bulk(mbufs.data(), count);
    done += count;
  }
}

}  // namespace reflector::platform::dpdk
