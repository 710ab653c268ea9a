#include "reflector/ctl/format.h"

#include <algorithm>
#include <cstdint>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"

namespace reflector::ctl {
namespace {

using nlohmann::json;

constexpr size_t kTopSessions = 5;  // rows of sessions on a `top` screen

// The field as text, or "?" when the daemon did not send it as expected.
std::string Text(const json& object, const char* key) {
  if (!object.is_object() || !object.contains(key)) return "?";
  const json& value = object[key];
  return value.is_string() ? value.get<std::string>() : value.dump();
}

double Number(const json& object, const char* key) {
  if (!object.is_object() || !object.contains(key) || !object[key].is_number()) return 0;
  return object[key].get<double>();
}

uint64_t Count(const json& object, const char* key) {
  if (!object.is_object() || !object.contains(key) || !object[key].is_number_unsigned()) return 0;
  return object[key].get<uint64_t>();
}

bool Flag(const json& object, const char* key) {
  return object.is_object() && object.contains(key) && object[key].is_boolean() &&
         object[key].get<bool>();
}

}  // namespace

std::string FormatStatus(const json& status) {
  std::string out = absl::StrFormat(
      "reflectord %s on %s (%s), up %s\n", Text(status, "version"), Text(status, "interface"),
      Text(status, "mac"),
      absl::FormatDuration(absl::Trunc(absl::Seconds(Number(status, "uptime_s")), absl::Seconds(1))));
  if (status.contains("fallbacks") && status["fallbacks"].is_array()) {
    for (const json& line : status["fallbacks"]) {
      if (line.is_string()) absl::StrAppend(&out, "  ", line.get<std::string>(), "\n");
    }
  }
  absl::StrAppendFormat(&out, "  data path  %s\n", Text(status, "datapath"));
  absl::StrAppendFormat(&out, "  queues     %s\n", Text(status, "queues"));
  const bool monitor = Flag(status, "monitor");
  absl::StrAppendFormat(&out, "  mode       %s%s\n", Text(status, "mode"),
                        monitor ? " (monitor: counting only, nothing is reflected)" : "");
  absl::StrAppendFormat(&out, "  profiles   %s\n", Text(status, "profiles"));
  if (status.contains("rules") && status["rules"].is_array()) {
    bool first = true;
    for (const json& rule : status["rules"]) {
      absl::StrAppendFormat(&out, "  %-10s %s\n", first ? "rules" : "", Text(rule, "description"));
      first = false;
    }
  }
  return out;
}

std::string FormatStats(const json& stats) {
  std::vector<std::pair<std::string, uint64_t>> rejects;
  if (stats.contains("rejected") && stats["rejected"].is_object()) {
    for (const auto& [reason, count] : stats["rejected"].items()) {
      if (count.is_number_unsigned() && count.get<uint64_t>() > 0) {
        rejects.emplace_back(reason, count.get<uint64_t>());
      }
    }
  }
  // Largest first; ties in the JSON object's (alphabetical) order.
  std::stable_sort(rejects.begin(), rejects.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  if (rejects.size() > 3) rejects.resize(3);
  const std::string top = absl::StrJoin(rejects, ", ", [](std::string* o, const auto& r) {
    absl::StrAppend(o, r.first, " ", r.second);
  });
  const bool monitor = Flag(stats, "monitor");
  return absl::StrFormat(
      "rx %.0f fps %.2f Mbps | %s %.0f fps %.2f Mbps | totals: rx %d, %s %d, rejected %d%s%s%s",
      Number(stats, "rx_fps"), Number(stats, "rx_mbps"), monitor ? "would reflect" : "reflected",
      Number(stats, "reflected_fps"), Number(stats, "reflected_mbps"), Count(stats, "rx_frames"),
      monitor ? "would reflect" : "reflected", Count(stats, "reflected_frames"),
      Count(stats, "rejected_frames"), top.empty() ? "" : " (", top, top.empty() ? "" : ")");
}

std::string FormatTop(const json& status, const json& stats, const json& sessions) {
  const bool monitor = Flag(stats, "monitor");
  std::string out = absl::StrFormat(
      "reflectord %s on %s (%s), %s, up %s   (Ctrl-C quits)\n\n", Text(status, "version"),
      Text(status, "interface"), Text(status, "mac"), Text(status, "datapath"),
      absl::FormatDuration(absl::Trunc(absl::Seconds(Number(status, "uptime_s")), absl::Seconds(1))));
  absl::StrAppendFormat(&out, "%-16s %14s %12s %16s\n", "", "frames/s", "Mbit/s", "total");
  absl::StrAppendFormat(&out, "%-16s %14.0f %12.2f %16d\n", "received", Number(stats, "rx_fps"),
                        Number(stats, "rx_mbps"), Count(stats, "rx_frames"));
  absl::StrAppendFormat(&out, "%-16s %14.0f %12.2f %16d\n",
                        monitor ? "would reflect" : "reflected", Number(stats, "reflected_fps"),
                        Number(stats, "reflected_mbps"), Count(stats, "reflected_frames"));
  absl::StrAppendFormat(&out, "%-16s %14s %12s %16d\n", "rejected", "", "",
                        Count(stats, "rejected_frames"));
  absl::StrAppendFormat(&out, "%-16s %14s %12s %16d\n", "passed to host", "", "",
                        Count(stats, "passed_frames"));
  absl::StrAppendFormat(&out, "%-16s %14s %12s %16d\n", "tx dropped", "", "",
                        Count(stats, "tx_dropped"));
  absl::StrAppendFormat(&out, "%-16s %14s %12s %16d\n", "rx dropped", "", "",
                        Count(stats, "rx_dropped"));
  absl::StrAppend(&out, "\nrejects by reason\n");
  bool any = false;
  if (stats.contains("rejected") && stats["rejected"].is_object()) {
    for (const auto& [reason, count] : stats["rejected"].items()) {
      if (!count.is_number_unsigned() || count.get<uint64_t>() == 0) continue;
      absl::StrAppendFormat(&out, "  %-14s %16d\n", reason, count.get<uint64_t>());
      any = true;
    }
  }
  if (!any) absl::StrAppend(&out, "  none\n");
  absl::StrAppend(&out, "\nreflected by rule\n");
  if (stats.contains("reflected_by_rule") && stats["reflected_by_rule"].is_object()) {
    for (const auto& [rule, count] : stats["reflected_by_rule"].items()) {
      absl::StrAppendFormat(&out, "  %-14s %16d\n", rule,
                            count.is_number_unsigned() ? count.get<uint64_t>() : 0);
    }
  }
  if (!sessions.is_null()) absl::StrAppend(&out, "\n", FormatSessions(sessions, kTopSessions));
  return out;
}

std::string FormatSessions(const json& sessions, size_t rows) {
  if (!sessions.is_object() || !sessions.contains("sessions") ||
      !sessions["sessions"].is_array()) {
    return "sessions: ?\n";
  }
  if (sessions.contains("counted") && sessions["counted"] == false) {
    return "sessions: not counted (reflectord runs with --sessions=false)\n";
  }
  const json& list = sessions["sessions"];
  std::string out = absl::StrCat("sessions: ", list.size(), " (a session ends after ",
                                 Text(sessions, "idle_s"), " s without a frame)\n");
  if (list.empty()) return out;
  // 99 columns: a row fits a 100-column terminal (top).
  absl::StrAppendFormat(&out, "%-17s %4s %-21s %-21s %-8s %10s %12s\n", "source MAC", "vlan",
                        "source", "destination", "rule", "frames", "bytes");
  size_t shown = 0;
  for (const json& s : list) {
    if (shown++ == rows) break;
    absl::StrAppendFormat(&out, "%-17s %4s %-21s %-21s %-8s %10d %12d\n", Text(s, "src_mac"),
                          Count(s, "vlan") ? Text(s, "vlan") : "-",
                          absl::StrCat(Text(s, "src_ip"), ":", Text(s, "src_port")),
                          absl::StrCat(Text(s, "dst_ip"), ":", Text(s, "dst_port")),
                          Text(s, "rule"), Count(s, "frames"), Count(s, "bytes"));
  }
  if (list.size() > rows) absl::StrAppend(&out, "  and ", list.size() - rows, " more\n");
  return out;
}

std::string FormatConfig(const json& config) {
  std::set<std::string> restart;
  if (config.contains("restart_only") && config["restart_only"].is_array()) {
    for (const json& name : config["restart_only"]) {
      if (name.is_string()) restart.insert(name.get<std::string>());
    }
  }
  std::string out;
  if (!config.contains("settings") || !config["settings"].is_object()) return out;
  for (const auto& [name, value] : config["settings"].items()) {
    absl::StrAppendFormat(&out, "%-20s = %s%s\n", name,
                          value.is_string() ? value.get<std::string>() : value.dump(),
                          restart.count(name) ? "   (restart only)" : "");
  }
  if (config.contains("custom_rules") && config["custom_rules"].is_array() &&
      !config["custom_rules"].empty()) {
    std::vector<std::string> names;
    for (const json& name : config["custom_rules"]) {
      if (name.is_string()) names.push_back(name.get<std::string>());
    }
    absl::StrAppend(&out, "custom rules (config file): ", absl::StrJoin(names, ", "), "\n");
  }
  return out;
}

}  // namespace reflector::ctl
