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
  c.reflected_by_signature[RF_SIG_PROBEOT] = 900 * scale;
  c.rejected_by_reason[static_cast<size_t>(Verdict::kDstMac)] = 60 * scale;
  c.rejected_by_reason[static_cast<size_t>(Verdict::kPort)] = 40 * scale;
  return c;
}

const absl::Time kTime = absl::FromUnixSeconds(1795510000);

TEST(StatsReporter, TextLineShowsRatesAndTopReasons) {
  const std::string line =
      StatsReporter::FormatLine(StatsFormat::kText, Sample(1), Sample(3), absl::Seconds(2), kTime);
  EXPECT_EQ(line,
            "2026-11-24T08:46:40.000Z rx 1000 fps 0.51 Mbps | reflected 900 fps 0.46 Mbps | "
            "rejected 200 (dst_mac 120, port 80)");
}

TEST(StatsReporter, JsonLineIsOneObjectWithTotalsAndRates) {
  const std::string line =
      StatsReporter::FormatLine(StatsFormat::kJson, Sample(1), Sample(3), absl::Seconds(2), kTime);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  const nlohmann::json parsed = nlohmann::json::parse(line);
  EXPECT_EQ(parsed["rx_frames"], 3000);
  EXPECT_EQ(parsed["reflected_fps"], 900.0);
  EXPECT_EQ(parsed["rejected"]["dst_mac"], 180);
  EXPECT_EQ(parsed["reflected_by_signature"]["probeot"], 2700);
  EXPECT_EQ(parsed["rejected_frames"], 300);
}

TEST(StatsReporter, CsvRowsMatchTheHeader) {
  const std::string header = StatsReporter::CsvHeader();
  const std::string row =
      StatsReporter::FormatLine(StatsFormat::kCsv, Sample(1), Sample(3), absl::Seconds(2), kTime);
  EXPECT_EQ(std::count(header.begin(), header.end(), ','), std::count(row.begin(), row.end(), ','));
  EXPECT_EQ(header.substr(0, 12), "time,rx_fps,");
  EXPECT_NE(header.find(",too_short,dst_mac,"), std::string::npos);
}

TEST(StatsReporter, SummaryListsSignaturesAndReasons) {
  const std::string summary = StatsReporter::FormatSummary(Sample(2), absl::Seconds(10));
  EXPECT_NE(summary.find("reflected 1800 frames"), std::string::npos) << summary;
  EXPECT_NE(summary.find("probeot 1800"), std::string::npos) << summary;
  EXPECT_NE(summary.find("dst_mac 120, port 80"), std::string::npos) << summary;
}

TEST(StatsReporter, MonitorSaysWouldReflectNeverReflected) {
  const std::string line = StatsReporter::FormatLine(StatsFormat::kText, Sample(1), Sample(3),
                                                     absl::Seconds(2), kTime, /*monitor=*/true);
  EXPECT_NE(line.find("| would reflect 900 fps"), std::string::npos) << line;
  EXPECT_EQ(line.find("reflected"), std::string::npos) << line;
  const std::string summary =
      StatsReporter::FormatSummary(Sample(2), absl::Seconds(10), /*monitor=*/true);
  EXPECT_NE(summary.find("would reflect (monitor: nothing sent) 1800 frames"), std::string::npos)
      << summary;
  EXPECT_NE(summary.find("would reflect by signature: probeot 1800"), std::string::npos);
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

TEST(FormatBanner, NamesInterfaceDataPathAndFilters) {
  DaemonOptions options;
  BannerInfo info{"veth1", "02:00:5e:10:00:02", "xdp (native)", {"tried x: because"}, "1", "0.1"};
  const std::string banner = FormatBanner(info, options);
  EXPECT_NE(banner.find("on veth1 (02:00:5e:10:00:02)"), std::string::npos) << banner;
  EXPECT_NE(banner.find("tried x: because"), std::string::npos);
  EXPECT_NE(banner.find("data path  xdp (native)"), std::string::npos);
  EXPECT_NE(banner.find("port 3842, oui 00:c0:17, dst-mac on"), std::string::npos) << banner;
}

}  // namespace
}  // namespace reflector::daemon
