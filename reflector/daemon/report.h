// What the daemon prints: the startup banner, one stats line per interval (text, JSON Lines
// or CSV with a header) and the final summary. Machine formats keep stdout to stats lines
// alone; the banner and the summary then go to stderr.
//
// Per-rule counts, by rule name across reloads (rule_totals.h): the summary lists the rules
// that reflected something, JSON lines carry "reflected_by_rule" and "reflected_bytes_by_rule"
// ({name: count}, every rule of the table in force plus earlier tables' rules that counted).
// CSV does not list them: its columns stay those of its one header while a SIGHUP can change
// the rules; use JSON for per-rule figures.
#ifndef REFLECTOR_DAEMON_REPORT_H_
#define REFLECTOR_DAEMON_REPORT_H_

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "reflector/daemon/options.h"
#include "reflector/daemon/rule_totals.h"
#include "reflector/engine/counters.h"
#include "reflector/packet/config.h"

namespace reflector::daemon {

struct BannerInfo {
  std::string interface;
  std::string mac;
  std::string datapath;                // "xdp (native)"
  std::vector<std::string> fallbacks;  // one line per data path tried and why it was skipped
  std::string queues;                  // "2 queues on cpus 0,1"
  std::string version;
  std::vector<packet::Rule> rules;  // the compiled table, in the order they are tried
};

std::string FormatBanner(const BannerInfo& info, const DaemonOptions& options);

// In monitor mode nothing goes out: text says "would reflect" where it says "reflected", and
// JSON lines carry "monitor": true (the field names stay, so scripts read both modes alike).
class StatsReporter {
 public:
  // Lines go to `lines`; the banner and summary to `text` for machine formats.
  StatsReporter(StatsFormat format, bool monitor, std::FILE* lines, std::FILE* text);

  // Each returns false once its stream cannot be written any more (a closed pipe: the reader
  // of `reflectord | head` went away).
  bool Banner(const std::string& banner);
  // One line for the interval since the previous call (or since Start).
  void Start(const engine::Counters& now, absl::Time time);
  bool Line(const engine::Counters& now, absl::Time time);
  // `sessions`: lines that follow the summary (the top sessions), written with it.
  bool Summary(const engine::Counters& total, absl::Duration elapsed,
               absl::string_view sessions = "");

  // Takes effect from the next line; a CSV header is written again when the format becomes CSV.
  void SetFormat(StatsFormat format);
  // Names of the rules in force at the start, by index (packet::CompiledConfig::rules).
  void SetRuleNames(std::vector<std::string> names) { rules_.SetInitialTable(std::move(names)); }
  // After a reload swapped the table: `now` is read right after the swap.
  void SetRuleNames(std::vector<std::string> names, const engine::Counters& now) {
    rules_.SetTable(std::move(names), now);
  }
  // Time left on the lease (--lease) for the next lines: text and JSON show it; nullopt: none.
  void SetLeaseLeft(std::optional<absl::Duration> left) { lease_left_ = left; }
  // What the stats lines name per rule (the HTTP API shows the same).
  const RuleTotals& rule_totals() const { return rules_; }
  // The summary for `total`, as Summary writes it.
  std::string SummaryText(const engine::Counters& total, absl::Duration elapsed) const;

  // Pure formatting, for tests. `by_rule`: the per-rule counts at `now` (or `total`).
  static std::string FormatLine(StatsFormat format, const engine::Counters& previous,
                                const engine::Counters& now, absl::Duration interval,
                                absl::Time time, bool monitor = false,
                                const std::vector<RuleCount>& by_rule = {},
                                std::optional<absl::Duration> lease_left = std::nullopt);
  static std::string CsvHeader();
  static std::string FormatSummary(const engine::Counters& total, absl::Duration elapsed,
                                   bool monitor = false,
                                   const std::vector<RuleCount>& by_rule = {});

 private:
  StatsFormat format_;
  bool monitor_;
  std::FILE* text_for_machine_formats_;
  std::FILE* lines_;
  std::FILE* text_;
  bool header_written_ = false;
  RuleTotals rules_;
  engine::Counters previous_;
  absl::Time previous_time_;
  std::optional<absl::Duration> lease_left_;
};

}  // namespace reflector::daemon

#endif  // REFLECTOR_DAEMON_REPORT_H_
