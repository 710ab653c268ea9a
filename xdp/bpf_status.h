// The one place where libbpf and kernel error codes become absl::Status, with messages a user
// can act on: which capability is missing, which interface is gone, what to do about a busy
// device.
#ifndef REFLECTOR_XDP_BPF_STATUS_H_
#define REFLECTOR_XDP_BPF_STATUS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace reflector::xdp {

// Converts a libbpf or syscall error (errno, either sign) from `operation` (for example
// "load the XDP program" or "attach to eth0") into a Status; everything in the project that
// calls libbpf converts its errors here. EPERM/EACCES name the missing capabilities when some
// are missing; ENODEV says the interface is gone; EBUSY/EEXIST say another XDP program holds
// the device.
absl::Status BpfErrorToStatus(int error, absl::string_view operation);

// The capabilities that loading and attaching a kernel program (XDP, tc) need and this
// thread's effective set lacks, e.g. "CAP_BPF, CAP_NET_ADMIN"; empty when none is missing.
// CAP_SYS_ADMIN stands in for CAP_BPF, as it does in the kernel.
std::string MissingBpfCapabilities();

}  // namespace reflector::xdp

#endif  // REFLECTOR_XDP_BPF_STATUS_H_
