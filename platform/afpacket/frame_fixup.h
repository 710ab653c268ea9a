// Repairs the kernel applies to a frame before a packet socket sees it, undone so the frame
// is classified and reflected as it was on the wire (SPEC §5 "Tags survive", "Checksums stay
// honest"). Pure functions on bytes: no sockets, unit-tested without root.
#ifndef REFLECTOR_PLATFORM_AFPACKET_FRAME_FIXUP_H_
#define REFLECTOR_PLATFORM_AFPACKET_FRAME_FIXUP_H_

#include <cstdint>

#include "absl/types/span.h"

namespace reflector::platform::afpacket {

inline constexpr uint32_t kVlanTagBytes = 4;

// Puts the outer tag the kernel moved into metadata back between the source MAC and the
// EtherType. `mac` points at a frame of `length` >= 12 bytes that has kVlanTagBytes of
// writable headroom before it; the MAC addresses move into that headroom, so the returned
// frame starts at mac - kVlanTagBytes and is kVlanTagBytes longer.
uint8_t* ReinsertVlanTag(uint8_t* mac, uint32_t length, uint16_t tpid, uint16_t tci);

// Completes the UDP checksum of an Ethernet frame (up to 3 tags, IPv4 or IPv6 without
// extension headers) that the kernel handed over with only a partial checksum
// (TP_STATUS_CSUMNOTREADY). The sum is recomputed from scratch, so whatever the partial field
// held does not matter. Returns false and leaves the frame alone when it is not an
// unfragmented UDP datagram that fits the frame.
bool CompleteUdpChecksum(absl::Span<uint8_t> frame);

}  // namespace reflector::platform::afpacket

#endif  // REFLECTOR_PLATFORM_AFPACKET_FRAME_FIXUP_H_
