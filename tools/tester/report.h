// Results as people read them (a table) and as scripts read them (JSON).
#ifndef REFLECTOR_TOOLS_TESTER_REPORT_H_
#define REFLECTOR_TOOLS_TESTER_REPORT_H_

#include <string>
#include <vector>

#include "tools/tester/search.h"
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

std::string FormatTrial(const RunHeader& header, const TrialResult& result);
std::string TrialJson(const RunHeader& header, const TrialResult& result);

struct SizeSearch {
  size_t frame_size = 0;
  SearchOutcome outcome;
};
std::string FormatSearch(const RunHeader& header, const std::vector<SizeSearch>& searches);
std::string SearchJson(const RunHeader& header, const std::vector<SizeSearch>& searches);

}  // namespace reflector::tester

#endif  // REFLECTOR_TOOLS_TESTER_REPORT_H_
