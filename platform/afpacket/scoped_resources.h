// Owner of the afpacket backend's ring mappings (descriptors are reflector::UniqueFd).
// Move-only; unmaps on destruction, so every early error return in setup cleans up.
#ifndef REFLECTOR_PLATFORM_AFPACKET_SCOPED_RESOURCES_H_
#define REFLECTOR_PLATFORM_AFPACKET_SCOPED_RESOURCES_H_

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <utility>

namespace reflector::platform::afpacket {

class ScopedMapping {
 public:
  ScopedMapping() = default;
  ScopedMapping(void* address, size_t size)
      : address_(address == MAP_FAILED ? nullptr : static_cast<uint8_t*>(address)), size_(size) {}
  ScopedMapping(ScopedMapping&& other) noexcept
      : address_(std::exchange(other.address_, nullptr)), size_(std::exchange(other.size_, 0)) {}
  ScopedMapping& operator=(ScopedMapping&& other) noexcept {
    if (this != &other) {
      Reset();
      address_ = std::exchange(other.address_, nullptr);
      size_ = std::exchange(other.size_, 0);
    }
    return *this;
  }
  ~ScopedMapping() { Reset(); }

  uint8_t* get() const { return address_; }
  bool valid() const { return address_ != nullptr; }

 private:
  void Reset() {
    if (address_ != nullptr) munmap(address_, size_);
    address_ = nullptr;
  }
  uint8_t* address_ = nullptr;
  size_t size_ = 0;
};

}  // namespace reflector::platform::afpacket

#endif  // REFLECTOR_PLATFORM_AFPACKET_SCOPED_RESOURCES_H_
