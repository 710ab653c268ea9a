#include "reflector/daemon/privileges.h"

#include <cap-ng.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

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

bool MemlockUnlimited() {
  rlimit limit = {};
  return getrlimit(RLIMIT_MEMLOCK, &limit) == 0 && limit.rlim_cur == RLIM_INFINITY;
}

// What `cap` needs; CAP_SYS_ADMIN stands in for CAP_BPF and CAP_PERFMON, as in the kernel.
bool Have(unsigned cap) {
  if (capng_have_capability(CAPNG_EFFECTIVE, cap)) return true;
  return (cap == CAP_BPF || cap == CAP_PERFMON) &&
         capng_have_capability(CAPNG_EFFECTIVE, CAP_SYS_ADMIN);
}

std::string ProgramPath() {
  char path[4096];
  const ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
  return n > 0 ? std::string(path, static_cast<size_t>(n)) : std::string("reflectord");
}

}  // namespace

std::vector<unsigned> SetupCapabilities(engine::DataPathKind datapath) {
  std::vector<unsigned> needed = {CAP_NET_ADMIN, CAP_BPF, CAP_PERFMON};
  if (datapath != engine::DataPathKind::kXdp) needed.push_back(CAP_NET_RAW);
  if ((datapath == engine::DataPathKind::kAfXdp || datapath == engine::DataPathKind::kAuto) &&
      !MemlockUnlimited()) {
    needed.push_back(CAP_IPC_LOCK);
  }
  return needed;
}

std::string DocumentedFileCapabilities() {
  return "cap_net_admin,cap_net_raw,cap_bpf,cap_perfmon,cap_ipc_lock";
}

std::vector<unsigned> RuntimeCapabilities() { return {CAP_NET_ADMIN, CAP_BPF}; }

absl::Status CheckCapabilities(const std::vector<unsigned>& needed) {
  capng_get_caps_process();
  std::vector<std::string> missing;
  for (unsigned cap : needed) {
    if (!Have(cap)) missing.push_back(CapName(cap));
  }
  if (missing.empty()) return absl::OkStatus();
  return absl::PermissionDeniedError(
      absl::StrCat("missing capabilit", missing.size() > 1 ? "ies " : "y ",
                   absl::StrJoin(missing, ", "), ": run as root, or grant the file capabilities: ",
                   "setcap ", DocumentedFileCapabilities(), "+ep ", ProgramPath()));
}

absl::Status DropCapabilitiesExcept(const std::vector<unsigned>& keep) {
  capng_get_caps_process();
  // Shrinking the bounding set needs CAP_SETPCAP, which root has and a user running with file
  // capabilities does not; no_new_privs below keeps an exec from regaining anything either way.
  const capng_select_t select =
      capng_have_capability(CAPNG_EFFECTIVE, CAP_SETPCAP) ? CAPNG_SELECT_BOTH : CAPNG_SELECT_CAPS;
  capng_clear(select);
  for (unsigned cap : keep) {
    capng_update(CAPNG_ADD, static_cast<capng_type_t>(CAPNG_EFFECTIVE | CAPNG_PERMITTED), cap);
    if (select == CAPNG_SELECT_BOTH) capng_update(CAPNG_ADD, CAPNG_BOUNDING_SET, cap);
  }
  if (capng_apply(select) != 0) {
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
