#include "tools/bench/table.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace reflector::bench {
namespace {

std::optional<double> Ratio(const std::optional<double>& value, const std::optional<double>& base) {
  if (!value || !base || *base <= 0) return std::nullopt;
  return *value / *base;
}

std::string Fixed(const std::optional<double>& value, int digits) {
  return value ? absl::StrFormat("%.*f", digits, *value) : "-";
}

std::string Mfps(const std::optional<double>& fps) {
  return fps ? absl::StrFormat("%.3f", *fps / 1e6) : "-";
}

const Row* BaselineFor(const std::vector<Row>& rows, size_t frame_size) {
  for (const Row& row : rows) {
    if (row.reflector == kBaseline && row.frame_size == frame_size) return &row;
  }
  return nullptr;
}

std::optional<double> P99(const Row* row) {
  if (row == nullptr || !row->rtt) return std::nullopt;
  return row->rtt->p99_us;
}

// "name >= 0.95 met (0.97)"; "n/a" when a figure is missing.
std::string Check(absl::string_view name, const std::optional<double>& ratio, bool at_least,
                  double bound, bool extra_ok = true) {
  if (!ratio) return absl::StrCat(name, " n/a");
  const bool ok = (at_least ? *ratio >= bound : *ratio <= bound) && extra_ok;
  return absl::StrFormat("%s %s%.2f %s", name, at_least ? ">=" : "<=", bound,
                         ok ? "met" : "MISSED");
}

}  // namespace

std::string RttVerdict(const Row& row) {
  const absl::string_view name = row.reflector;
  const double target = name == "afxdp+spin" || name == "afxdp+kernel"    ? 20
                        : name == "afpacket" || name == "afpacket+spin" || name == "afpacket+rt"
                            ? 100
                            : 0;
  if (target == 0) return "";
  const std::string check = absl::StrCat("p99 <= ", target, " us");
  if (!row.rtt) return absl::StrCat(check, " n/a");
  return absl::StrCat(check, row.rtt->p99_us <= target ? " met" : " MISSED");
}

std::string TargetVerdict(const Row& row, const Row* baseline) {
  // The lab has no DPDK NIC: dpdk runs on a net_af_packet vdev, a packet socket under DPDK.
  if (row.reflector == "dpdk") return "none: vdev figure (net_af_packet on veth), not a NIC's";
  if (row.reflector == kBaseline || baseline == nullptr) return RttVerdict(row);
  const std::optional<double> max_ratio = Ratio(row.reflected_fps, baseline->reflected_fps);
  const std::optional<double> zero_ratio = Ratio(row.zero_loss_fps, baseline->zero_loss_fps);
  std::vector<std::string> checks;
  if (row.reflector == "xdp") {
    const bool no_loss = row.loss_percent && *row.loss_percent == 0;
    checks.push_back(Check("max", max_ratio, true, 0.95, no_loss) +
                     (row.loss_percent && !no_loss ? " (loss)" : ""));
    checks.push_back(Check("zero-loss", zero_ratio, true, 0.9) +
                     (row.search_bound == "tester" ? " (tester-bound)" : ""));
    checks.push_back(Check("p99", Ratio(P99(&row), P99(baseline)), false, 1.2));
  } else if (row.reflector == "afxdp" || row.reflector == "afpacket") {
    const double bound = row.reflector == "afxdp" ? 0.2 : 0.05;
    checks.push_back(Check("max", max_ratio, true, bound));
    checks.push_back(Check("zero-loss", zero_ratio, true, bound));
  }
  if (const std::string rtt = RttVerdict(row); !rtt.empty()) checks.push_back(rtt);
  return absl::StrJoin(checks, ", ");
}

std::optional<double> MedianPairRatio(const PairRuns& runs) {
  std::vector<double> ratios;
  for (size_t i = 0; i < runs.baseline_fps.size() && i < runs.xdp_fps.size(); ++i) {
    if (runs.baseline_fps[i] > 0) ratios.push_back(runs.xdp_fps[i] / runs.baseline_fps[i]);
  }
  if (ratios.empty()) return std::nullopt;
  std::sort(ratios.begin(), ratios.end());
  const size_t middle = ratios.size() / 2;
  return ratios.size() % 2 == 1 ? ratios[middle] : (ratios[middle - 1] + ratios[middle]) / 2;
}

std::string FormatPairs(const std::vector<PairRuns>& runs, bool markdown) {
  if (runs.empty()) return "";
  const std::vector<std::string> header = {"size", "reflector", "pairs (baseline / xdp Mfps)",
                                           "x base per pair", "median x base", "target"};
  std::vector<std::vector<std::string>> cells;
  for (const PairRuns& r : runs) {
    std::vector<std::string> pairs;
    std::vector<std::string> ratios;
    for (size_t i = 0; i < r.baseline_fps.size() && i < r.xdp_fps.size(); ++i) {
      pairs.push_back(absl::StrFormat("%.3f / %.3f", r.baseline_fps[i] / 1e6, r.xdp_fps[i] / 1e6));
      ratios.push_back(r.baseline_fps[i] > 0
                           ? absl::StrFormat("%.3f", r.xdp_fps[i] / r.baseline_fps[i])
                           : std::string("-"));
    }
    const std::optional<double> median = MedianPairRatio(r);
    std::string target = !median.has_value() ? std::string("n/a")
                         : *median >= 0.95    ? std::string("max >=0.95 met")
                                              : std::string("max >=0.95 MISSED");
    if (!r.error.empty()) absl::StrAppend(&target, " (", r.error, ")");
    cells.push_back({absl::StrCat(r.frame_size), r.reflector, absl::StrJoin(pairs, ", "),
                     absl::StrJoin(ratios, ", "),
                     median.has_value() ? absl::StrFormat("%.3f", *median) : std::string("-"),
                     target});
  }
  return absl::StrCat(
      markdown ? "Max load in alternating rounds (baseline, then xdp with reflectord's defaults, "
                 "then xdp with the loop guard and the session count off, repeated; each xdp run "
                 "against the baseline run of its round):\n\n"
               : "Max load in alternating rounds (baseline, then each xdp; ratio per round):\n",
      RenderTable(header, cells, markdown));
}

std::string FormatTable(const std::vector<Row>& rows, bool markdown) {
  const std::vector<std::string> header = {
      "size",   "reflector",      "offered Mfps", "reflected Mfps", "loss %",
      "x base", "zero-loss Mfps", "x base",       "bound",          "p50 us",
      "p99 us", "p99.9 us",       "p99 x base",   "targets"};
  std::vector<std::vector<std::string>> cells;
  for (const Row& row : rows) {
    const Row* base = BaselineFor(rows, row.frame_size);
    const Row* ratio_base = row.reflector == kBaseline ? nullptr : base;
    auto ratio = [&](const std::optional<double>& value, const std::optional<double>& of) {
      return ratio_base == nullptr ? std::string(row.reflector == kBaseline ? "1" : "-")
                                   : Fixed(Ratio(value, of), 2);
    };
    std::string targets = TargetVerdict(row, base);
    if (row.rtt && row.rtt->tx_clock != "kernel") {
      targets = absl::StrCat(targets, targets.empty() ? "" : "; ", "RTT tx clock: ",
                             row.rtt->tx_clock.empty() ? "unknown" : row.rtt->tx_clock);
    }
    if (!row.error.empty()) targets = absl::StrCat(targets, targets.empty() ? "" : "; ", row.error);
    cells.push_back({
        absl::StrCat(row.frame_size),
        row.reflector,
        Mfps(row.offered_fps),
        Mfps(row.reflected_fps),
        Fixed(row.loss_percent, 2),
        ratio(row.reflected_fps, base ? base->reflected_fps : std::nullopt),
        Mfps(row.zero_loss_fps),
        ratio(row.zero_loss_fps, base ? base->zero_loss_fps : std::nullopt),
        row.search_bound.empty() ? "-" : row.search_bound,
        row.rtt ? Fixed(row.rtt->p50_us, 1) : "-",
        row.rtt ? Fixed(row.rtt->p99_us, 1) : "-",
        row.rtt ? Fixed(row.rtt->p999_us, 1) : "-",
        ratio(P99(&row), P99(base)),
        targets.empty() ? "-" : targets,
    });
  }
  return RenderTable(header, cells, markdown);
}

std::string RenderTable(const std::vector<std::string>& header,
                        const std::vector<std::vector<std::string>>& cells, bool markdown) {
  std::string out;
  if (markdown) {
    out = absl::StrCat("| ", absl::StrJoin(header, " | "), " |\n|");
    for (size_t i = 0; i < header.size(); ++i)
      out += i < 2 || i + 1 == header.size() ? "---|" : "---:|";
    out += "\n";
    for (const auto& line : cells) absl::StrAppend(&out, "| ", absl::StrJoin(line, " | "), " |\n");
    return out;
  }
  std::vector<size_t> width(header.size());
  for (size_t i = 0; i < header.size(); ++i) width[i] = header[i].size();
  for (const auto& line : cells) {
    for (size_t i = 0; i < line.size(); ++i) width[i] = std::max(width[i], line[i].size());
  }
  auto append = [&](const std::vector<std::string>& line) {
    for (size_t i = 0; i < line.size(); ++i) {
      // Names left, numbers right, the last column unpadded.
      if (i + 1 == line.size()) {
        absl::StrAppend(&out, line[i]);
      } else if (i == 1) {
        absl::StrAppendFormat(&out, "%-*s  ", width[i], line[i]);
      } else {
        absl::StrAppendFormat(&out, "%*s  ", width[i], line[i]);
      }
    }
    out += "\n";
  };
  append(header);
  for (const auto& line : cells) append(line);
  return out;
}

std::string SpliceGenerated(absl::string_view document, absl::string_view block) {
  const std::string wrapped = absl::StrCat(kBeginMarker, "\n", block, kEndMarker, "\n");
  const size_t begin = document.find(kBeginMarker);
  const size_t end = document.find(kEndMarker);
  if (begin == absl::string_view::npos || end == absl::string_view::npos || end < begin) {
    return absl::StrCat(document, document.empty() || document.back() == '\n' ? "" : "\n", wrapped);
  }
  size_t after = end + absl::string_view(kEndMarker).size();
  if (after < document.size() && document[after] == '\n') ++after;
  return absl::StrCat(document.substr(0, begin), wrapped, document.substr(after));
}

}  // namespace reflector::bench
