// GET /metrics: the counters in the Prometheus text exposition format (version 0.0.4).
// Counters end in _total and carry HELP and TYPE lines; per rule, reason and queue as labels.
// Rules are named the way the stats lines name them (the profiles' rules are per signature:
// ito-probeot, rfc2544, ...), so "by signature" is the rule label of the profiles' rules.
#ifndef REFLECTOR_DAEMON_HTTP_METRICS_H_
#define REFLECTOR_DAEMON_HTTP_METRICS_H_

#include <string>

#include "reflector/daemon/http/board.h"

namespace reflector::daemon::http {

inline constexpr char kMetricsContentType[] = "text/plain; version=0.0.4; charset=utf-8";

std::string FormatMetrics(const StartInfo& start, const Snapshot& snapshot);

// A label value with \, " and newline escaped as the format wants.
std::string EscapeLabel(const std::string& value);

}  // namespace reflector::daemon::http

#endif  // REFLECTOR_DAEMON_HTTP_METRICS_H_
