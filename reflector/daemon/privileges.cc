#include "reflector/daemon/privileges.h"

#include <cap-ng.h>
#include <linux/capability.h>
#include <sys/prctl.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace reflector::daemon {
namespace {

std::string CapName(unsigned cap) {
  const char* name = capng_capability_to_name(cap);
  return absl::StrCat("cap_", name ? absl::AsciiStrToLower(name) : absl::StrCat(cap));
}

}  // namespace

std::vector<unsigned> SetupCapabilities() { return {CAP_NET_ADMIN, CAP_NET_RAW, CAP_BPF}; }

std::vector<unsigned> RuntimeCapabilities() { return {CAP_NET_ADMIN, CAP_BPF}; }

absl::Status CheckCapabilities(const std::vector<unsigned>& needed) {
  capng_get_caps_process();
  std::vector<std::string> missing;
  for (unsigned cap : needed) {
    if (capng_have_capability(CAPNG_EFFECTIVE, cap)) continue;
    // CAP_SYS_ADMIN stands in for CAP_BPF on every kernel.
    if (cap == CAP_BPF && capng_have_capability(CAPNG_EFFECTIVE, CAP_SYS_ADMIN)) continue;
    missing.push_back(CapName(cap));
  }
  if (missing.empty()) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat(
      "missing capabilit", missing.size() > 1 ? "ies " : "y ", absl::StrJoin(missing, ", "),
      missing.size() > 1 ? ": run as root, or grant them with setcap "
                         : ": run as root, or grant it with setcap ",
      absl::StrJoin(missing, ","), "+ep <reflectord>"));
}

absl::Status DropCapabilitiesExcept(const std::vector<unsigned>& keep) {
  capng_get_caps_process();
  capng_clear(CAPNG_SELECT_BOTH);
  for (unsigned cap : keep) {
    capng_update(CAPNG_ADD, static_cast<capng_type_t>(CAPNG_EFFECTIVE | CAPNG_PERMITTED), cap);
    capng_update(CAPNG_ADD, CAPNG_BOUNDING_SET, cap);
  }
  if (capng_apply(CAPNG_SELECT_BOTH) != 0) {
    return absl::PermissionDeniedError("cannot drop capabilities (capng_apply failed)");
  }
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    return absl::InternalError(absl::StrCat("prctl(PR_SET_NO_NEW_PRIVS): ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

std::string EffectiveCapabilities() {
  capng_get_caps_process();
  std::vector<std::string> names;
  for (unsigned cap = 0; cap <= CAP_LAST_CAP; ++cap) {
    if (capng_have_capability(CAPNG_EFFECTIVE, cap)) names.push_back(CapName(cap));
  }
  return absl::StrJoin(names, ",");
}

}  // namespace reflector::daemon
