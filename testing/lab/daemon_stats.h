// Reads reflectord's counters from its JSON Lines stats output (--stats_format=json), the
// machine interface the daemon offers, so tests check what a user's tooling would see.
#ifndef REFLECTOR_TESTING_LAB_DAEMON_STATS_H_
#define REFLECTOR_TESTING_LAB_DAEMON_STATS_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "testing/lab/lab_process.h"

namespace reflector::testing::lab {

// One userspace worker's share (afxdp, afpacket), as the JSON line's "workers" lists them.
struct WorkerShare {
  uint64_t rx_frames = 0;
  uint64_t reflected_frames = 0;
};

struct DaemonCounters {
  uint64_t rx_frames = 0;
  uint64_t reflected_frames = 0;
  uint64_t rejected_frames = 0;
  std::map<std::string, uint64_t> rejected;                // by reason name, zeros left out
  std::map<std::string, uint64_t> reflected_by_rule;       // by rule name, zeros left out
  std::vector<WorkerShare> workers;                        // in queue order; none for xdp
  // The Y.1731 responder's outcomes (lbr, dmr, ..., level, address), zeros left out; empty
  // when the line has none (nothing counted yet).
  std::map<std::string, uint64_t> y1731;
  // Frames rejected for `reason` ("loop", "rate_limited", ...); 0 when none.
  uint64_t Rejected(const std::string& reason) const {
    const auto it = rejected.find(reason);
    return it == rejected.end() ? 0 : it->second;
  }
};

// The counters of the last complete line of `stdout_text`.
absl::StatusOr<DaemonCounters> ParseLastStatsLine(absl::string_view stdout_text);

// Asks the running daemon for a stats line now (SIGUSR1) and returns its counters.
absl::StatusOr<DaemonCounters> RequestStats(LabProcess& daemon, absl::Duration timeout);

// Stops the daemon (SIGINT), which must exit 0, and returns the counters of its last line.
absl::StatusOr<DaemonCounters> StopAndCount(LabProcess& daemon, absl::Duration timeout);

}  // namespace reflector::testing::lab

#endif  // REFLECTOR_TESTING_LAB_DAEMON_STATS_H_
