// Capabilities: check up front that the process can do what the data path needs (and name
// what is missing), and drop everything else once setup is done.
#ifndef REFLECTOR_DAEMON_PRIVILEGES_H_
#define REFLECTOR_DAEMON_PRIVILEGES_H_

#include <vector>

#include "absl/status/status.h"

namespace reflector::daemon {

// CAP_NET_ADMIN (attach programs, configure links), CAP_NET_RAW (packet sockets) and CAP_BPF
// (load programs, read maps; CAP_SYS_ADMIN also counts) are what setting up any data path
// needs. (Since 5.11 BPF memory is charged to the cgroup, so no memlock limit to raise.)
std::vector<unsigned> SetupCapabilities();

// PermissionDenied naming every capability of `needed` the process lacks, with how to grant
// them; OK when it has them all.
absl::Status CheckCapabilities(const std::vector<unsigned>& needed);

// Keeps only `keep` in the effective, permitted and bounding sets of this thread (call it
// before starting worker threads, which inherit it) and sets no_new_privs.
absl::Status DropCapabilitiesExcept(const std::vector<unsigned>& keep);

// What a running data path keeps: CAP_BPF for reading counters and updating the config map
// on SIGHUP, CAP_NET_ADMIN for detaching at exit (tc filters need it).
std::vector<unsigned> RuntimeCapabilities();

// Names of the capabilities in the effective set, for logs and tests ("cap_bpf,cap_net_admin").
std::string EffectiveCapabilities();

}  // namespace reflector::daemon

#endif  // REFLECTOR_DAEMON_PRIVILEGES_H_
