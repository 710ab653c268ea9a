// RFC 2544 §26.1 throughput: the highest rate at which the loss stays within a threshold,
// found by binary search between 0 and a maximum rate, one trial per probe.
#ifndef REFLECTOR_TOOLS_TESTER_SEARCH_H_
#define REFLECTOR_TOOLS_TESTER_SEARCH_H_

#include <functional>
#include <vector>

#include "absl/status/statusor.h"
#include "tools/tester/trial_result.h"

namespace reflector::tester {

struct SearchOptions {
  double max_fps = 0;                // the first probe; must be > 0
  double loss_threshold_percent = 0;  // a trial passes with loss <= this
  double resolution = 0.01;           // stop when the bracket is narrower than this x max_fps
  int max_trials = 12;
};

struct SearchStep {
  double rate_fps = 0;
  bool pass = false;
  TrialResult result;
};

struct SearchOutcome {
  std::vector<SearchStep> steps;
  double throughput_fps = 0;  // highest passing rate; 0 when none passed
  int best_step = -1;         // index into steps, -1 when none passed
};

// A trial at a rate; its errors end the search.
using TrialFunction = std::function<absl::StatusOr<TrialResult>(double rate_fps)>;

// The tester sent clearly less than the rate asked for (2% slack for pacing and timing): the
// trial measured a lower offered load than it claims, so it cannot pass.
bool OfferedShort(const TrialResult& result);
bool TrialPasses(const TrialResult& result, double loss_threshold_percent);

absl::StatusOr<SearchOutcome> SearchThroughput(const SearchOptions& options,
                                               const TrialFunction& trial);

}  // namespace reflector::tester

#endif  // REFLECTOR_TOOLS_TESTER_SEARCH_H_
