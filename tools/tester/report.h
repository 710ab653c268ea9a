// Results as people read them (text, printed while the run goes) and as scripts read them (one
// JSON document at the end).
#ifndef REFLECTOR_TOOLS_TESTER_REPORT_H_
#define REFLECTOR_TOOLS_TESTER_REPORT_H_

#include <string>
#include <vector>

#include "tools/tester/interval_ticker.h"
#include "tools/tester/search.h"
#include "tools/tester/trial.h"
#include "tools/tester/trial_result.h"

namespace reflector::tester {

// What the run was pointed at, for the report's first line, and what passes.
struct RunHeader {
  std::string interface;
  std::string src_ip;
  std::string dst_ip;
  std::string dst_mac;
  std::string src_mac;
  double loss_threshold_percent = 0;
};

// A single run as text, printed as it goes: the header before the first frame, then a line
// per interval while sending, then the summary.
std::string FormatTrialHeader(const RunHeader& header, const TrialOptions& options,
                              Engine engine);
// One line (without newline) for stderr when nothing came back: the usual reasons for the kind
// of stream sent.
std::string NothingCameBackHint(const StreamSpec& spec, const std::string& dst_ip);
std::string FormatIntervalHeading();
std::string FormatInterval(const IntervalSample& sample);
std::string FormatTrialSummary(const RunHeader& header, const TrialResult& result);
// The same as one JSON document, intervals included.
std::string TrialJson(const RunHeader& header, const TrialResult& result,
                      const std::vector<IntervalSample>& intervals);

// A search as text, printed as it goes: the header, then per frame size a heading, a row per
// trial as it ends, and the throughput.
struct SizeSearch {
  size_t frame_size = 0;
  SearchOutcome outcome;
};
std::string FormatSearchHeader(const RunHeader& header);
std::string FormatSizeHeading(size_t frame_size);
std::string FormatSearchStep(int trial, const SearchStep& step, size_t frame_size);
std::string FormatSizeResult(const SizeSearch& search);
std::string SearchJson(const RunHeader& header, const std::vector<SizeSearch>& searches);

}  // namespace reflector::tester

#endif  // REFLECTOR_TOOLS_TESTER_REPORT_H_
