// What one afpacket worker's sockets need to know: the interface, the fanout group, which RX
// ring to use and how big the rings are.
#ifndef REFLECTOR_PLATFORM_AFPACKET_AFPACKET_OPTIONS_H_
#define REFLECTOR_PLATFORM_AFPACKET_AFPACKET_OPTIONS_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace reflector::platform::afpacket {

// --afpacket_rx (README): how received frames are handed to the worker.
enum class RxRingKind : uint8_t {
  // TPACKET_V2: one slot per frame, the worker's as soon as the kernel wrote it. Latency-first:
  // nothing waits for other frames or for a timer.
  kFrames,
  // TPACKET_V3: frames packed into blocks, handed over when a block is full or after
  // rx_block_timeout_ms, so a quiet link adds up to that much latency.
  kBlocks,
};
// "frames", "blocks".
absl::string_view RxRingKindName(RxRingKind kind);

struct AfPacketOptions {
  std::string interface;

  // Workers of one interface pass the same non-zero group (unique on the host, for example
  // derived from the pid); the kernel spreads frames over them by flow hash, so each test
  // stream stays in order on one worker. 0: no fanout (a single worker).
  uint16_t fanout_group = 0;
  int worker_index = 0;  // for Describe(); the kernel, not the index, picks the worker

  RxRingKind rx_ring = RxRingKind::kFrames;
  // kFrames: slots in the RX ring (each sized for the interface's MTU plus two tags).
  uint32_t rx_frame_count = 8192;
  // kBlocks: blocks of rx_block_size bytes (a multiple of the page size that holds a frame of
  // the interface's MTU). A block is handed over when full or after rx_block_timeout_ms, which
  // bounds the latency a quiet link adds.
  uint32_t rx_block_size = 1 << 18;
  uint32_t rx_block_count = 64;
  uint32_t rx_block_timeout_ms = 1;
  // TX ring slots (each sized for the interface's MTU plus two tags).
  uint32_t tx_frame_count = 1024;
};

}  // namespace reflector::platform::afpacket

#endif  // REFLECTOR_PLATFORM_AFPACKET_AFPACKET_OPTIONS_H_
