#include "reflector/daemon/sessions.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace reflector::daemon {
namespace {

std::string FormatAddress(int version, const uint8_t* bytes) {
  char text[INET6_ADDRSTRLEN] = {};
  if (inet_ntop(version == 6 ? AF_INET6 : AF_INET, bytes, text, sizeof(text)) == nullptr) {
    return "?";
  }
  return text;
}

std::string Rfc3339(absl::Time time) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", time, absl::UTCTimeZone());
}

}  // namespace

SessionText DescribeSession(const rf_session_key& key, const std::vector<packet::Rule>& rules) {
  SessionText text;
  packet::MacAddress mac;
  std::copy(key.src_mac, key.src_mac + mac.size(), mac.begin());
  text.src_mac = packet::FormatMac(mac);
  text.vlan = key.vlan;
  text.src_ip = FormatAddress(key.ip_version, key.src_ip);
  text.dst_ip = FormatAddress(key.ip_version, key.dst_ip);
  text.src_port = ntohs(key.src_port);
  text.dst_port = ntohs(key.dst_port);
  text.rule = key.rule < rules.size() ? rules[key.rule].name : absl::StrCat("#", key.rule);
  return text;
}

nlohmann::json SessionsDocument(const std::vector<engine::Session>& sessions,
                                const std::vector<packet::Rule>& rules, absl::Duration idle,
                                bool counted) {
  nlohmann::json list = nlohmann::json::array();
  for (const engine::Session& session : sessions) {
    const SessionText text = DescribeSession(session.key, rules);
    list.push_back({{"src_mac", text.src_mac},
                    {"vlan", text.vlan},
                    {"src_ip", text.src_ip},
                    {"dst_ip", text.dst_ip},
                    {"src_port", text.src_port},
                    {"dst_port", text.dst_port},
                    {"rule", text.rule},
                    {"frames", session.frames},
                    {"bytes", session.bytes},
                    {"first_seen", Rfc3339(session.first_seen)},
                    {"last_seen", Rfc3339(session.last_seen)}});
  }
  return {{"counted", counted}, {"idle_s", absl::ToInt64Seconds(idle)}, {"sessions", list}};
}

std::string FormatTopSessions(const std::vector<engine::Session>& sessions,
                              const std::vector<packet::Rule>& rules, size_t top) {
  if (sessions.empty()) return "";
  std::string out = absl::StrCat("sessions: ", sessions.size(), "\n");
  for (size_t i = 0; i < sessions.size() && i < top; ++i) {
    const engine::Session& session = sessions[i];
    const SessionText text = DescribeSession(session.key, rules);
    absl::StrAppend(&out, "  ", text.src_mac, text.vlan ? absl::StrCat(" vlan ", text.vlan) : "",
                    " ", text.src_ip, ":", text.src_port, " -> ", text.dst_ip, ":",
                    text.dst_port, " rule ", text.rule, ": ", session.frames, " frames, ",
                    session.bytes, " bytes, ",
                    absl::FormatDuration(absl::Trunc(session.last_seen - session.first_seen,
                                                     absl::Seconds(1))),
                    "\n");
  }
  if (sessions.size() > top) absl::StrAppend(&out, "  and ", sessions.size() - top, " more\n");
  return out;
}

}  // namespace reflector::daemon
