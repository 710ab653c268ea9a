// Has the tester's interface receive frames sent to a MAC that is not its own: the replies to
// a stream whose source MAC is not the interface's (--src_mac, or the NetAlly OUI that
// --src_mac=auto picks for ITO signatures). A NIC drops such frames in its MAC filter before
// any XDP program or packet socket sees them; PACKET_MR_UNICAST on a packet socket adds the
// MAC to the NIC's unicast filter (or turns promiscuous mode on where it has none, as veth),
// and the kernel takes it out again when the socket closes, also when the process is killed.
#ifndef REFLECTOR_TOOLS_TESTER_UNICAST_ADDRESS_H_
#define REFLECTOR_TOOLS_TESTER_UNICAST_ADDRESS_H_

#include "absl/status/statusor.h"
#include "reflector/base/unique_fd.h"
#include "reflector/packet/config.h"

namespace reflector::tester {

class ExtraUnicastAddress {
 public:
  // Adds `mac` to the receive filter of `ifindex` for the object's lifetime.
  static absl::StatusOr<ExtraUnicastAddress> Add(int ifindex, const packet::MacAddress& mac);

 private:
  explicit ExtraUnicastAddress(UniqueFd socket) : socket_(std::move(socket)) {}
  UniqueFd socket_;  // the membership lives as long as this socket
};

}  // namespace reflector::tester

#endif  // REFLECTOR_TOOLS_TESTER_UNICAST_ADDRESS_H_
