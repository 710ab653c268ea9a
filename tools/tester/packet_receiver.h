// The precise engine's receive side: a TPACKET_V3 ring on the tester's interface, read by one
// thread that feeds every reflection of the stream, with its kernel receive stamp, to an
// RttResolver. The kernel timestamps each frame as it enters the ring, so a slow reader does
// not inflate RTTs; the
// ring (64 MiB) absorbs bursts, and the kernel's drop count says if it was ever too small.
#ifndef REFLECTOR_TOOLS_TESTER_PACKET_RECEIVER_H_
#define REFLECTOR_TOOLS_TESTER_PACKET_RECEIVER_H_

#include <linux/if_packet.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "reflector/base/unique_fd.h"
#include "tools/tester/tx_stamps.h"

namespace reflector::tester {

// A reflection of the stream: its signature (or marker) and stream id where the tester put
// them. Nothing else counts, so swapped addresses and a toggled ToS byte do not matter.
struct StreamMatch {
  size_t marker_offset = 0;
  std::array<uint8_t, 7> marker = {};
  uint16_t stream_id = 0;
};

class PacketReceiver {
 public:
  static absl::StatusOr<std::unique_ptr<PacketReceiver>> Open(int ifindex);
  PacketReceiver(const PacketReceiver&) = delete;
  PacketReceiver& operator=(const PacketReceiver&) = delete;
  ~PacketReceiver();  // stops the thread, unmaps the ring

  // Starts the reading thread; frames of `match` go to `rtts` until Stop.
  void Start(const StreamMatch& match, RttResolver* rtts);
  // Reads what is left in the ring, then stops the thread and records every held reflection
  // (call it after the sender has finished).
  void Stop();

  // Frames the kernel could not put into the ring since Open (ring full).
  uint64_t ring_drops() const { return ring_drops_; }

 private:
  PacketReceiver(UniqueFd socket, uint8_t* ring, size_t block_size, size_t block_count)
      : socket_(std::move(socket)), ring_(ring), block_size_(block_size),
        block_count_(block_count) {}
  void Loop();
  bool ReadBlock();  // the block at the cursor, if the kernel has handed it over
  void OnFrame(const tpacket3_hdr* header);
  void CollectDrops();

  UniqueFd socket_;
  uint8_t* ring_;
  size_t block_size_;
  size_t block_count_;
  size_t cursor_ = 0;
  StreamMatch match_;
  RttResolver* rtts_ = nullptr;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  uint64_t ring_drops_ = 0;
  // A frame with its VLAN tag put back: the kernel moves the outer tag of every received
  // frame into metadata (tp_vlan_tci) before a packet socket sees it.
  std::vector<uint8_t> scratch_;
};

}  // namespace reflector::tester

#endif  // REFLECTOR_TOOLS_TESTER_PACKET_RECEIVER_H_
