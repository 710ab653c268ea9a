// The daemon's line about a loop (SPEC §8): when frames start coming back already reflected,
// one line that names the peer they come from; not one per frame or per stats interval.
#ifndef REFLECTOR_DAEMON_LOOP_WATCH_H_
#define REFLECTOR_DAEMON_LOOP_WATCH_H_

#include <cstdint>
#include <optional>
#include <string>

#include "reflector/engine/counters.h"

namespace reflector::daemon {

class LoopWatch {
 public:
  // Looks at the data path's counters (called on every wake of the main loop). Returns the
  // line to log when a loop begins: the first `loop` frames, the first after a check that saw
  // none, or frames from another peer.
  std::optional<std::string> Check(const engine::Counters& counters);

 private:
  uint64_t loops_seen_ = 0;
  uint64_t peer_ = 0;
  bool active_ = false;
};

// "00:c0:17:00:00:01" from rf_mac_number's form.
std::string FormatMacNumber(uint64_t mac);

}  // namespace reflector::daemon

#endif  // REFLECTOR_DAEMON_LOOP_WATCH_H_
