#include "tools/tester/packet_receiver.h"

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "absl/status/status.h"
#include "tools/tester/stream_frame.h"

namespace reflector::tester {
namespace {

constexpr size_t kBlockSize = 1 << 20;  // holds any jumbo frame
constexpr size_t kBlockCount = 64;
constexpr int kRetireMs = 1;  // hand partly filled blocks over quickly: drains finish soon

}  // namespace

absl::StatusOr<std::unique_ptr<PacketReceiver>> PacketReceiver::Open(int ifindex) {
  UniqueFd fd(socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL)));
  if (!fd.valid()) {
    return absl::ErrnoToStatus(errno, "open an AF_PACKET socket (needs CAP_NET_RAW)");
  }
  const int version = TPACKET_V3;
  if (setsockopt(fd.get(), SOL_PACKET, PACKET_VERSION, &version, sizeof(version)) != 0) {
    return absl::ErrnoToStatus(errno, "set TPACKET_V3");
  }
  // Our own test frames leaving the interface are not reflections.
  const int one = 1;
  if (setsockopt(fd.get(), SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one)) != 0) {
    return absl::ErrnoToStatus(errno, "set PACKET_IGNORE_OUTGOING");
  }
  tpacket_req3 request = {};
  request.tp_block_size = kBlockSize;
  request.tp_block_nr = kBlockCount;
  request.tp_frame_size = 2048;  // V3 packs frames by length; this only has to divide blocks
  request.tp_frame_nr = kBlockSize / 2048 * kBlockCount;
  request.tp_retire_blk_tov = kRetireMs;
  if (setsockopt(fd.get(), SOL_PACKET, PACKET_RX_RING, &request, sizeof(request)) != 0) {
    return absl::ErrnoToStatus(errno, "set up the TPACKET_V3 receive ring");
  }
  void* ring = mmap(nullptr, kBlockSize * kBlockCount, PROT_READ | PROT_WRITE,
                    MAP_SHARED, fd.get(), 0);
  if (ring == MAP_FAILED) return absl::ErrnoToStatus(errno, "map the receive ring");
  std::unique_ptr<PacketReceiver> receiver(
      new PacketReceiver(std::move(fd), static_cast<uint8_t*>(ring), kBlockSize, kBlockCount));
  sockaddr_ll address = {};
  address.sll_family = AF_PACKET;
  address.sll_protocol = htons(ETH_P_ALL);
  address.sll_ifindex = ifindex;
  if (bind(receiver->socket_.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) !=
      0) {
    return absl::ErrnoToStatus(errno, "bind the receive socket to the interface");
  }
  receiver->scratch_.resize(kMaxFrameSize + 64);
  return receiver;
}

PacketReceiver::~PacketReceiver() {
  Stop();
  munmap(ring_, block_size_ * block_count_);
}

void PacketReceiver::Start(const StreamMatch& match, RttResolver* rtts) {
  Stop();
  // Frames of an earlier stream (a previous search trial) may still sit in the ring: they do
  // not match the new stream id, so reading them once is enough to forget them.
  match_ = match;
  rtts_ = nullptr;
  while (ReadBlock()) {
  }
  rtts_ = rtts;
  stop_.store(false);
  thread_ = std::thread([this] { Loop(); });
}

void PacketReceiver::Stop() {
  if (!thread_.joinable()) return;
  stop_.store(true);
  thread_.join();
  while (ReadBlock()) {
  }
  if (rtts_ != nullptr) rtts_->Flush(/*all=*/true);
  CollectDrops();
}

void PacketReceiver::Loop() {
  pollfd p = {socket_.get(), POLLIN | POLLERR, 0};
  while (!stop_.load(std::memory_order_relaxed)) {
    if (ReadBlock()) continue;
    rtts_->Flush(/*all=*/false);
    poll(&p, 1, 10);
  }
}

bool PacketReceiver::ReadBlock() {
  auto* block = reinterpret_cast<tpacket_block_desc*>(ring_ + cursor_ * block_size_);
  if ((__atomic_load_n(&block->hdr.bh1.block_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER) == 0) {
    return false;
  }
  const uint32_t frames = block->hdr.bh1.num_pkts;
  const uint8_t* at = reinterpret_cast<const uint8_t*>(block) + block->hdr.bh1.offset_to_first_pkt;
  for (uint32_t i = 0; i < frames; ++i) {
    const auto* header = reinterpret_cast<const tpacket3_hdr*>(at);
    if (rtts_ != nullptr) OnFrame(header);
    at += header->tp_next_offset;
  }
  __atomic_store_n(&block->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
  cursor_ = (cursor_ + 1) % block_count_;
  return true;
}

void PacketReceiver::OnFrame(const tpacket3_hdr* header) {
  const uint8_t* data = reinterpret_cast<const uint8_t*>(header) + header->tp_mac;
  size_t length = header->tp_snaplen;
  if ((header->tp_status & TP_STATUS_VLAN_VALID) != 0 && length >= 12 &&
      length + 4 <= scratch_.size()) {
    const uint16_t tpid = (header->tp_status & TP_STATUS_VLAN_TPID_VALID) != 0
                              ? header->hv1.tp_vlan_tpid
                              : ETH_P_8021Q;
    const uint16_t tci = header->hv1.tp_vlan_tci;
    uint8_t* out = scratch_.data();
    std::memcpy(out, data, 12);
    out[12] = static_cast<uint8_t>(tpid >> 8);
    out[13] = static_cast<uint8_t>(tpid);
    out[14] = static_cast<uint8_t>(tci >> 8);
    out[15] = static_cast<uint8_t>(tci);
    std::memcpy(out + 16, data + 12, length - 12);
    data = out;
    length += 4;
  }
  TrailerFields fields;
  if (!ReadTrailer(absl::MakeConstSpan(data, length), match_.marker_offset, match_.marker,
                   &fields) ||
      fields.stream_id != match_.stream_id) {
    return;
  }
  const uint64_t rx_ns = uint64_t{header->tp_sec} * 1000000000ull + header->tp_nsec;
  // Both ends are the low 32 bits of realtime ns: the difference modulo 2^32 is the RTT.
  rtts_->Add(fields.sequence, static_cast<uint32_t>(rx_ns), fields.tx_time_ns);
}

void PacketReceiver::CollectDrops() {
  tpacket_stats_v3 stats = {};
  socklen_t length = sizeof(stats);
  // Reading the statistics also resets them, so they add up across trials.
  if (getsockopt(socket_.get(), SOL_PACKET, PACKET_STATISTICS, &stats, &length) == 0) {
    ring_drops_ += stats.tp_drops;
  }
}

}  // namespace reflector::tester
