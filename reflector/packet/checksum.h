// RFC 1071 one's-complement arithmetic, for the places that write checksums: the frame
// builder, the afpacket path completing partial UDP checksums, the tester's frames. (The
// reflector itself never needs it: swapping words leaves a one's-complement sum unchanged.)
#ifndef REFLECTOR_PACKET_CHECKSUM_H_
#define REFLECTOR_PACKET_CHECKSUM_H_

#include <cstdint>

#include "absl/types/span.h"

namespace reflector::packet {

// Adds the big-endian 16-bit words of `bytes` to `sum`; an odd last byte is padded with zero.
// 64 bits hold the sum of any frame without folding in between.
uint64_t OnesComplementAdd(absl::Span<const uint8_t> bytes, uint64_t sum = 0);

// Folds the carries back in: the 16-bit one's-complement sum. A checksum field holds its
// complement, and a packet whose checksums verify folds to 0xffff.
uint16_t OnesComplementFold(uint64_t sum);

}  // namespace reflector::packet

#endif  // REFLECTOR_PACKET_CHECKSUM_H_
