#ifndef REFLECTOR_PACKET_STAMP_SESSIONS_H_
#define REFLECTOR_PACKET_STAMP_SESSIONS_H_

#include <array>
#include <cstdint>

#include "absl/container/flat_hash_map.h"
#include "reflector/packet/stamp_session.h"

namespace reflector::packet {

static_assert(sizeof(rf_stamp_session_key) == 2 * 16 + 3 * 2 + 2,
              "rf_stamp_session_key has padding, whose bytes would be part of a key");

// The userspace workers' counts of a stateful STAMP Session-Reflector (stamp_session.h), one
// table per worker: a session's packets reach one worker, as RSS and fanout hash by flow.
// Bounded like the kernel's LRU map; when full, some other session is forgotten and starts
// again at 0 (which one differs from the kernel's choice).
class StampSessions {
 public:
  static constexpr size_t kMaxSessions = RF_STAMP_SESSIONS;
  // The reflector's sequence number for one more packet of `key`'s session: 0 for its first.
  uint32_t Next(const rf_stamp_session_key& key);
  size_t size() const { return counts_.size(); }

 private:
  // The key's bytes (no padding: every byte is a field), a fixed size so that a lookup on the
  // hot path allocates nothing.
  using Key = std::array<uint8_t, sizeof(rf_stamp_session_key)>;
  absl::flat_hash_map<Key, uint32_t> counts_;  // -> packets seen
};

}  // namespace reflector::packet

#endif  // REFLECTOR_PACKET_STAMP_SESSIONS_H_
