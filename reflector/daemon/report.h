// What the daemon prints: the startup banner, one stats line per interval (text, JSON Lines
// or CSV with a header) and the final summary. Machine formats keep stdout to stats lines
// alone; the banner and the summary then go to stderr.
#ifndef REFLECTOR_DAEMON_REPORT_H_
#define REFLECTOR_DAEMON_REPORT_H_

#include <cstdio>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "reflector/daemon/options.h"
#include "reflector/engine/counters.h"

namespace reflector::daemon {

struct BannerInfo {
  std::string interface;
  std::string mac;
  std::string datapath;                // "xdp (native)"
  std::vector<std::string> fallbacks;  // one line per data path tried and why it was skipped
  std::string queues;                  // "2 queues on cpus 0,1"
  std::string version;
};

std::string FormatBanner(const BannerInfo& info, const DaemonOptions& options);

class StatsReporter {
 public:
  // Lines go to `lines`; the banner and summary to `text` for machine formats.
  StatsReporter(StatsFormat format, std::FILE* lines, std::FILE* text);

  void Banner(const std::string& banner);
  // One line for the interval since the previous call (or since Start).
  void Start(const engine::Counters& now, absl::Time time);
  void Line(const engine::Counters& now, absl::Time time);
  void Summary(const engine::Counters& total, absl::Duration elapsed);

  // Pure formatting, for tests.
  static std::string FormatLine(StatsFormat format, const engine::Counters& previous,
                                const engine::Counters& now, absl::Duration interval,
                                absl::Time time);
  static std::string CsvHeader();
  static std::string FormatSummary(const engine::Counters& total, absl::Duration elapsed);

 private:
  StatsFormat format_;
  std::FILE* lines_;
  std::FILE* text_;
  bool header_written_ = false;
  engine::Counters previous_;
  absl::Time previous_time_;
};

}  // namespace reflector::daemon

#endif  // REFLECTOR_DAEMON_REPORT_H_
