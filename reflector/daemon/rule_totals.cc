#include "reflector/daemon/rule_totals.h"

#include <algorithm>
#include <utility>

namespace reflector::daemon {
namespace {

RuleCount& Entry(std::vector<RuleCount>& counts, const std::string& name) {
  auto found = std::find_if(counts.begin(), counts.end(),
                            [&name](const RuleCount& c) { return c.name == name; });
  if (found != counts.end()) return *found;
  counts.push_back(RuleCount{name});
  return counts.back();
}

}  // namespace

void RuleTotals::SetInitialTable(std::vector<std::string> names) {
  names_ = std::move(names);
  base_frames_ = {};
  base_bytes_ = {};
  earlier_.clear();
}

void RuleTotals::SetTable(std::vector<std::string> names, const engine::Counters& now) {
  if (names == names_) return;
  for (size_t i = 0; i < names_.size() && i < RF_MAX_RULES; ++i) {
    RuleCount& total = Entry(earlier_, names_[i]);
    total.frames += now.reflected_by_rule[i] - base_frames_[i];
    total.bytes += now.reflected_bytes_by_rule[i] - base_bytes_[i];
  }
  names_ = std::move(names);
  base_frames_ = now.reflected_by_rule;
  base_bytes_ = now.reflected_bytes_by_rule;
}

std::vector<RuleCount> RuleTotals::At(const engine::Counters& now) const {
  std::vector<RuleCount> counts;
  for (size_t i = 0; i < names_.size() && i < RF_MAX_RULES; ++i) {
    RuleCount& count = Entry(counts, names_[i]);
    count.frames += now.reflected_by_rule[i] - base_frames_[i];
    count.bytes += now.reflected_bytes_by_rule[i] - base_bytes_[i];
  }
  for (const RuleCount& earlier : earlier_) {
    RuleCount& count = Entry(counts, earlier.name);
    count.frames += earlier.frames;
    count.bytes += earlier.bytes;
  }
  return counts;
}

}  // namespace reflector::daemon
