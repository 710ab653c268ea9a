#include "testing/lab/host_traffic.h"

namespace reflector::testing::lab {
namespace {

constexpr uint16_t kIpv4 = 0x0800;
constexpr uint16_t kIpv6 = 0x86dd;
constexpr uint8_t kUdp = 17;

uint16_t Be16(absl::Span<const uint8_t> frame, size_t offset) {
  return static_cast<uint16_t>(frame[offset] << 8 | frame[offset + 1]);
}

}  // namespace

bool CouldBeReflection(absl::Span<const uint8_t> frame) {
  if (frame.size() < 14 || (frame[0] & 0x01) != 0) return false;
  size_t at = 12;
  for (int tags = 0; tags < 2 && at + 4 <= frame.size(); ++tags) {
    const uint16_t type = Be16(frame, at);
    if (type != 0x8100 && type != 0x88a8) break;
    at += 4;
  }
  if (at + 2 > frame.size()) return false;
  const uint16_t ethertype = Be16(frame, at);
  const size_t l3 = at + 2;
  if (ethertype == kIpv4) return l3 + 20 <= frame.size() && frame[l3 + 9] == kUdp;
  if (ethertype == kIpv6) return l3 + 40 <= frame.size() && frame[l3 + 6] == kUdp;
  return false;
}

}  // namespace reflector::testing::lab
