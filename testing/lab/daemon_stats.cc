#include "testing/lab/daemon_stats.h"

#include <signal.h>

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "nlohmann/json.hpp"
#include "reflector/base/status_macros.h"

namespace reflector::testing::lab {
namespace {

using nlohmann::json;

// The build has no exceptions, so every access is checked instead of letting json throw.
absl::StatusOr<uint64_t> Count(const json& object, const std::string& key) {
  if (!object.is_object() || !object.contains(key) || !object[key].is_number_unsigned()) {
    return absl::InvalidArgumentError(absl::StrCat("no count \"", key, "\" in ", object.dump()));
  }
  return object[key].get<uint64_t>();
}

absl::StatusOr<std::map<std::string, uint64_t>> NonZeroCounts(const json& line,
                                                              const std::string& key) {
  if (!line.contains(key) || !line[key].is_object()) {
    return absl::InvalidArgumentError(absl::StrCat("no object \"", key, "\" in ", line.dump()));
  }
  std::map<std::string, uint64_t> counts;
  for (const auto& [name, value] : line[key].items()) {
    REFLECTOR_ASSIGN_OR_RETURN(const uint64_t count, Count(line[key], name));
    if (count != 0) counts[name] = count;
  }
  return counts;
}

}  // namespace

absl::StatusOr<DaemonCounters> ParseLastStatsLine(absl::string_view stdout_text) {
  std::vector<absl::string_view> lines = absl::StrSplit(stdout_text, '\n');
  // The text after the last newline is a line still being written.
  if (!lines.empty()) lines.pop_back();
  if (lines.empty()) return absl::NotFoundError("no complete stats line on stdout");
  const json line = json::parse(lines.back(), nullptr, /*allow_exceptions=*/false);
  if (line.is_discarded() || !line.is_object()) {
    return absl::InvalidArgumentError(absl::StrCat("not a JSON object: ", lines.back()));
  }
  DaemonCounters counters;
  REFLECTOR_ASSIGN_OR_RETURN(counters.rx_frames, Count(line, "rx_frames"));
  REFLECTOR_ASSIGN_OR_RETURN(counters.reflected_frames, Count(line, "reflected_frames"));
  REFLECTOR_ASSIGN_OR_RETURN(counters.rejected_frames, Count(line, "rejected_frames"));
  REFLECTOR_ASSIGN_OR_RETURN(counters.rejected, NonZeroCounts(line, "rejected"));
  REFLECTOR_ASSIGN_OR_RETURN(counters.reflected_by_rule,
                             NonZeroCounts(line, "reflected_by_rule"));
  if (line.contains("y1731")) {
    REFLECTOR_ASSIGN_OR_RETURN(counters.y1731, NonZeroCounts(line, "y1731"));
  }
  if (!line.contains("workers") || !line["workers"].is_array()) {
    return absl::InvalidArgumentError(absl::StrCat("no list \"workers\" in ", line.dump()));
  }
  for (const json& worker : line["workers"]) {
    WorkerShare share;
    REFLECTOR_ASSIGN_OR_RETURN(share.rx_frames, Count(worker, "rx_frames"));
    REFLECTOR_ASSIGN_OR_RETURN(share.reflected_frames, Count(worker, "reflected_frames"));
    counters.workers.push_back(share);
  }
  return counters;
}

absl::StatusOr<DaemonCounters> RequestStats(LabProcess& daemon, absl::Duration timeout) {
  const std::string before = daemon.Stdout();
  const size_t lines = static_cast<size_t>(std::count(before.begin(), before.end(), '\n'));
  REFLECTOR_RETURN_IF_ERROR(daemon.Signal(SIGUSR1));
  REFLECTOR_RETURN_IF_ERROR(daemon.WaitForStdoutLines(lines, timeout));
  return ParseLastStatsLine(daemon.Stdout());
}

absl::StatusOr<DaemonCounters> StopAndCount(LabProcess& daemon, absl::Duration timeout) {
  REFLECTOR_RETURN_IF_ERROR(daemon.Signal(SIGINT));
  REFLECTOR_ASSIGN_OR_RETURN(const int code, daemon.Wait(timeout));
  if (code != 0) return absl::InternalError(daemon.Describe());
  return ParseLastStatsLine(daemon.Stdout());
}

}  // namespace reflector::testing::lab
