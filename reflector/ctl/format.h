// reflectorctl's text output from the API's JSON documents (reflector/daemon/http/api.h).
// With -j reflectorctl prints the documents themselves instead.
#ifndef REFLECTOR_CTL_FORMAT_H_
#define REFLECTOR_CTL_FORMAT_H_

#include <cstdint>
#include <string>

#include "nlohmann/json.hpp"

namespace reflector::ctl {

// GET /api/v1/status as the banner reads, plus the uptime.
std::string FormatStatus(const nlohmann::json& status);
// A stats object (GET /api/v1/stats, an event) as one line: rates, totals, top rejects.
std::string FormatStats(const nlohmann::json& stats);
// GET /api/v1/config: "name = value" per setting, restart-only ones marked.
std::string FormatConfig(const nlohmann::json& config);

// GET /api/v1/sessions as a table, most frames first, at most `rows` of them.
std::string FormatSessions(const nlohmann::json& sessions, size_t rows = SIZE_MAX);

// One screen of `reflectorctl top`: who and where (status), rates and totals, rejects by
// reason and frames per rule (a stats object), and the top sessions (GET /api/v1/sessions;
// null: not shown). The caller clears the screen before it.
std::string FormatTop(const nlohmann::json& status, const nlohmann::json& stats,
                      const nlohmann::json& sessions = nullptr);

}  // namespace reflector::ctl

#endif  // REFLECTOR_CTL_FORMAT_H_
