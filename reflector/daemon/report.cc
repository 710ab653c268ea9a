#include "reflector/daemon/report.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "nlohmann/json.hpp"
#include "reflector/packet/cfm_responder.h"

namespace reflector::daemon {
namespace {

using engine::Counters;
using packet::Verdict;

struct Rates {
  double rx_fps, rx_mbps, reflected_fps, reflected_mbps;
};

Rates RatesBetween(const Counters& before, const Counters& after, absl::Duration interval) {
  const double seconds = std::max(absl::ToDoubleSeconds(interval), 1e-9);
  return Rates{
      (after.rx_frames - before.rx_frames) / seconds,
      (after.rx_bytes - before.rx_bytes) * 8 / seconds / 1e6,
      (after.reflected_frames - before.reflected_frames) / seconds,
      (after.reflected_bytes - before.reflected_bytes) * 8 / seconds / 1e6,
  };
}

// Reject reasons with a non-zero count, largest first.
std::vector<std::pair<std::string, uint64_t>> TopRejects(const Counters& before,
                                                         const Counters& after, size_t limit) {
  std::vector<std::pair<std::string, uint64_t>> rejects;
  for (int i = 0; i < packet::kVerdictCount; ++i) {
    const uint64_t n = after.rejected_by_reason[i] - before.rejected_by_reason[i];
    if (n) rejects.emplace_back(std::string(packet::VerdictName(static_cast<Verdict>(i))), n);
  }
  std::stable_sort(rejects.begin(), rejects.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  if (rejects.size() > limit) rejects.resize(limit);
  return rejects;
}

// The Y.1731 responder's counts that moved, "lbr 3, dmr 5, level 1" (cfm.h outcomes).
std::string Y1731Counts(const Counters& before, const Counters& after) {
  std::vector<std::string> parts;
  for (int i = 0; i < packet::kCfmOutcomeCount; ++i) {
    const uint64_t n = after.y1731[i] - before.y1731[i];
    if (n) {
      parts.push_back(absl::StrCat(
          packet::CfmOutcomeName(static_cast<packet::CfmOutcome>(i)), " ", n));
    }
  }
  return absl::StrJoin(parts, ", ");
}

// A dwell histogram (counters.h) in a JSON stats line: frames per bucket (not cumulative), the
// buckets' upper bounds in ns (the last bucket has none: it takes the rest), and the sum.
nlohmann::json DwellJson(const engine::Dwell& dwell) {
  return {{"count", dwell.frames()},
          {"sum_ns", dwell.sum_ns},
          {"le_ns", engine::Dwell::kBoundsNs},
          {"buckets", dwell.buckets}};
}

std::string Timestamp(absl::Time time) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", time, absl::UTCTimeZone());
}

}  // namespace

std::string FormatBanner(const BannerInfo& info, const DaemonOptions& options) {
  std::string out =
      absl::StrFormat("reflectord %s on %s (%s)\n", info.version, info.interface, info.mac);
  for (const std::string& line : info.fallbacks) absl::StrAppend(&out, "  ", line, "\n");
  absl::StrAppendFormat(&out, "  data path  %s\n", info.datapath);
  absl::StrAppendFormat(&out, "  queues     %s\n", info.queues);
  absl::StrAppendFormat(&out, "  mode       %s%s\n", packet::ModeName(options.filter.mode),
                        options.datapath.monitor ? " (monitor: counting only, nothing is reflected)" : "");
  absl::StrAppendFormat(&out, "  filters    dst-mac %s, vlan %s, ipv6 %s\n",
                        options.filter.dst_mac_filter ? "on" : "off",
                        options.filter.vlan ? "on" : "off", options.filter.ipv6 ? "on" : "off");
  absl::StrAppendFormat(&out, "  profiles   %s\n", packet::FormatProfiles(options.filter.profiles));
  absl::StrAppendFormat(
      &out, "  safety     loop guard %s, %s\n",
      options.loop_window > absl::ZeroDuration()
          ? absl::StrCat("on (a frame back within ", absl::FormatDuration(options.loop_window),
                         " is dropped)")
          : std::string("off"),
      options.lease > absl::ZeroDuration()
          ? absl::StrCat("lease ", absl::FormatDuration(options.lease),
                         " (then nothing is reflected until SIGUSR2 renews it)")
          : std::string("no lease"));
  if (options.rate_limit.set() || options.source_rate_limit.set()) {
    std::vector<std::string> caps;
    if (options.rate_limit.set()) caps.push_back(packet::FormatRateLimit(options.rate_limit));
    if (options.source_rate_limit.set()) {
      caps.push_back(packet::FormatRateLimit(options.source_rate_limit) + " per source IP");
    }
    absl::StrAppendFormat(&out, "  %-10s rate caps: at most %s (burst %s; more is dropped as "
                          "`rate_limited`)\n",
                          "", absl::StrJoin(caps, ", "), absl::FormatDuration(options.rate_burst));
  }
  // One line per rule, in the order they are tried: the first that matches reflects.
  for (size_t i = 0; i < info.rules.size(); ++i) {
    absl::StrAppendFormat(&out, "  %-10s %s\n", i == 0 ? "rules" : "",
                          packet::DescribeRule(info.rules[i]));
  }
  return out;
}

namespace {

// Writes and flushes; false once the stream is broken (EPIPE with SIGPIPE ignored).
bool Write(std::FILE* out, const std::string& text) {
  std::fputs(text.c_str(), out);
  return std::fflush(out) == 0 && !std::ferror(out);
}

}  // namespace

StatsReporter::StatsReporter(StatsFormat format, bool monitor, std::FILE* lines, std::FILE* text)
    : format_(format),
      monitor_(monitor),
      text_for_machine_formats_(text),
      lines_(lines),
      text_(format == StatsFormat::kText ? lines : text) {}

void StatsReporter::SetFormat(StatsFormat format) {
  if (format == format_) return;
  format_ = format;
  text_ = format == StatsFormat::kText ? lines_ : text_for_machine_formats_;
  header_written_ = false;
}

bool StatsReporter::Banner(const std::string& banner) { return Write(text_, banner); }

void StatsReporter::Start(const Counters& now, absl::Time time) {
  previous_ = now;
  previous_time_ = time;
}

bool StatsReporter::Line(const Counters& now, absl::Time time) {
  std::string text;
  if (format_ == StatsFormat::kCsv && !header_written_) {
    text = CsvHeader() + "\n";
    header_written_ = true;
  }
  absl::StrAppend(&text,
                  FormatLine(format_, previous_, now, time - previous_time_, time, monitor_,
                             rules_.At(now), lease_left_),
                  "\n");
  previous_ = now;
  previous_time_ = time;
  return Write(lines_, text);
}

bool StatsReporter::Summary(const Counters& total, absl::Duration elapsed,
                            absl::string_view sessions) {
  return Write(text_, absl::StrCat(SummaryText(total, elapsed), sessions));
}

std::string StatsReporter::SummaryText(const Counters& total, absl::Duration elapsed) const {
  return FormatSummary(total, elapsed, monitor_, rules_.At(total));
}

std::string StatsReporter::CsvHeader() {
  std::string header =
      "time,rx_fps,rx_mbps,reflected_fps,reflected_mbps,rx_frames,reflected_frames,"
      "rejected_frames,tx_dropped,rx_dropped";
  for (int i = 1; i < packet::kVerdictCount; ++i) {
    absl::StrAppend(&header, ",", packet::VerdictName(static_cast<Verdict>(i)));
  }
  return header;
}

namespace {

// " | lease 7s left", " | lease expired: reflecting nothing", or nothing without a lease.
std::string LeaseNote(std::optional<absl::Duration> left) {
  if (!left.has_value()) return "";
  if (*left <= absl::ZeroDuration()) return " | lease expired: reflecting nothing";
  return absl::StrCat(" | lease ", absl::FormatDuration(absl::Ceil(*left, absl::Seconds(1))),
                      " left");
}

}  // namespace

std::string StatsReporter::FormatLine(StatsFormat format, const Counters& previous,
                                      const Counters& now, absl::Duration interval,
                                      absl::Time time, bool monitor,
                                      const std::vector<RuleCount>& by_rule,
                                      std::optional<absl::Duration> lease_left) {
  const Rates rates = RatesBetween(previous, now, interval);
  switch (format) {
    case StatsFormat::kText: {
      std::string rejects = absl::StrJoin(
          TopRejects(previous, now, 3), ", ",
          [](std::string* out, const auto& r) { absl::StrAppend(out, r.first, " ", r.second); });
      return absl::StrFormat(
                 "%s rx %.0f fps %.2f Mbps | %s %.0f fps %.2f Mbps | rejected %d%s%s%s",
                 Timestamp(time), rates.rx_fps, rates.rx_mbps,
                 monitor ? "would reflect" : "reflected", rates.reflected_fps,
                 rates.reflected_mbps, now.rejected_frames() - previous.rejected_frames(),
                 rejects.empty() ? "" : " (", rejects, rejects.empty() ? "" : ")") +
             (now.tx_dropped != previous.tx_dropped
                  ? absl::StrFormat(" | tx dropped %d", now.tx_dropped - previous.tx_dropped)
                  : "") +
             (now.rx_dropped != previous.rx_dropped
                  ? absl::StrFormat(" | rx dropped %d", now.rx_dropped - previous.rx_dropped)
                  : "") +
             (now.capture_captured != previous.capture_captured ||
                      now.capture_dropped != previous.capture_dropped
                  ? absl::StrFormat(" | captured %d, capture dropped %d",
                                    now.capture_captured - previous.capture_captured,
                                    now.capture_dropped - previous.capture_dropped)
                  : "") +
             (Y1731Counts(previous, now).empty()
                  ? ""
                  : absl::StrCat(" | y1731 ", Y1731Counts(previous, now))) +
             LeaseNote(lease_left);
    }
    case StatsFormat::kJson: {
      nlohmann::json rejected = nlohmann::json::object();
      for (int i = 1; i < packet::kVerdictCount; ++i) {
        rejected[std::string(packet::VerdictName(static_cast<Verdict>(i)))] =
            now.rejected_by_reason[i];
      }
      nlohmann::json frames_by_rule = nlohmann::json::object();
      nlohmann::json bytes_by_rule = nlohmann::json::object();
      for (const RuleCount& rule : by_rule) {
        frames_by_rule[rule.name] = rule.frames;
        bytes_by_rule[rule.name] = rule.bytes;
      }
      // The afxdp and afpacket paths' share of each worker, in queue order (xdp: none).
      nlohmann::json workers = nlohmann::json::array();
      for (const engine::WorkerCounts& worker : now.workers) {
        workers.push_back(
            {{"rx_frames", worker.rx_frames}, {"reflected_frames", worker.reflected_frames}});
      }
      nlohmann::json line = {
          {"time", Timestamp(time)},
          {"interval_s", absl::ToDoubleSeconds(interval)},
          {"rx_fps", rates.rx_fps},
          {"rx_mbps", rates.rx_mbps},
          {"reflected_fps", rates.reflected_fps},
          {"reflected_mbps", rates.reflected_mbps},
          {"rx_frames", now.rx_frames},
          {"rx_bytes", now.rx_bytes},
          {"reflected_frames", now.reflected_frames},
          {"reflected_bytes", now.reflected_bytes},
          {"reflected_by_rule", frames_by_rule},
          {"reflected_bytes_by_rule", bytes_by_rule},
          {"rejected_frames", now.rejected_frames()},
          {"rejected", rejected},
          {"passed_frames", now.passed_frames},
          {"tx_dropped", now.tx_dropped},
          {"rx_dropped", now.rx_dropped},
          {"capture_captured", now.capture_captured},
          {"capture_dropped", now.capture_dropped},
          {"workers", workers},
      };
      if (!Y1731Counts(Counters(), now).empty()) {
        nlohmann::json y1731 = nlohmann::json::object();
        for (int i = 0; i < packet::kCfmOutcomeCount; ++i) {
          y1731[std::string(packet::CfmOutcomeName(static_cast<packet::CfmOutcome>(i)))] =
              now.y1731[i];
        }
        line["y1731"] = y1731;  // answers (lbr, dmr, slr), then passed CFM frames by reason
      }
      // STAMP's reflector dwell (T3 - T2), once there were answers.
      if (now.stamp_dwell.frames() != 0) line["stamp_dwell"] = DwellJson(now.stamp_dwell);
      // Where the XDP program's STAMP T2s came from, once it took one.
      if (now.stamp_rx_time[0] + now.stamp_rx_time[1] != 0) {
        line["stamp_rx_time"] = {{"software", now.stamp_rx_time[0]},
                                 {"nic", now.stamp_rx_time[1]}};
      }
      if (monitor) line["monitor"] = true;
      if (lease_left.has_value()) line["lease_left_s"] = absl::ToDoubleSeconds(*lease_left);
      return line.dump();
    }
    case StatsFormat::kCsv: {
      std::string row = absl::StrFormat("%s,%.1f,%.3f,%.1f,%.3f,%d,%d,%d,%d,%d", Timestamp(time),
                                        rates.rx_fps, rates.rx_mbps, rates.reflected_fps,
                                        rates.reflected_mbps, now.rx_frames, now.reflected_frames,
                                        now.rejected_frames(), now.tx_dropped, now.rx_dropped);
      for (int i = 1; i < packet::kVerdictCount; ++i) {
        absl::StrAppend(&row, ",", now.rejected_by_reason[i]);
      }
      return row;
    }
  }
  return "";
}

std::string StatsReporter::FormatSummary(const Counters& total, absl::Duration elapsed,
                                         bool monitor,
                                         const std::vector<RuleCount>& by_rule) {
  std::string out = absl::StrFormat(
      "summary after %s: rx %d frames (%d bytes), %s %d frames (%d bytes), "
      "rejected %d, tx dropped %d, rx dropped %d\n",
      absl::FormatDuration(absl::Trunc(elapsed, absl::Milliseconds(1))), total.rx_frames,
      total.rx_bytes, monitor ? "would reflect (monitor: nothing sent)" : "reflected",
      total.reflected_frames, total.reflected_bytes, total.rejected_frames(), total.tx_dropped,
      total.rx_dropped);
  if (total.capture_captured != 0 || total.capture_dropped != 0) {
    absl::StrAppend(&out, "  capture: captured ", total.capture_captured, ", dropped ",
                    total.capture_dropped, "\n");
  }
  if (const std::string y1731 = Y1731Counts(Counters(), total); !y1731.empty()) {
    absl::StrAppend(&out, monitor ? "  y1731 (would answer): " : "  y1731: ", y1731, "\n");
  }
  std::vector<std::string> rules;
  for (const RuleCount& rule : by_rule) {
    if (rule.frames) rules.push_back(absl::StrCat(rule.name, " ", rule.frames));
  }
  if (!rules.empty())
    absl::StrAppend(&out, monitor ? "  would reflect by rule: " : "  reflected by rule: ",
                    absl::StrJoin(rules, ", "), "\n");
  if (total.workers.size() > 1) {
    absl::StrAppend(&out, "  by worker (rx/reflected): ",
                    absl::StrJoin(total.workers, ", ",
                                  [](std::string* o, const engine::WorkerCounts& w) {
                                    absl::StrAppend(o, w.rx_frames, "/", w.reflected_frames);
                                  }),
                    "\n");
  }
  const auto rejects = TopRejects(Counters(), total, packet::kVerdictCount);
  if (!rejects.empty()) {
    absl::StrAppend(&out, "  rejected by reason: ",
                    absl::StrJoin(rejects, ", ",
                                  [](std::string* o, const auto& r) {
                                    absl::StrAppend(o, r.first, " ", r.second);
                                  }),
                    "\n");
  }
  return out;
}

}  // namespace reflector::daemon
