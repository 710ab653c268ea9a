// Frames and bytes reflected per rule NAME since the daemon started. The data paths count by
// rule index in the table in force (engine::Counters::reflected_by_rule), and their counters
// run on across a SIGHUP that swaps the table: without this, the frames of old rule i would be
// credited to whichever rule is i in the new table. A rule that keeps its name keeps its count,
// wherever it moves in the table.
//
// The swap and the counter read that closes the old table are not one atomic step: frames a
// data path classifies between the two (a batch in flight) may be credited to the rule at the
// same index in the other table. Rules that keep their index are always exact.
#ifndef REFLECTOR_DAEMON_RULE_TOTALS_H_
#define REFLECTOR_DAEMON_RULE_TOTALS_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "reflector/engine/counters.h"

namespace reflector::daemon {

struct RuleCount {
  std::string name;
  uint64_t frames = 0;
  uint64_t bytes = 0;
  friend bool operator==(const RuleCount&, const RuleCount&) = default;
};

class RuleTotals {
 public:
  // The table in force from the data path's start (its counters start at zero).
  void SetInitialTable(std::vector<std::string> names);
  // The table changed to `names`; `now` is read right after the swap. A table with the same
  // names in the same order is no change.
  void SetTable(std::vector<std::string> names, const engine::Counters& now);

  // Per name at `now`: the rules of the table in force, in order (zeros included), then those
  // of earlier tables that are no longer in it, in the order they first appeared.
  std::vector<RuleCount> At(const engine::Counters& now) const;

  const std::vector<std::string>& names() const { return names_; }

 private:
  std::vector<std::string> names_;
  // The data path's per-index counts when the table in force was installed.
  std::array<uint64_t, RF_MAX_RULES> base_frames_ = {};
  std::array<uint64_t, RF_MAX_RULES> base_bytes_ = {};
  std::vector<RuleCount> earlier_;  // what earlier tables counted, by name
};

}  // namespace reflector::daemon

#endif  // REFLECTOR_DAEMON_RULE_TOTALS_H_
