// Per-tester sessions as people read them (issue 15): a key's fields as text, the JSON of
// GET /api/v1/sessions, and the summary's top sessions. One place, so the API, the summary at
// exit and reflectorctl (which reads the JSON) name the fields the same way.
#ifndef REFLECTOR_DAEMON_SESSIONS_H_
#define REFLECTOR_DAEMON_SESSIONS_H_

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "reflector/engine/session_book.h"
#include "reflector/packet/config.h"

namespace reflector::daemon {

struct SessionText {
  std::string src_mac;  // "00:c0:17:54:05:98"
  int vlan = 0;         // outer VLAN ID, 0: untagged
  std::string src_ip;   // "198.18.0.1", "2001:2::1"
  std::string dst_ip;
  int src_port = 0;
  int dst_port = 0;
  std::string rule;  // its name in `rules`, else "#<index>" (a table since reloaded)
};
SessionText DescribeSession(const rf_session_key& key, const std::vector<packet::Rule>& rules);

// {"counted": true, "idle_s": 60, "sessions": [{"src_mac", "vlan", "src_ip", "dst_ip",
// "src_port", "dst_port", "rule", "frames", "bytes", "first_seen", "last_seen"}, ...]}, most
// frames first. `counted` is false when reflectord runs with --sessions=false: the list is then
// empty because nothing is counted, not because nobody is testing.
nlohmann::json SessionsDocument(const std::vector<engine::Session>& sessions,
                                const std::vector<packet::Rule>& rules, absl::Duration idle,
                                bool counted);

// The summary's lines for the `top` sessions with the most frames, and how many more there
// were; empty when there were none.
std::string FormatTopSessions(const std::vector<engine::Session>& sessions,
                              const std::vector<packet::Rule>& rules, size_t top);

}  // namespace reflector::daemon

#endif  // REFLECTOR_DAEMON_SESSIONS_H_
