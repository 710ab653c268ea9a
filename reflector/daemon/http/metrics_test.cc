#include "reflector/daemon/http/metrics.h"

#include <cstdlib>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "reflector/packet/cfm_responder.h"

namespace reflector::daemon::http {
namespace {

bool Has(const std::string& text, const std::string& line) {
  return text.find(line + "\n") != std::string::npos;
}

TEST(MetricsTest, CountersByRuleReasonAndQueueWithHelpAndType) {
  StartInfo start{"0.1.0", "eth0", "", "afxdp \"copy\"", {}, "", false, absl::FromUnixSeconds(1700000000)};
  Snapshot snapshot;
  snapshot.counters.rx_frames = 12;
  snapshot.counters.reflected_frames = 9;
  snapshot.counters.rejected_by_reason[static_cast<int>(packet::Verdict::kPort)] = 3;
  snapshot.counters.workers = {{5, 4}, {7, 5}};
  snapshot.by_rule = {{"probeot", 9, 900}};
  const std::string text = FormatMetrics(start, snapshot);
  EXPECT_TRUE(Has(text, "# TYPE reflector_rx_frames_total counter")) << text;
  EXPECT_TRUE(Has(text, "reflector_rx_frames_total 12")) << text;
  EXPECT_TRUE(Has(text, "reflector_reflected_frames_total 9")) << text;
  EXPECT_TRUE(Has(text, "reflector_rule_reflected_frames_total{rule=\"probeot\"} 9")) << text;
  EXPECT_TRUE(Has(text, "reflector_rule_reflected_bytes_total{rule=\"probeot\"} 900")) << text;
  EXPECT_TRUE(Has(text, "reflector_rejected_frames_total{reason=\"port\"} 3")) << text;
  EXPECT_TRUE(Has(text, "reflector_rejected_frames_total{reason=\"dst_mac\"} 0")) << text;
  EXPECT_TRUE(Has(text, "reflector_queue_rx_frames_total{queue=\"1\"} 7")) << text;
  EXPECT_TRUE(Has(text, "reflector_start_time_seconds 1700000000.000")) << text;
  EXPECT_TRUE(Has(text, "reflector_build_info{version=\"0.1.0\",interface=\"eth0\","
                        "datapath=\"afxdp \\\"copy\\\"\"} 1"))
      << text;
  // Every counter family ends in _total.
  size_t at = 0;
  while ((at = text.find("# TYPE ", at)) != std::string::npos) {
    const size_t end = text.find('\n', at);
    const std::string line = text.substr(at, end - at);
    if (line.size() > 8 && line.substr(line.size() - 8) == " counter") {
      EXPECT_NE(line.find("_total "), std::string::npos) << line;
    }
    at = end;
  }
}

TEST(MetricsTest, NoQueueFamiliesWithoutWorkers) {
  const std::string text = FormatMetrics({}, {});
  EXPECT_EQ(text.find("reflector_queue_"), std::string::npos);
  EXPECT_EQ(text.find("reflector_dwell_seconds"), std::string::npos);
}

// The workers' dwell as a Prometheus histogram: cumulative buckets in seconds, +Inf equal to
// the count, the sum in seconds; promtool accepts it.
TEST(MetricsTest, DwellHistogram) {
  Snapshot snapshot;
  snapshot.counters.workers = {{3, 3}, {4, 4}};
  engine::Counters worker;
  worker.dwell.Add(/*dwell_ns=*/800, /*count=*/2);    // le 1 µs
  worker.dwell.Add(/*dwell_ns=*/1000, /*count=*/1);   // le 1 µs: bounds are inclusive
  worker.dwell.Add(/*dwell_ns=*/4500, /*count=*/3);   // le 5 µs
  worker.dwell.Add(/*dwell_ns=*/2000000000, 1);       // +Inf
  snapshot.counters += worker;
  const std::string text = FormatMetrics({}, snapshot);
  EXPECT_TRUE(Has(text, "# TYPE reflector_dwell_seconds histogram")) << text;
  EXPECT_TRUE(Has(text, "reflector_dwell_seconds_bucket{le=\"1e-06\"} 3")) << text;
  EXPECT_TRUE(Has(text, "reflector_dwell_seconds_bucket{le=\"2e-06\"} 3")) << text;
  EXPECT_TRUE(Has(text, "reflector_dwell_seconds_bucket{le=\"5e-06\"} 6")) << text;
  EXPECT_TRUE(Has(text, "reflector_dwell_seconds_bucket{le=\"0.1\"} 6")) << text;
  EXPECT_TRUE(Has(text, "reflector_dwell_seconds_bucket{le=\"+Inf\"} 7")) << text;
  EXPECT_TRUE(Has(text, "reflector_dwell_seconds_count 7")) << text;
  // 2 × 800 + 1000 + 3 × 4500 + 2e9 ns.
  EXPECT_TRUE(Has(text, "reflector_dwell_seconds_sum 2.000016100")) << text;

  const std::string path = absl::StrCat(std::getenv("TEST_TMPDIR"), "/metrics.txt");
  std::ofstream(path) << text;
  EXPECT_EQ(std::system(absl::StrCat("promtool check metrics < ", path).c_str()), 0) << text;
}

// The Y.1731 responder's counters: answers by kind, passed CFM frames by reason, every
// outcome present (zeros too), and promtool accepts them.
TEST(MetricsTest, Y1731AnswersAndReasons) {
  Snapshot snapshot;
  snapshot.counters.y1731[static_cast<int>(packet::CfmOutcome::kLbr)] = 4;
  snapshot.counters.y1731[static_cast<int>(packet::CfmOutcome::kDmr)] = 7;
  snapshot.counters.y1731[static_cast<int>(packet::CfmOutcome::kLevel)] = 2;
  const std::string text = FormatMetrics({}, snapshot);
  EXPECT_TRUE(Has(text, "# TYPE reflector_y1731_answered_frames_total counter")) << text;
  EXPECT_TRUE(Has(text, "reflector_y1731_answered_frames_total{answer=\"lbr\"} 4")) << text;
  EXPECT_TRUE(Has(text, "reflector_y1731_answered_frames_total{answer=\"dmr\"} 7")) << text;
  EXPECT_TRUE(Has(text, "reflector_y1731_answered_frames_total{answer=\"slr\"} 0")) << text;
  EXPECT_TRUE(Has(text, "# TYPE reflector_y1731_passed_frames_total counter")) << text;
  EXPECT_TRUE(Has(text, "reflector_y1731_passed_frames_total{reason=\"level\"} 2")) << text;
  EXPECT_TRUE(Has(text, "reflector_y1731_passed_frames_total{reason=\"malformed\"} 0")) << text;
  // Answers are not reasons, and reasons not answers.
  EXPECT_EQ(text.find("reflector_y1731_passed_frames_total{reason=\"lbr\"}"), std::string::npos);
  EXPECT_EQ(text.find("reflector_y1731_answered_frames_total{answer=\"level\"}"),
            std::string::npos);

  const std::string path = absl::StrCat(std::getenv("TEST_TMPDIR"), "/y1731_metrics.txt");
  std::ofstream(path) << text;
  EXPECT_EQ(std::system(absl::StrCat("promtool check metrics < ", path).c_str()), 0) << text;
}

// STAMP's reflector dwell (T3 - T2): a histogram with the same buckets, there for every data
// path (empty until an answer), the XDP program's and the workers' alike; promtool accepts it.
TEST(MetricsTest, StampDwellHistogram) {
  EXPECT_TRUE(Has(FormatMetrics({}, {}), "reflector_stamp_dwell_seconds_count 0"));
  Snapshot snapshot;
  snapshot.counters.stamp_dwell.Add(/*dwell_ns=*/300, /*count=*/4);   // le 1 µs
  snapshot.counters.stamp_dwell.Add(/*dwell_ns=*/1500, /*count=*/1);  // le 2 µs
  snapshot.counters.stamp_dwell.Add(/*dwell_ns=*/150000000, 1);       // +Inf
  const std::string text = FormatMetrics({}, snapshot);
  EXPECT_TRUE(Has(text, "# TYPE reflector_stamp_dwell_seconds histogram")) << text;
  EXPECT_TRUE(Has(text, "reflector_stamp_dwell_seconds_bucket{le=\"1e-06\"} 4")) << text;
  EXPECT_TRUE(Has(text, "reflector_stamp_dwell_seconds_bucket{le=\"2e-06\"} 5")) << text;
  EXPECT_TRUE(Has(text, "reflector_stamp_dwell_seconds_bucket{le=\"0.1\"} 5")) << text;
  EXPECT_TRUE(Has(text, "reflector_stamp_dwell_seconds_bucket{le=\"+Inf\"} 6")) << text;
  EXPECT_TRUE(Has(text, "reflector_stamp_dwell_seconds_count 6")) << text;
  // 4 × 300 + 1500 + 1.5e8 ns.
  EXPECT_TRUE(Has(text, "reflector_stamp_dwell_seconds_sum 0.150002700")) << text;
  EXPECT_EQ(text.find("reflector_dwell_seconds"), std::string::npos);  // no workers here

  const std::string path = absl::StrCat(std::getenv("TEST_TMPDIR"), "/stamp_metrics.txt");
  std::ofstream(path) << text;
  EXPECT_EQ(std::system(absl::StrCat("promtool check metrics < ", path).c_str()), 0) << text;
}

TEST(MetricsTest, EscapesLabelValues) {
  EXPECT_EQ(EscapeLabel("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
}

}  // namespace
}  // namespace reflector::daemon::http
