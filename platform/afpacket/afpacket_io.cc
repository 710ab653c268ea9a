#include "platform/afpacket/afpacket_io.h"

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <type_traits>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "platform/afpacket/frame_fixup.h"
#include "platform/afpacket/socket_filter.h"
#include "reflector/base/status_macros.h"

namespace reflector::platform::afpacket {
namespace {

constexpr uint32_t kEthHeader = 14;
constexpr uint32_t kTwoTags = 2 * kVlanTagBytes;
// What a V3 block spends on its own descriptor and a frame's tpacket3_hdr and sockaddr_ll.
constexpr uint32_t kRxBlockOverhead = 256;
constexpr uint32_t kMinSlotSize = 2048;
// Where a V2 RX slot's frame starts at most: the kernel puts the frame after the aligned
// header, 16 bytes for a link header, and the PACKET_RESERVE headroom.
constexpr uint32_t kRxSlotOverhead = 128;
// V3 checks tp_frame_size against the header and reserve although it packs frames by length.
constexpr uint32_t kRxNominalFrameSize = 2048;

absl::Status Errno(absl::string_view interface, absl::string_view what) {
  const int error = errno;
  const std::string message = absl::StrCat(interface, ": ", what, ": ", std::strerror(error));
  if (error == EPERM || error == EACCES) {
    return absl::PermissionDeniedError(absl::StrCat(message, " (needs CAP_NET_RAW)"));
  }
  return absl::InternalError(message);
}

absl::Status SetInt(int fd, int level, int name, int value, absl::string_view interface,
                    absl::string_view what) {
  if (setsockopt(fd, level, name, &value, sizeof(value)) != 0) return Errno(interface, what);
  return absl::OkStatus();
}

uint32_t RoundUpPowerOfTwo(uint32_t value) {
  uint32_t power = 1;
  while (power < value) power <<= 1;
  return power;
}

// A ring of fixed slots (V2 RX, V2 TX) for frames of up to `max_bytes` after a slot header of
// `overhead` bytes: slots a power of two, blocks a whole number of slots, so that slot i sits
// at i * tp_frame_size.
tpacket_req SlotRingRequest(uint32_t overhead, uint32_t max_bytes, uint32_t wanted_slots) {
  const uint32_t page = static_cast<uint32_t>(sysconf(_SC_PAGESIZE));
  const uint32_t frame_size = std::max(kMinSlotSize, RoundUpPowerOfTwo(overhead + max_bytes));
  const uint32_t block_size = std::max(frame_size, page);
  const uint32_t per_block = block_size / frame_size;
  const uint32_t blocks = std::max<uint32_t>(1, (wanted_slots + per_block - 1) / per_block);
  tpacket_req request = {};
  request.tp_block_size = block_size;
  request.tp_block_nr = blocks;
  request.tp_frame_size = frame_size;
  request.tp_frame_nr = blocks * per_block;
  return request;
}

absl::StatusOr<ScopedMapping> MapRing(int fd, size_t size, absl::string_view interface,
                                      absl::string_view what) {
  ScopedMapping map(mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, 0),
                    size);
  if (!map.valid()) return Errno(interface, absl::StrCat("mmap of the ", what));
  return map;
}

// The fields Receive needs, named alike in both frame header versions but for the VLAN ones.
uint16_t VlanTci(const tpacket2_hdr& frame) { return frame.tp_vlan_tci; }
uint16_t VlanTci(const tpacket3_hdr& frame) { return frame.hv1.tp_vlan_tci; }
uint16_t VlanTpid(const tpacket2_hdr& frame) { return frame.tp_vlan_tpid; }
uint16_t VlanTpid(const tpacket3_hdr& frame) { return frame.hv1.tp_vlan_tpid; }

absl::Status Bind(int fd, int ifindex, uint16_t protocol, absl::string_view interface) {
  sockaddr_ll address = {};
  address.sll_family = AF_PACKET;
  address.sll_protocol = htons(protocol);
  address.sll_ifindex = ifindex;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    return Errno(interface, "bind");
  }
  return absl::OkStatus();
}

int PollTimeoutMs(absl::Duration timeout) {
  if (timeout == absl::InfiniteDuration()) return -1;
  if (timeout <= absl::ZeroDuration()) return 0;
  return static_cast<int>(std::min<int64_t>(absl::ToInt64Milliseconds(absl::Ceil(
                                                timeout, absl::Milliseconds(1))),
                                            INT32_MAX));
}

}  // namespace

absl::StatusOr<std::unique_ptr<AfPacketIo>> AfPacketIo::Create(const AfPacketOptions& options) {
  const std::string& name = options.interface;
  const int ifindex = static_cast<int>(if_nametoindex(name.c_str()));
  if (ifindex == 0) return absl::NotFoundError(absl::StrCat(name, ": no such interface"));
  std::unique_ptr<AfPacketIo> io(new AfPacketIo());

  io->rx_fd_ = UniqueFd(socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0));
  if (!io->rx_fd_.valid()) return Errno(name, "socket(AF_PACKET)");
  ifreq request = {};
  std::strncpy(request.ifr_name, name.c_str(), IFNAMSIZ - 1);
  if (ioctl(io->rx_fd_.get(), SIOCGIFMTU, &request) != 0) return Errno(name, "SIOCGIFMTU");
  // Senders may put two tags on a full-MTU frame.
  const uint32_t max_frame = static_cast<uint32_t>(request.ifr_mtu) + kEthHeader + kTwoTags;
  io->max_frame_ = max_frame;

  REFLECTOR_RETURN_IF_ERROR(io->OpenTx(options, ifindex, max_frame));
  REFLECTOR_RETURN_IF_ERROR(io->OpenRx(options, ifindex, max_frame));
  io->description_ = options.fanout_group != 0
                         ? absl::StrCat("afpacket ", name, " worker ", options.worker_index,
                                        " (fanout group ", options.fanout_group, ")")
                         : absl::StrCat("afpacket ", name);
  return io;
}

absl::Status AfPacketIo::OpenRx(const AfPacketOptions& options, int ifindex, uint32_t max_frame) {
  const std::string& name = options.interface;
  const int fd = rx_fd_.get();
  // The filter goes on before bind: from the first frame only candidates enter the ring.
  REFLECTOR_RETURN_IF_ERROR(AttachCandidateFilter(fd));
  const bool slots = options.rx_ring == RxRingKind::kFrames;
  REFLECTOR_RETURN_IF_ERROR(SetInt(fd, SOL_PACKET, PACKET_VERSION,
                                   slots ? TPACKET_V2 : TPACKET_V3, name,
                                   slots ? "PACKET_VERSION V2" : "PACKET_VERSION V3"));
  // Headroom before each frame to put the outer VLAN tag back in place.
  REFLECTOR_RETURN_IF_ERROR(
      SetInt(fd, SOL_PACKET, PACKET_RESERVE, kVlanTagBytes, name, "PACKET_RESERVE"));
  REFLECTOR_RETURN_IF_ERROR(slots ? MapSlotRing(options, max_frame)
                                  : MapBlockRing(options, max_frame));

  // Our own transmissions are not input (the TX socket bypasses the taps anyway; this also
  // covers anything else the host sends).
  REFLECTOR_RETURN_IF_ERROR(
      SetInt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, 1, name, "PACKET_IGNORE_OUTGOING"));
  // ETH_P_ALL makes the socket a tap, which runs before tc ingress drops the frame.
  REFLECTOR_RETURN_IF_ERROR(Bind(fd, ifindex, ETH_P_ALL, name));
  if (options.fanout_group != 0) {
    // Flow hash keeps each test stream on one worker, so reflection keeps its order.
    const int fanout = options.fanout_group | (PACKET_FANOUT_HASH << 16);
    REFLECTOR_RETURN_IF_ERROR(SetInt(fd, SOL_PACKET, PACKET_FANOUT, fanout, name,
                                     absl::StrCat("PACKET_FANOUT group ", options.fanout_group)));
  }
  return absl::OkStatus();
}

absl::Status AfPacketIo::MapSlotRing(const AfPacketOptions& options, uint32_t max_frame) {
  const std::string& name = options.interface;
  if (options.rx_frame_count == 0) {
    return absl::InvalidArgumentError(absl::StrCat(name, ": an RX ring needs at least one slot"));
  }
  const tpacket_req request = SlotRingRequest(kRxSlotOverhead, max_frame, options.rx_frame_count);
  if (setsockopt(rx_fd_.get(), SOL_PACKET, PACKET_RX_RING, &request, sizeof(request)) != 0) {
    return Errno(name, "PACKET_RX_RING (V2)");
  }
  REFLECTOR_ASSIGN_OR_RETURN(
      rx_map_, MapRing(rx_fd_.get(), size_t{request.tp_block_size} * request.tp_block_nr, name,
                       "RX ring"));
  rx_slots_.emplace(rx_map_.get(), request.tp_frame_size, request.tp_frame_nr);
  return absl::OkStatus();
}

absl::Status AfPacketIo::MapBlockRing(const AfPacketOptions& options, uint32_t max_frame) {
  const std::string& name = options.interface;
  const uint32_t page = static_cast<uint32_t>(sysconf(_SC_PAGESIZE));
  if (options.rx_block_size % page != 0 || options.rx_block_size < max_frame + kRxBlockOverhead ||
      options.rx_block_count == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        name, ": RX blocks of ", options.rx_block_size, " bytes must be a multiple of ", page,
        " and hold a frame of ", max_frame, " bytes"));
  }
  tpacket_req3 request = {};
  request.tp_block_size = options.rx_block_size;
  request.tp_block_nr = options.rx_block_count;
  request.tp_frame_size = kRxNominalFrameSize;
  request.tp_frame_nr = options.rx_block_size / kRxNominalFrameSize * options.rx_block_count;
  request.tp_retire_blk_tov = options.rx_block_timeout_ms;
  if (setsockopt(rx_fd_.get(), SOL_PACKET, PACKET_RX_RING, &request, sizeof(request)) != 0) {
    return Errno(name, "PACKET_RX_RING (V3)");
  }
  REFLECTOR_ASSIGN_OR_RETURN(
      rx_map_, MapRing(rx_fd_.get(), size_t{options.rx_block_size} * options.rx_block_count,
                       name, "RX ring"));
  rx_ring_.emplace(rx_map_.get(), options.rx_block_size, options.rx_block_count);
  return absl::OkStatus();
}

absl::Status AfPacketIo::OpenTx(const AfPacketOptions& options, int ifindex, uint32_t max_frame) {
  const std::string& name = options.interface;
  // Protocol 0 and bound with protocol 0: the TX socket never receives a frame.
  tx_fd_ = UniqueFd(socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0));
  if (!tx_fd_.valid()) return Errno(name, "socket(AF_PACKET) for TX");
  const int fd = tx_fd_.get();
  REFLECTOR_RETURN_IF_ERROR(
      SetInt(fd, SOL_PACKET, PACKET_VERSION, TPACKET_V2, name, "PACKET_VERSION V2 (TX)"));
  REFLECTOR_RETURN_IF_ERROR(
      SetInt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, 1, name, "PACKET_QDISC_BYPASS"));
  // A frame the kernel cannot send is skipped and its slot freed, instead of the slot being
  // left in TP_STATUS_WRONG_FORMAT where it would block the ring.
  REFLECTOR_RETURN_IF_ERROR(SetInt(fd, SOL_PACKET, PACKET_LOSS, 1, name, "PACKET_LOSS"));

  const tpacket_req request = SlotRingRequest(kTxDataOffset, max_frame, options.tx_frame_count);
  if (setsockopt(fd, SOL_PACKET, PACKET_TX_RING, &request, sizeof(request)) != 0) {
    return Errno(name, "PACKET_TX_RING");
  }
  REFLECTOR_ASSIGN_OR_RETURN(
      tx_map_,
      MapRing(fd, size_t{request.tp_block_size} * request.tp_block_nr, name, "TX ring"));
  tx_ring_.emplace(tx_map_.get(), request.tp_frame_size, request.tp_frame_nr);
  return Bind(fd, ifindex, 0, name);
}

absl::StatusOr<size_t> AfPacketIo::Receive(absl::Span<Frame> frames, absl::Duration timeout) {
  return rx_slots_ ? ReceiveFrom(*rx_slots_, frames, timeout)
                   : ReceiveFrom(*rx_ring_, frames, timeout);
}

template <typename Ring>
absl::StatusOr<size_t> AfPacketIo::ReceiveFrom(Ring& ring, absl::Span<Frame> frames,
                                               absl::Duration timeout) {
  size_t count = 0;
  bool waited = false;
  while (count < frames.size()) {
    typename Ring::Header* header;
    uint32_t handle;
    if (!ring.Next(&header, &handle)) {
      // A zero timeout (a spinning worker) never makes a syscall for an empty ring.
      if (count > 0 || waited || timeout <= absl::ZeroDuration()) break;
      waited = true;
      pollfd wait = {rx_fd_.get(), POLLIN, 0};
      const int ready = poll(&wait, 1, PollTimeoutMs(timeout));
      if (ready < 0 && errno != EINTR) return Errno(description_, "poll");
      if (ready <= 0) break;
      continue;
    }
    uint8_t* data = reinterpret_cast<uint8_t*>(header) + header->tp_mac;
    uint32_t length = header->tp_snaplen;
    const uint32_t status = header->tp_status;
    if (length < header->tp_len) {
      // Cut to fit its slot (a frame above the MTU the ring was sized for): never reflect
      // part of a frame.
      ring.Return(handle);
      ++stats_.rx_dropped;
      continue;
    }
    if (status & TP_STATUS_VLAN_VALID) {
      const uint16_t tpid = (status & TP_STATUS_VLAN_TPID_VALID) ? VlanTpid(*header) : ETH_P_8021Q;
      data = ReinsertVlanTag(data, length, tpid, VlanTci(*header));
      length += kVlanTagBytes;
      ++fixups_.vlan_tags_restored;
    }
    if ((status & TP_STATUS_CSUMNOTREADY) && CompleteUdpChecksum(absl::MakeSpan(data, length))) {
      ++fixups_.checksums_completed;
    }
    // Room to grow (a STAMP answer longer than its request): a V2 slot holds one frame, to
    // its end; V3 packs the next frame right behind this one, so there is none.
    uint32_t capacity = length;
    if constexpr (std::is_same_v<Ring, RxSlotRing>) {
      const uint8_t* slot_end = reinterpret_cast<uint8_t*>(header) + ring.frame_size();
      capacity = std::min(
          {static_cast<uint32_t>(slot_end - data), max_frame_, tx_ring_->max_frame_bytes()});
    }
    frames[count++] = Frame{data, length, handle, capacity};
  }
  stats_.rx_frames += count;
  if (ring.TakeLossHint()) ReadKernelDrops();
  return count;
}

void AfPacketIo::ReturnRx(uint64_t handle) {
  if (rx_slots_) {
    rx_slots_->Return(static_cast<uint32_t>(handle));
  } else {
    rx_ring_->Return(static_cast<uint32_t>(handle));
  }
}

void AfPacketIo::ReadKernelDrops() {
  // V2 fills the first two fields (tpacket_stats), V3 all three: tp_drops is in both.
  tpacket_stats_v3 kernel = {};
  socklen_t size = sizeof(kernel);
  // Reading resets the kernel's counters, so each drop is added once.
  if (getsockopt(rx_fd_.get(), SOL_PACKET, PACKET_STATISTICS, &kernel, &size) == 0) {
    stats_.rx_dropped += kernel.tp_drops;
  }
}

absl::Status AfPacketIo::Transmit(absl::Span<const Frame> frames) {
  for (const Frame& frame : frames) {
    // A copy into the TX ring: AF_PACKET cannot send from the RX ring, and the copy lets the
    // RX block go back to the kernel now rather than when the send completes.
    if (tx_ring_->Queue(frame.data, frame.length)) {
      ++stats_.tx_frames;
    } else {
      ++stats_.tx_dropped;
    }
    ReturnRx(frame.handle);
  }
  if (tx_ring_->TakeQueued() > 0) kick_pending_ = true;
  return kick_pending_ ? KickTx() : absl::OkStatus();
}

void AfPacketIo::Release(absl::Span<const Frame> frames) {
  for (const Frame& frame : frames) ReturnRx(frame.handle);
}

absl::Status AfPacketIo::Flush() { return kick_pending_ ? KickTx() : absl::OkStatus(); }

absl::Status AfPacketIo::KickTx() {
  // One syscall sends every slot marked SEND_REQUEST, in ring order.
  if (send(tx_fd_.get(), nullptr, 0, MSG_DONTWAIT) >= 0) {
    kick_pending_ = false;
    return absl::OkStatus();
  }
  // The device queue is busy: the slots stay queued and go out with the next kick.
  if (errno == EAGAIN || errno == ENOBUFS || errno == EINTR) return absl::OkStatus();
  kick_pending_ = false;
  return Errno(description_, "send on the TX ring");
}

}  // namespace reflector::platform::afpacket
