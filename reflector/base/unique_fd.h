// A move-only owner of a file descriptor (socket, BPF link, namespace handle): closed exactly
// once, when the owner goes away, so an early return or a failed test cannot leak it.
#ifndef REFLECTOR_BASE_UNIQUE_FD_H_
#define REFLECTOR_BASE_UNIQUE_FD_H_

#include <unistd.h>

#include <utility>

namespace reflector {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    reset(other.release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  // Gives up ownership without closing.
  int release() { return std::exchange(fd_, -1); }
  // Closes the current descriptor (if any) and owns `fd` instead.
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

}  // namespace reflector

#endif  // REFLECTOR_BASE_UNIQUE_FD_H_
