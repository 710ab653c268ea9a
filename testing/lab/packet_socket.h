// A raw AF_PACKET socket on one interface, for lab tests that send hand-built frames and read
// back what arrives. The kernel strips the outer VLAN tag into metadata before any packet
// socket sees a frame; Receive puts it back (from PACKET_AUXDATA), so tagged frames compare
// byte for byte.
#ifndef REFLECTOR_TESTING_LAB_PACKET_SOCKET_H_
#define REFLECTOR_TESTING_LAB_PACKET_SOCKET_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "reflector/base/unique_fd.h"

namespace reflector::testing::lab {

class PacketSocket {
 public:
  // Binds to `interface` in the calling thread's network namespace. It receives the frames
  // that arrive on the interface from the moment it is open, not the ones it sends.
  static absl::StatusOr<PacketSocket> Open(absl::string_view interface);

  // Sends `frame` as is (it must carry complete checksums: nothing offloads them).
  absl::Status Send(absl::Span<const uint8_t> frame);
  // The next frame that arrived, or nullopt when `deadline` passes first.
  absl::StatusOr<std::optional<std::vector<uint8_t>>> Receive(absl::Time deadline);

 private:
  PacketSocket(UniqueFd fd, int ifindex) : fd_(std::move(fd)), ifindex_(ifindex) {}
  UniqueFd fd_;
  int ifindex_;
};

}  // namespace reflector::testing::lab

#endif  // REFLECTOR_TESTING_LAB_PACKET_SOCKET_H_
