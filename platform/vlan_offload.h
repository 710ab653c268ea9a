// XDP sees a frame as the driver delivers it. A NIC that strips the outer VLAN tag into its
// receive descriptor (rx-vlan-offload) hides the tag from the XDP program, and the reflected
// test frame would leave untagged (SPEC §5 "Tags survive"). The xdp and afxdp data paths
// therefore turn the offload off while they run, and back on when they stop.
#ifndef REFLECTOR_PLATFORM_VLAN_OFFLOAD_H_
#define REFLECTOR_PLATFORM_VLAN_OFFLOAD_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace reflector::platform {

class RxVlanOffloadOff {
 public:
  // Turns rx-vlan-offload off on `interface` (current network namespace) if it is on. When the
  // driver cannot turn it off, the guard changes nothing and note() says what that means.
  static absl::StatusOr<std::unique_ptr<RxVlanOffloadOff>> Apply(const std::string& interface);

  RxVlanOffloadOff(const RxVlanOffloadOff&) = delete;
  RxVlanOffloadOff& operator=(const RxVlanOffloadOff&) = delete;
  ~RxVlanOffloadOff();  // turns the offload back on if Apply turned it off

  bool changed() const { return changed_; }
  // "" when nothing needed saying; else one line for the banner.
  const std::string& note() const { return note_; }

 private:
  RxVlanOffloadOff(std::string interface, bool changed, std::string note)
      : interface_(std::move(interface)), changed_(changed), note_(std::move(note)) {}

  std::string interface_;
  bool changed_;
  std::string note_;
};

}  // namespace reflector::platform

#endif  // REFLECTOR_PLATFORM_VLAN_OFFLOAD_H_
