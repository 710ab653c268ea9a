// Capabilities: check up front that the process can do what the data path needs (and name
// what is missing), and drop everything else once setup is done.
#ifndef REFLECTOR_DAEMON_PRIVILEGES_H_
#define REFLECTOR_DAEMON_PRIVILEGES_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "reflector/engine/datapath.h"

namespace reflector::daemon {

// What setting up `datapath` needs (kAuto: what any of them needs, since auto may fall back):
//   CAP_NET_ADMIN  attach XDP and tc programs, change the rx-vlan-offload
//   CAP_BPF        load programs and create maps (CAP_SYS_ADMIN also counts)
//   CAP_PERFMON    the verifier refuses the programs' pointer arithmetic without it
//                  (CAP_SYS_ADMIN also counts)
//   CAP_NET_RAW    AF_XDP and packet sockets (afxdp, afpacket)
//   CAP_IPC_LOCK   AF_XDP's UMEM is charged to RLIMIT_MEMLOCK without it (afxdp; not needed
//                  when that limit is unlimited)
// (Since 5.11 BPF maps are charged to the cgroup, not to RLIMIT_MEMLOCK.)
std::vector<unsigned> SetupCapabilities(engine::DataPathKind datapath);

// "cap_net_admin,cap_net_raw,cap_bpf,cap_perfmon,cap_ipc_lock": the file capabilities that
// let an unprivileged user run every data path, as setcap takes them.
std::string DocumentedFileCapabilities();

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
