#include "tools/tester/search.h"

#include <algorithm>

#include "absl/status/status.h"

namespace reflector::tester {
namespace {

constexpr double kOfferSlack = 0.98;

}  // namespace

bool LossWithin(const TrialResult& result, double loss_threshold_percent) {
  // Nothing sent proves nothing; with a zero threshold, one lost frame fails (no rounding).
  if (result.summary.sent == 0) return false;
  if (loss_threshold_percent <= 0) return result.summary.lost == 0;
  return result.summary.loss_percent <= loss_threshold_percent;
}

bool RunPasses(const TrialResult& result, double loss_threshold_percent) {
  return result.summary.received > 0 && LossWithin(result, loss_threshold_percent);
}

const char* VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kPass:
      return "pass";
    case Verdict::kFail:
      return "fail";
    case Verdict::kTesterBound:
      return "tester-bound";
  }
  return "?";
}

const char* SearchBoundName(SearchBound bound) {
  switch (bound) {
    case SearchBound::kTop:
      return "top";
    case SearchBound::kLoss:
      return "loss";
    case SearchBound::kTester:
      return "tester";
  }
  return "?";
}

bool OfferedShort(const TrialResult& result) {
  return result.requested_fps > 0 && result.tx_fps < kOfferSlack * result.requested_fps;
}

Judgement JudgeTrial(const TrialResult& result, double loss_threshold_percent) {
  Judgement j;
  j.loss_ok = LossWithin(result, loss_threshold_percent);
  j.verdict = OfferedShort(result)  ? Verdict::kTesterBound
              : j.loss_ok           ? Verdict::kPass
                                    : Verdict::kFail;
  // A paced trial sends a hair above its rate (n frames over n-1 gaps); one within the slack
  // below it passes at what it sent, not at what it asked for.
  j.judged_fps = result.requested_fps > 0 ? std::min(result.requested_fps, result.tx_fps)
                                          : result.tx_fps;
  return j;
}

bool TrialPasses(const TrialResult& result, double loss_threshold_percent) {
  return JudgeTrial(result, loss_threshold_percent).verdict == Verdict::kPass;
}

absl::StatusOr<SearchOutcome> SearchThroughput(const SearchOptions& options,
                                               const TrialFunction& trial) {
  if (!(options.max_fps > 0)) {
    return absl::InvalidArgumentError("the throughput search needs a maximum rate above 0");
  }
  SearchOutcome outcome;
  double low = 0;  // highest rate judged within the threshold (0: none yet)
  double high = options.max_fps;
  bool at_tester_ceiling = false;
  bool lost_above = false;
  auto probe = [&](double rate) -> absl::Status {
    absl::StatusOr<TrialResult> result = trial(rate);
    if (!result.ok()) return result.status();
    if (result->interrupted) {
      outcome.interrupted = true;
      return absl::OkStatus();
    }
    const Judgement j = JudgeTrial(*result, options.loss_threshold_percent);
    outcome.steps.push_back({rate, j, *std::move(result)});
    if (options.on_step) options.on_step(outcome.steps.back());
    if (j.loss_ok) {
      if (j.judged_fps > outcome.throughput_fps) {
        outcome.throughput_fps = j.judged_fps;
        outcome.best_step = static_cast<int>(outcome.steps.size()) - 1;
      }
      // A tester-bound trial that got no higher than what already passed met the tester's
      // ceiling: probing on would only meet it again. One that did get higher (the tester
      // fell short for a moment, not at its limit) moves the bracket like a pass.
      if (j.verdict == Verdict::kTesterBound && j.judged_fps <= low) at_tester_ceiling = true;
      low = std::max(low, j.judged_fps);
    } else {
      lost_above = true;
      high = std::min(high, j.judged_fps);
    }
    return absl::OkStatus();
  };

  if (absl::Status first = probe(options.max_fps); !first.ok()) return first;
  const double width = options.resolution * options.max_fps;
  if (!outcome.interrupted && !outcome.steps[0].pass()) {
    while (!outcome.interrupted && !at_tester_ceiling &&
           static_cast<int>(outcome.steps.size()) < options.max_trials && high - low > width) {
      if (absl::Status next = probe((low + high) / 2); !next.ok()) return next;
    }
  }
  const bool best_tester_bound =
      outcome.best_step >= 0 &&
      outcome.steps[static_cast<size_t>(outcome.best_step)].judgement.verdict ==
          Verdict::kTesterBound;
  if (at_tester_ceiling || best_tester_bound) {
    outcome.bound = SearchBound::kTester;
  } else if (lost_above) {
    outcome.bound = SearchBound::kLoss;
  }
  return outcome;
}

}  // namespace reflector::tester
