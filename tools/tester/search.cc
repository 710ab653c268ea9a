#include "tools/tester/search.h"

#include "absl/status/status.h"

namespace reflector::tester {

bool OfferedShort(const TrialResult& result) {
  return result.requested_fps > 0 && result.tx_fps < 0.98 * result.requested_fps;
}

bool TrialPasses(const TrialResult& result, double loss_threshold_percent) {
  // Nothing sent proves nothing; with a zero threshold, one lost frame fails (no rounding).
  if (result.summary.sent == 0 || OfferedShort(result)) return false;
  if (loss_threshold_percent <= 0) return result.summary.lost == 0;
  return result.summary.loss_percent <= loss_threshold_percent;
}

absl::StatusOr<SearchOutcome> SearchThroughput(const SearchOptions& options,
                                               const TrialFunction& trial) {
  if (!(options.max_fps > 0)) {
    return absl::InvalidArgumentError("the throughput search needs a maximum rate above 0");
  }
  SearchOutcome outcome;
  auto probe = [&](double rate) -> absl::StatusOr<bool> {
    absl::StatusOr<TrialResult> result = trial(rate);
    if (!result.ok()) return result.status();
    const bool pass = TrialPasses(*result, options.loss_threshold_percent);
    outcome.steps.push_back({rate, pass, *std::move(result)});
    if (pass && rate > outcome.throughput_fps) {
      outcome.throughput_fps = rate;
      outcome.best_step = static_cast<int>(outcome.steps.size()) - 1;
    }
    return pass;
  };

  absl::StatusOr<bool> pass = probe(options.max_fps);
  if (!pass.ok()) return pass.status();
  if (*pass) return outcome;
  double low = 0;  // highest rate known to pass (0: none yet)
  double high = options.max_fps;
  const double width = options.resolution * options.max_fps;
  while (static_cast<int>(outcome.steps.size()) < options.max_trials && high - low > width) {
    const double middle = (low + high) / 2;
    pass = probe(middle);
    if (!pass.ok()) return pass.status();
    (*pass ? low : high) = middle;
  }
  return outcome;
}

}  // namespace reflector::tester
