#include "reflector/packet/checksum.h"

namespace reflector::packet {

uint64_t OnesComplementAdd(absl::Span<const uint8_t> bytes, uint64_t sum) {
  size_t i = 0;
  for (; i + 1 < bytes.size(); i += 2) sum += (uint64_t{bytes[i]} << 8) | bytes[i + 1];
  if (i < bytes.size()) sum += uint64_t{bytes[i]} << 8;
  return sum;
}

uint16_t OnesComplementFold(uint64_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(sum);
}

}  // namespace reflector::packet
