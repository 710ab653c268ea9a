#include "platform/afpacket/frame_fixup.h"

#include <cstring>

#include "reflector/packet/checksum.h"

namespace reflector::platform::afpacket {
namespace {

constexpr uint32_t kMacBytes = 12;  // dst + src
constexpr uint16_t kEtherTypeIpv4 = 0x0800;
constexpr uint16_t kEtherTypeIpv6 = 0x86dd;
constexpr uint16_t kTpid8021q = 0x8100;
constexpr uint16_t kTpid8021ad = 0x88a8;
constexpr int kMaxTags = 3;  // two inline test tags plus one the kernel took out and we put back
constexpr uint8_t kUdp = 17;

uint16_t Load16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }

void Store16(uint8_t* p, uint16_t value) {
  p[0] = static_cast<uint8_t>(value >> 8);
  p[1] = static_cast<uint8_t>(value);
}

}  // namespace

uint8_t* ReinsertVlanTag(uint8_t* mac, uint32_t length, uint16_t tpid, uint16_t tci) {
  (void)length;  // only the 12 address bytes move; the rest stays where the kernel put it
  uint8_t* start = mac - kVlanTagBytes;
  std::memmove(start, mac, kMacBytes);
  Store16(start + kMacBytes, tpid);
  Store16(start + kMacBytes + 2, tci);
  return start;
}

bool CompleteUdpChecksum(absl::Span<uint8_t> frame) {
  uint8_t* const data = frame.data();
  const size_t size = frame.size();
  size_t type_offset = kMacBytes;
  for (int tags = 0;; ++tags) {
    if (type_offset + 2 > size) return false;
    const uint16_t type = Load16(data + type_offset);
    if (type != kTpid8021q && type != kTpid8021ad) break;
    if (tags == kMaxTags) return false;
    type_offset += kVlanTagBytes;
  }
  const uint16_t ethertype = Load16(data + type_offset);
  const size_t l3 = type_offset + 2;

  uint64_t sum = 0;
  size_t l4 = 0;
  size_t ip_payload = 0;
  if (ethertype == kEtherTypeIpv4) {
    if (l3 + 20 > size || (data[l3] >> 4) != 4) return false;
    const size_t ihl = static_cast<size_t>(data[l3] & 0x0f) * 4;
    const size_t total = Load16(data + l3 + 2);
    if (ihl < 20 || total < ihl || l3 + total > size) return false;
    if (Load16(data + l3 + 6) & 0x3fff) return false;  // a fragment: the datagram is not all here
    if (data[l3 + 9] != kUdp) return false;
    sum = packet::OnesComplementAdd({data + l3 + 12, 8});  // source and destination address
    l4 = l3 + ihl;
    ip_payload = total - ihl;
  } else if (ethertype == kEtherTypeIpv6) {
    if (l3 + 40 > size || (data[l3] >> 4) != 6) return false;
    ip_payload = Load16(data + l3 + 4);
    if (l3 + 40 + ip_payload > size) return false;
    if (data[l3 + 6] != kUdp) return false;
    sum = packet::OnesComplementAdd({data + l3 + 8, 32});
    l4 = l3 + 40;
  } else {
    return false;
  }
  if (ip_payload < 8) return false;
  const size_t udp_length = Load16(data + l4 + 4);
  if (udp_length < 8 || udp_length > ip_payload) return false;

  // Pseudo-header length and protocol; the 32-bit IPv6 length adds up to the same value.
  sum += udp_length + kUdp;
  Store16(data + l4 + 6, 0);
  sum = packet::OnesComplementAdd({data + l4, udp_length}, sum);
  uint16_t checksum = static_cast<uint16_t>(~packet::OnesComplementFold(sum));
  if (checksum == 0) checksum = 0xffff;  // zero means "no checksum" in UDP over IPv4
  Store16(data + l4 + 6, checksum);
  return true;
}

}  // namespace reflector::platform::afpacket
