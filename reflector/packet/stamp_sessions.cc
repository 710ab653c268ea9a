#include "reflector/packet/stamp_sessions.h"

#include <cstring>

namespace reflector::packet {

uint32_t StampSessions::Next(const rf_stamp_session_key& key) {
  Key bytes;
  std::memcpy(bytes.data(), &key, sizeof(key));
  auto it = counts_.find(bytes);
  if (it == counts_.end()) {
    if (counts_.size() >= kMaxSessions) counts_.erase(counts_.begin());
    it = counts_.emplace(bytes, 0).first;
  }
  return it->second++;
}

}  // namespace reflector::packet
