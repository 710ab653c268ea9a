// XDP sees a frame as the driver delivers it. A NIC that strips the outer VLAN tag into its
// receive descriptor (rx-vlan-offload) hides the tag from the XDP program, and the reflected
// test frame would leave untagged (SPEC §5 "Tags survive"). The xdp and afxdp data paths
// therefore turn the offload off while they run, and back on when they stop.
//
// A killed process cannot turn it back on, so before turning it off we write a record into
// the state directory (/run/reflectord, or systemd's $RUNTIME_DIRECTORY); the next reflectord
// on that interface finds it and restores the offload first (RestoreLeftover), and
// `ethtool -K <interface> rxvlan on` does the same by hand.
#ifndef REFLECTOR_PLATFORM_VLAN_OFFLOAD_H_
#define REFLECTOR_PLATFORM_VLAN_OFFLOAD_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace reflector::platform {

class RxVlanOffloadOff {
 public:
  // Turns rx-vlan-offload off on `interface` (current network namespace) if it is on, after
  // recording that in `state_dir` (empty: no record). When the driver cannot turn it off, the
  // guard changes nothing and note() says what that means.
  static absl::StatusOr<std::unique_ptr<RxVlanOffloadOff>> Apply(const std::string& interface,
                                                                 const std::string& state_dir);

  // Undoes what a reflectord that did not stop cleanly left on `interface`: turns the offload
  // back on if a record says it was on, and removes the record. Returns one line for the log,
  // or "" when there was nothing to undo. Call only while holding the interface's instance
  // lock: a running reflector's record is not a leftover.
  static absl::StatusOr<std::string> RestoreLeftover(const std::string& interface,
                                                     const std::string& state_dir);

  // Where the record for `interface` in the current network namespace lives.
  static std::string RecordPath(const std::string& interface, const std::string& state_dir);

  RxVlanOffloadOff(const RxVlanOffloadOff&) = delete;
  RxVlanOffloadOff& operator=(const RxVlanOffloadOff&) = delete;
  ~RxVlanOffloadOff();  // turns the offload back on if Apply turned it off, drops the record

  bool changed() const { return changed_; }
  // "" when nothing needed saying; else one line for the banner.
  const std::string& note() const { return note_; }

 private:
  RxVlanOffloadOff(std::string interface, bool changed, std::string record, std::string note)
      : interface_(std::move(interface)),
        changed_(changed),
        record_(std::move(record)),
        note_(std::move(note)) {}

  std::string interface_;
  bool changed_;
  std::string record_;  // path of our record, "" when none was written
  std::string note_;
};

}  // namespace reflector::platform

#endif  // REFLECTOR_PLATFORM_VLAN_OFFLOAD_H_
