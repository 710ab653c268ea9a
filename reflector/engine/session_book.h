// The daemon's view of per-tester sessions (issue 15). The data paths count frames and bytes
// per session key, cumulatively and with no clock (xdp/session_count.h, session_table.h); the
// book adds their readings up per key, and from readings taken at known times tells which
// sessions are live, when each was first and last seen (to the reading), and expires one idle
// for longer than the idle time. A key seen again after its session expired starts a new
// session from the counts it had then.
#ifndef REFLECTOR_ENGINE_SESSION_BOOK_H_
#define REFLECTOR_ENGINE_SESSION_BOOK_H_

#include <cstdint>
#include <vector>

#include "absl/time/time.h"
#include "absl/types/span.h"
#include "reflector/engine/session_table.h"
#include "reflector/packet/session.h"

namespace reflector::engine {

struct Session {
  rf_session_key key = {};
  uint64_t frames = 0;
  uint64_t bytes = 0;
  absl::Time first_seen;  // the reading that first saw its frames
  absl::Time last_seen;   // the last reading in which its counts grew
};

class SessionBook {
 public:
  // Takes one reading (`idle` zero: sessions never expire) (entries of any number of sources; a key may repeat) at `now`. A count
  // below the one read before (a reading that caught a source moving counts between its cache
  // and its table) is ignored until the count passes it.
  void Update(absl::Span<const rf_session_slot> reading, absl::Time now, absl::Duration idle);
  // The live sessions, most frames first.
  std::vector<Session> Live() const;

 private:
  struct Entry {
    uint64_t frames = 0;  // the largest cumulative count read
    uint64_t bytes = 0;
    uint64_t base_frames = 0;  // the cumulative count when this session started
    uint64_t base_bytes = 0;
    absl::Time first_seen;
    absl::Time last_seen;
    bool live = false;
  };
  SessionKeyMap<Entry> entries_;
};

}  // namespace reflector::engine

#endif  // REFLECTOR_ENGINE_SESSION_BOOK_H_
