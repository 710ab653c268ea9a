#include "xdp/bpf_status.h"

#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace reflector::xdp {
namespace {

bool HasEffectiveCapability(const __user_cap_data_struct (&data)[2], int capability) {
  return (data[capability / 32].effective >> (capability % 32)) & 1;
}

}  // namespace

std::string MissingBpfCapabilities() {
  // The raw syscall reads this thread's set, which is the one the kernel checks.
  __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  if (syscall(SYS_capget, &header, data) != 0) return "";
  std::vector<absl::string_view> missing;
  if (!HasEffectiveCapability(data, CAP_BPF) && !HasEffectiveCapability(data, CAP_SYS_ADMIN)) {
    missing.push_back("CAP_BPF");
  }
  if (!HasEffectiveCapability(data, CAP_NET_ADMIN)) missing.push_back("CAP_NET_ADMIN");
  return absl::StrJoin(missing, ", ");
}

absl::Status BpfErrorToStatus(int error, absl::string_view operation) {
  error = std::abs(error);
  const std::string what = absl::StrCat("cannot ", operation);
  switch (error) {
    case EPERM:
    case EACCES: {
      const std::string missing = MissingBpfCapabilities();
      if (!missing.empty()) {
        return absl::PermissionDeniedError(absl::StrCat(
            what, ": missing ", missing,
            " (kernel programs need CAP_BPF and CAP_NET_ADMIN; run as root or grant them)"));
      }
      // With the capabilities present, EACCES from a load is the verifier saying no.
      return absl::PermissionDeniedError(absl::StrCat(
          what, ": ", strerror(error),
          error == EACCES ? " (the verifier rejected the program; its log is on stderr)" : ""));
    }
    case ENODEV:
    case ENXIO:
      return absl::NotFoundError(absl::StrCat(what, ": the interface is gone (", strerror(error), ")"));
    case EBUSY:
    case EEXIST:
      return absl::FailedPreconditionError(absl::StrCat(
          what, ": another XDP program is attached to the interface (", strerror(error), ")"));
    case EOPNOTSUPP:
      return absl::FailedPreconditionError(
          absl::StrCat(what, ": not supported by the driver or kernel (", strerror(error), ")"));
    case ERANGE:  // what veth and several drivers answer for native XDP at a large MTU
      return absl::FailedPreconditionError(absl::StrCat(
          what, ": the MTU is too large for native XDP on this driver (", strerror(error),
          "); lower the MTU or use generic mode"));
    default:
      return absl::ErrnoToStatus(error, what);
  }
}

}  // namespace reflector::xdp
