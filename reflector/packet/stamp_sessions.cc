#include "reflector/packet/stamp_sessions.h"

namespace reflector::packet {

uint32_t StampSessions::Next(const rf_stamp_session_key& key) {
  std::string bytes(reinterpret_cast<const char*>(&key), sizeof(key));
  auto it = counts_.find(bytes);
  if (it == counts_.end()) {
    if (counts_.size() >= kMaxSessions) counts_.erase(counts_.begin());
    it = counts_.emplace(std::move(bytes), 0).first;
  }
  return it->second++;
}

}  // namespace reflector::packet
