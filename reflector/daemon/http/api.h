// The JSON API's documents and its one write, as pure functions of what the board holds, so
// they are tested without a server. The server (server.h) only routes to them.
//   GET /api/v1/status   StatusDocument
//   GET /api/v1/stats    StatsDocument: the numbers of a JSON stats line
//   GET /api/v1/config   ConfigDocument
//   PUT /api/v1/config   ParseSettingsBody, then the main loop's ValidateChange and reload
#ifndef REFLECTOR_DAEMON_HTTP_API_H_
#define REFLECTOR_DAEMON_HTTP_API_H_

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "reflector/daemon/http/board.h"
#include "reflector/daemon/options.h"

namespace reflector::daemon::http {

// JSON text that never aborts: invalid UTF-8 from a request is replaced, not thrown.
std::string Dump(const nlohmann::json& value);
// {"error": message} plus "fields" when there are some.
std::string ErrorDocument(absl::string_view message, const std::vector<std::string>& fields = {});

nlohmann::json StatusDocument(const StartInfo& start, const Running& running, absl::Time now);
// Exactly StatsReporter's JSON line for the interval from the last stats line to the read.
std::string StatsDocument(const Snapshot& snapshot, bool monitor);
nlohmann::json ConfigDocument(const Running& running);

// A PUT body: one JSON object of settings, values as strings, numbers, booleans or lists of
// them (a list is joined with commas, as in the config file). Errors are 400 replies.
absl::StatusOr<Settings> ParseSettingsBody(absl::string_view body, ControlReply* error);

// The options `changes` make of `running`, checked as SIGHUP checks a file: 400 for an unknown
// setting or a bad value (naming it), 409 when a restart-only setting would change (naming
// every such one); nothing is applied on an error. On success the reply is 200 and `next`
// holds the complete new options, with the running custom rules.
ControlReply ValidateChange(const DaemonOptions& running, const Settings& changes,
                            DaemonOptions* next);

}  // namespace reflector::daemon::http

#endif  // REFLECTOR_DAEMON_HTTP_API_H_
