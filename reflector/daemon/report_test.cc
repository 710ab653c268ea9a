#include "reflector/daemon/report.h"

#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace reflector::daemon {
namespace {

using engine::Counters;
using packet::Verdict;

Counters Sample(uint64_t scale) {
  Counters c;
  c.rx_frames = 1000 * scale;
  c.rx_bytes = 64000 * scale;
  c.reflected_frames = 900 * scale;
  c.reflected_bytes = 57600 * scale;
  c.reflected_by_rule[0] = 900 * scale;  // probeot, in kRules
  c.reflected_bytes_by_rule[0] = 57600 * scale;
  c.rejected_by_reason[static_cast<size_t>(Verdict::kDstMac)] = 60 * scale;
  c.rejected_by_reason[static_cast<size_t>(Verdict::kPort)] = 40 * scale;
  return c;
}

const absl::Time kTime = absl::FromUnixSeconds(1795510000);

// Per-rule counts as the reporter passes them: Sample's rule 0 under the name "probeot".
std::vector<RuleCount> ByRule(uint64_t scale) {
  return {{"probeot", 900 * scale, 57600 * scale}, {"rfc2544", 0, 0}};
}

TEST(StatsReporter, TextLineShowsRatesAndTopReasons) {
  const std::string line =
      StatsReporter::FormatLine(StatsFormat::kText, Sample(1), Sample(3), absl::Seconds(2), kTime);
  EXPECT_EQ(line,
            "2026-11-24T08:46:40.000Z rx 1000 fps 0.51 Mbps | reflected 900 fps 0.46 Mbps | "
            "rejected 200 (dst_mac 120, port 80)");
}

TEST(StatsReporter, JsonLineIsOneObjectWithTotalsAndRates) {
  const std::string line = StatsReporter::FormatLine(
      StatsFormat::kJson, Sample(1), Sample(3), absl::Seconds(2), kTime, false, ByRule(3));
  EXPECT_EQ(line.find('\n'), std::string::npos);
  const nlohmann::json parsed = nlohmann::json::parse(line);
  EXPECT_EQ(parsed["rx_frames"], 3000);
  EXPECT_EQ(parsed["reflected_fps"], 900.0);
  EXPECT_EQ(parsed["rejected"]["dst_mac"], 180);
  EXPECT_EQ(parsed["rejected_frames"], 300);
  // Every rule in force by name, zeros included, frames and bytes.
  EXPECT_EQ(parsed["reflected_by_rule"], nlohmann::json({{"probeot", 2700}, {"rfc2544", 0}}));
  EXPECT_EQ(parsed["reflected_bytes_by_rule"],
            nlohmann::json({{"probeot", 172800}, {"rfc2544", 0}}));
  // No userspace workers (xdp): an empty list.
  EXPECT_EQ(parsed["workers"], nlohmann::json::array());
}

// STAMP's reflector dwell once there were answers: frames per bucket with the buckets'
// bounds, the count and the sum (issue 15); no key before the first answer.
TEST(StatsReporter, JsonLineCarriesTheStampDwell) {
  Counters now = Sample(3);
  EXPECT_FALSE(nlohmann::json::parse(StatsReporter::FormatLine(
                                         StatsFormat::kJson, Sample(1), now, absl::Seconds(2),
                                         kTime))
                   .contains("stamp_dwell"));
  now.stamp_dwell.Add(/*dwell_ns=*/700, /*count=*/2);
  now.stamp_dwell.Add(/*dwell_ns=*/3000, /*count=*/1);
  const nlohmann::json parsed = nlohmann::json::parse(StatsReporter::FormatLine(
      StatsFormat::kJson, Sample(1), now, absl::Seconds(2), kTime));
  const nlohmann::json& dwell = parsed["stamp_dwell"];
  EXPECT_EQ(dwell["count"], 3);
  EXPECT_EQ(dwell["sum_ns"], 4400);
  ASSERT_EQ(dwell["le_ns"].size(), static_cast<size_t>(RF_DWELL_BOUNDS));
  EXPECT_EQ(dwell["le_ns"][0], 1000);
  EXPECT_EQ(dwell["le_ns"][2], 5000);
  ASSERT_EQ(dwell["buckets"].size(), static_cast<size_t>(RF_DWELL_BUCKETS));
  EXPECT_EQ(dwell["buckets"][0], 2);
  EXPECT_EQ(dwell["buckets"][1], 0);
  EXPECT_EQ(dwell["buckets"][2], 1);
}

TEST(StatsReporter, JsonLineAndSummaryShowEachWorkersShare) {
  Counters now = Sample(3);
  now.workers = {{1800, 1700}, {1200, 1000}};
  const nlohmann::json parsed = nlohmann::json::parse(StatsReporter::FormatLine(
      StatsFormat::kJson, Sample(1), now, absl::Seconds(2), kTime));
  EXPECT_EQ(parsed["workers"],
            nlohmann::json::parse(R"([{"rx_frames": 1800, "reflected_frames": 1700},
                                       {"rx_frames": 1200, "reflected_frames": 1000}])"));
  const std::string summary = StatsReporter::FormatSummary(now, absl::Seconds(10));
  EXPECT_NE(summary.find("\n  by worker (rx/reflected): 1800/1700, 1200/1000\n"),
            std::string::npos)
      << summary;
  // One worker is the total already.
  now.workers.resize(1);
  EXPECT_EQ(StatsReporter::FormatSummary(now, absl::Seconds(10)).find("by worker"),
            std::string::npos);
}

TEST(StatsReporter, CsvRowsMatchTheHeader) {
  const std::string header = StatsReporter::CsvHeader();
  const std::string row =
      StatsReporter::FormatLine(StatsFormat::kCsv, Sample(1), Sample(3), absl::Seconds(2), kTime);
  EXPECT_EQ(std::count(header.begin(), header.end(), ','), std::count(row.begin(), row.end(), ','));
  EXPECT_EQ(header.substr(0, 12), "time,rx_fps,");
  EXPECT_NE(header.find(",too_short,dst_mac,"), std::string::npos);
  // Rules are not CSV columns (a reload could change them under one header).
  EXPECT_EQ(StatsReporter::FormatLine(StatsFormat::kCsv, Sample(1), Sample(3), absl::Seconds(2),
                                      kTime, false, ByRule(3)),
            row);
  EXPECT_EQ(header.find("probeot"), std::string::npos);
}

TEST(StatsReporter, SummaryListsRulesByNameAndReasons) {
  const std::string summary =
      StatsReporter::FormatSummary(Sample(2), absl::Seconds(10), false, ByRule(2));
  EXPECT_NE(summary.find("reflected 1800 frames"), std::string::npos) << summary;
  // Rules that reflected nothing are left out.
  EXPECT_NE(summary.find("\n  reflected by rule: probeot 1800\n"), std::string::npos) << summary;
  EXPECT_NE(summary.find("dst_mac 120, port 80"), std::string::npos) << summary;
  EXPECT_EQ(StatsReporter::FormatSummary(Sample(2), absl::Seconds(10)).find("by rule"),
            std::string::npos);
}

// Through the reporter: a reload that moves rules keeps each name's count.
TEST(StatsReporter, CountsByRuleNameAcrossAReload) {
  char* buffer = nullptr;
  size_t size = 0;
  std::FILE* out = open_memstream(&buffer, &size);
  StatsReporter reporter(StatsFormat::kJson, false, out, out);
  reporter.SetRuleNames({"probeot", "rfc2544"});
  Counters before = Sample(1);  // probeot (index 0) reflected 900
  reporter.Start(Counters(), kTime);
  // The new table puts "spirent" first: index 0 now counts spirent's frames.
  reporter.SetRuleNames({"spirent", "probeot"}, before);
  Counters after = before;
  after.reflected_by_rule[0] += 10;  // spirent
  after.reflected_by_rule[1] += 5;   // probeot
  ASSERT_TRUE(reporter.Line(after, kTime + absl::Seconds(1)));
  std::fclose(out);
  const nlohmann::json line = nlohmann::json::parse(std::string(buffer, size));
  free(buffer);
  EXPECT_EQ(line["reflected_by_rule"],
            nlohmann::json({{"spirent", 10}, {"probeot", 905}, {"rfc2544", 0}}));
  const std::string summary = reporter.SummaryText(after, absl::Seconds(2));
  EXPECT_NE(summary.find("reflected by rule: spirent 10, probeot 905\n"), std::string::npos)
      << summary;
}

TEST(StatsReporter, MonitorSaysWouldReflectNeverReflected) {
  const std::string line = StatsReporter::FormatLine(StatsFormat::kText, Sample(1), Sample(3),
                                                     absl::Seconds(2), kTime, /*monitor=*/true);
  EXPECT_NE(line.find("| would reflect 900 fps"), std::string::npos) << line;
  EXPECT_EQ(line.find("reflected"), std::string::npos) << line;
  const std::string summary =
      StatsReporter::FormatSummary(Sample(2), absl::Seconds(10), /*monitor=*/true, ByRule(2));
  EXPECT_NE(summary.find("would reflect (monitor: nothing sent) 1800 frames"), std::string::npos)
      << summary;
  EXPECT_NE(summary.find("would reflect by rule: probeot 1800"), std::string::npos);
  EXPECT_EQ(summary.find("reflected"), std::string::npos) << summary;
  const nlohmann::json json = nlohmann::json::parse(StatsReporter::FormatLine(
      StatsFormat::kJson, Sample(1), Sample(3), absl::Seconds(2), kTime, /*monitor=*/true));
  EXPECT_EQ(json["monitor"], true);
  EXPECT_FALSE(nlohmann::json::parse(StatsReporter::FormatLine(StatsFormat::kJson, Sample(1),
                                                               Sample(3), absl::Seconds(2), kTime))
                   .contains("monitor"));
}

TEST(StatsReporter, AClosedStreamIsReported) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  std::FILE* out = fdopen(fds[1], "w");
  ASSERT_NE(out, nullptr);
  StatsReporter reporter(StatsFormat::kText, false, out, stderr);
  EXPECT_TRUE(reporter.Banner("banner\n"));
  close(fds[0]);
  const sighandler_t previous = signal(SIGPIPE, SIG_IGN);
  reporter.Start(Sample(1), kTime);
  EXPECT_FALSE(reporter.Line(Sample(2), kTime + absl::Seconds(1)));
  signal(SIGPIPE, previous);
  std::fclose(out);
}

TEST(StatsReporter, SwitchingToCsvWritesTheHeader) {
  char* buffer = nullptr;
  size_t size = 0;
  std::FILE* out = open_memstream(&buffer, &size);
  StatsReporter reporter(StatsFormat::kJson, false, out, stderr);
  reporter.Start(Sample(1), kTime);
  ASSERT_TRUE(reporter.Line(Sample(2), kTime + absl::Seconds(1)));
  reporter.SetFormat(StatsFormat::kCsv);
  ASSERT_TRUE(reporter.Line(Sample(3), kTime + absl::Seconds(2)));
  std::fclose(out);
  const std::string text(buffer, size);
  free(buffer);
  EXPECT_NE(text.find("{\""), std::string::npos) << text;
  EXPECT_NE(text.find("\n" + StatsReporter::CsvHeader() + "\n"), std::string::npos) << text;
}

TEST(FormatBanner, NamesInterfaceDataPathFiltersAndEveryRule) {
  DaemonOptions options;
  options.filter.ipv6 = false;
  auto rules = packet::RuleTable(options.filter);
  ASSERT_TRUE(rules.ok()) << rules.status();
  BannerInfo info{"veth1", "02:00:5e:10:00:02", "xdp (native)", {"tried x: because"}, "1", "0.1",
                  *rules};
  const std::string banner = FormatBanner(info, options);
  EXPECT_NE(banner.find("on veth1 (02:00:5e:10:00:02)"), std::string::npos) << banner;
  EXPECT_NE(banner.find("tried x: because"), std::string::npos);
  EXPECT_NE(banner.find("data path  xdp (native)"), std::string::npos);
  EXPECT_NE(banner.find("\n  filters    dst-mac on, vlan on, ipv6 off\n"), std::string::npos)
      << banner;
  EXPECT_NE(banner.find("\n  profiles   ito,rfc2544,y1564\n"), std::string::npos) << banner;
  // One line per rule, in table order, as DescribeRule puts it.
  std::string listed = "  rules      " + packet::DescribeRule((*rules)[0]) + "\n";
  for (size_t i = 1; i < rules->size(); ++i) {
    listed += "             " + packet::DescribeRule((*rules)[i]) + "\n";
  }
  EXPECT_EQ(rules->size(), 5u);
  EXPECT_NE(banner.find(listed), std::string::npos) << banner;
  EXPECT_NE(banner.find("rules      probeot: port 3842, payload \"PROBEOT\" at 5, oui 00:c0:17 "
                        "-> mode all, tos-handshake\n"),
            std::string::npos)
      << banner;
}

}  // namespace
}  // namespace reflector::daemon

namespace reflector::daemon {
namespace {

TEST(StatsReporter, Y1731CountsShowInLinesJsonAndSummaryOnlyWhenThere) {
  engine::Counters before;
  engine::Counters now;
  now.y1731[RF_CFM_DMR] = 5;
  now.y1731[RF_CFM_LEVEL] = 2;
  const std::string text = StatsReporter::FormatLine(StatsFormat::kText, before, now,
                                                     absl::Seconds(1), absl::UnixEpoch());
  EXPECT_NE(text.find("| y1731 dmr 5, level 2"), std::string::npos) << text;
  const nlohmann::json json = nlohmann::json::parse(StatsReporter::FormatLine(
      StatsFormat::kJson, before, now, absl::Seconds(1), absl::UnixEpoch()));
  EXPECT_EQ(json["y1731"]["dmr"], 5);
  EXPECT_EQ(json["y1731"]["level"], 2);
  EXPECT_EQ(json["y1731"]["lbr"], 0);
  EXPECT_NE(StatsReporter::FormatSummary(now, absl::Seconds(1)).find("  y1731: dmr 5, level 2\n"),
            std::string::npos);
  EXPECT_EQ(StatsReporter::FormatLine(StatsFormat::kText, before, before, absl::Seconds(1),
                                      absl::UnixEpoch())
                .find("y1731"),
            std::string::npos);
  EXPECT_FALSE(nlohmann::json::parse(StatsReporter::FormatLine(StatsFormat::kJson, before, before,
                                                               absl::Seconds(1), absl::UnixEpoch()))
                   .contains("y1731"));
}

}  // namespace
}  // namespace reflector::daemon
