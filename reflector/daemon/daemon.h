// The daemon's life: look up the interface, check privileges, open a data path (falling back
// with reasons), drop privileges, start, then print stats and serve signals until told to stop.
//   SIGINT/SIGTERM  stop, detach, print the summary, exit 0
//   SIGHUP          reload settings (config file) and apply the filters without a restart
//   SIGUSR1         print a stats line now
//   SIGUSR2         (from the HTTP thread) answer its pending requests; see http/board.h
#ifndef REFLECTOR_DAEMON_DAEMON_H_
#define REFLECTOR_DAEMON_DAEMON_H_

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "reflector/daemon/http/server.h"
#include "reflector/daemon/options.h"
#include "reflector/engine/datapath.h"

namespace reflector::daemon {

// Exit codes.
inline constexpr int kExitOk = 0;
inline constexpr int kExitRuntimeError = 1;  // the data path failed while running
inline constexpr int kExitBadInput = 2;      // bad flags, interface, privileges, data path

struct DaemonHooks {
  // Re-reads the settings on SIGHUP (flags, then the config file again).
  std::function<absl::StatusOr<DaemonOptions>()> reload;
  // The data paths this build has, in fallback order.
  std::vector<engine::DataPathCandidate> datapaths;
  // Files the HTTP API serves at their paths (the dashboard), compiled into the binary.
  std::map<std::string, http::Asset> http_assets;
};

// Blocks the signals the daemon serves in the calling thread, so that every thread started
// afterwards inherits the mask and only the main loop sees them. Call first thing in main.
void BlockDaemonSignals();

int RunDaemon(const DaemonOptions& options, const DaemonHooks& hooks);

}  // namespace reflector::daemon

#endif  // REFLECTOR_DAEMON_DAEMON_H_
