// RFC 2544 §26.1 throughput: the highest rate at which the loss stays within a threshold,
// found by binary search between 0 and a maximum rate, one trial per probe.
//
// Every trial is judged at the rate it actually sent, never above it. A trial that sent its
// requested rate (within 2%, for pacing and timing) passes or fails at the lower of the two.
// One that could not is
// tester-bound: neither pass nor fail at the requested rate, but it still measured the
// reflector at the rate it did send. With loss there, the reflector fails at that lower rate
// too, and the search goes below it; without loss, the reflector passes there and the search
// goes on above it, until a tester-bound trial gets no higher than what already passed: that
// is the tester's ceiling, and the search ends.
#ifndef REFLECTOR_TOOLS_TESTER_SEARCH_H_
#define REFLECTOR_TOOLS_TESTER_SEARCH_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tools/tester/trial_result.h"

namespace reflector::tester {

struct SearchStep;

struct SearchOptions {
  double max_fps = 0;                // the first probe; must be > 0
  double loss_threshold_percent = 0;  // a trial passes with loss <= this
  double resolution = 0.01;           // stop when the bracket is narrower than this x max_fps
  int max_trials = 12;
  std::function<void(const SearchStep&)> on_step = nullptr;  // each trial as it ends
};

enum class Verdict {
  kPass,         // sent the requested rate, loss within the threshold
  kFail,         // sent the requested rate, loss above the threshold
  kTesterBound,  // could not send the requested rate; see Judgement for what it measured
};
// "pass", "fail", "tester-bound".
const char* VerdictName(Verdict verdict);

struct Judgement {
  Verdict verdict = Verdict::kFail;
  double judged_fps = 0;  // the rate the loss was measured at: requested or sent, the lower
  bool loss_ok = false;   // loss within the threshold at judged_fps (and something was sent)
};

struct SearchStep {
  double rate_fps = 0;  // requested
  Judgement judgement;
  TrialResult result;
  bool pass() const { return judgement.verdict == Verdict::kPass; }
};

// What ended the search.
enum class SearchBound {
  kTop,     // the first probe, at the maximum, passed: the throughput is at least that
  kLoss,    // trials above the throughput lost frames
  kTester,  // the throughput is a lossless trial the tester could not send any faster
};
const char* SearchBoundName(SearchBound bound);  // "top", "loss", "tester"

struct SearchOutcome {
  std::vector<SearchStep> steps;
  double throughput_fps = 0;  // highest rate judged within the threshold; 0 when none
  int best_step = -1;         // index into steps, -1 when none
  SearchBound bound = SearchBound::kTop;
  // A trial came back interrupted (TrialResult::interrupted): the search ended there, and
  // that trial is not among the steps (it was not a whole trial at its rate).
  bool interrupted = false;
};

// A trial at a rate; its errors end the search. Its result says what it asked for
// (requested_fps) and what it sent (tx_fps).
using TrialFunction = std::function<absl::StatusOr<TrialResult>(double rate_fps)>;

// The tester sent clearly less than the rate asked for (2% slack for pacing and timing).
bool OfferedShort(const TrialResult& result);
// The loss is within the threshold (0: no frame lost) and something was sent.
bool LossWithin(const TrialResult& result, double loss_threshold_percent);
// A single run passes: loss within the threshold and something came back (with a threshold
// of 100 %, a run that got nothing back still fails, as ping's does).
bool RunPasses(const TrialResult& result, double loss_threshold_percent);
Judgement JudgeTrial(const TrialResult& result, double loss_threshold_percent);
bool TrialPasses(const TrialResult& result, double loss_threshold_percent);

absl::StatusOr<SearchOutcome> SearchThroughput(const SearchOptions& options,
                                               const TrialFunction& trial);

}  // namespace reflector::tester

#endif  // REFLECTOR_TOOLS_TESTER_SEARCH_H_
