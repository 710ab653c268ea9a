#include "platform/bpf_device/record_walk.h"

#include <cstring>

namespace reflector::platform::bpf_device::internal {

// The kernel writes the header in host byte order, at an aligned offset; memcpy keeps the
// walk correct even for a buffer that is not (a fuzzer's).
uint32_t Read32(const uint8_t* p) {
  uint32_t value;
  std::memcpy(&value, p, sizeof(value));
  return value;
}

uint16_t Read16(const uint8_t* p) {
  uint16_t value;
  std::memcpy(&value, p, sizeof(value));
  return value;
}

}  // namespace reflector::platform::bpf_device::internal
