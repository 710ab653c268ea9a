#include "tools/tester/report.h"

#define JSON_NOEXCEPTION 1
#include <nlohmann/json.hpp>

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace reflector::tester {
namespace {

RunHeader Header(double threshold = 0) {
  return {"eth1", "198.18.0.1", "198.18.0.2", "02:00:5e:10:00:02", "00:c0:17:10:00:01",
          threshold};
}

TrialResult Result(uint64_t sent, uint64_t received) {
  TrialResult r;
  r.spec.stream_id = 0x1234;
  r.requested_fps = r.tx_fps = 1000;
  r.elapsed_s = 1;
  r.summary.sent = sent;
  r.summary.received = r.summary.unique = received;
  r.summary.lost = sent - received;
  r.summary.loss_percent = sent == 0 ? 0 : 100.0 * static_cast<double>(sent - received) / sent;
  return r;
}

TEST(ReportTest, TheHeaderSaysWhatWillBeSent) {
  TrialOptions options;
  options.rate_fps = 1000;
  options.duration_ns = 5000000000;
  EXPECT_EQ(FormatTrialHeader(Header(), options, Engine::kPrecise),
            "ito-tester eth1 -> 198.18.0.2 (02:00:5e:10:00:02) from 00:c0:17:10:00:01, LATENCY "
            "signature, "
            "128-byte frames, IPv4, engine precise, 1000 fps for 5 s\n");
  options.count = 200;
  EXPECT_TRUE(absl::StrContains(FormatTrialHeader(Header(), options, Engine::kPrecise),
                                "200 frames at 1000 fps (at most 5 s)"));
}

TEST(ReportTest, TheNothingCameBackHintNamesWhatTheReflectorNeedsForTheStream) {
  StreamSpec spec;
  spec.addresses.dst_port = 3842;
  EXPECT_TRUE(absl::StrContains(NothingCameBackHint(spec, "198.18.0.2"), "--oui"));
  spec.signature = packet::Signature::kRfc2544;
  EXPECT_TRUE(absl::StrContains(NothingCameBackHint(spec, "198.18.0.2"), "from any OUI"));
  spec.signature.reset();
  spec.addresses.dst_port = 5001;
  const std::string hint = NothingCameBackHint(spec, "198.18.0.2");
  EXPECT_TRUE(absl::StrContains(hint, "these frames (no signature) to UDP port 5001")) << hint;
  EXPECT_TRUE(absl::StrContains(hint, "--profile=loopback with --loopback_ports=5001")) << hint;
  EXPECT_EQ(hint.find('\n'), std::string::npos);
}

TEST(ReportTest, AnIntervalLineHasCountsAndRates) {
  EXPECT_EQ(FormatInterval({.start_s = 1, .end_s = 1.5, .sent = 500, .received = 499}),
            "  1.00-1.50 s                500         1000          499            998\n");
}

TEST(ReportTest, TheSummaryEndsWithTheVerdict) {
  EXPECT_TRUE(absl::StrContains(FormatTrialSummary(Header(), Result(100, 100)),
                                "  result             pass: loss within the 0.0000% threshold\n"));
  EXPECT_TRUE(absl::StrContains(FormatTrialSummary(Header(), Result(100, 99)),
                                "  result             FAIL: loss above the 0.0000% threshold"));
  EXPECT_TRUE(absl::StrContains(FormatTrialSummary(Header(5), Result(100, 99)),
                                "  result             pass"));
  EXPECT_TRUE(absl::StrContains(FormatTrialSummary(Header(100), Result(100, 0)),
                                "  result             FAIL: nothing came back\n"));
  TrialResult interrupted = Result(100, 100);
  interrupted.interrupted = true;
  EXPECT_TRUE(absl::StrContains(FormatTrialSummary(Header(), interrupted),
                                "  interrupted        a signal ended the sending after 1.000 s"));
}

TEST(ReportTest, JsonIsOneDocumentWithIntervalsAndTheVerdict) {
  TrialResult r = Result(100, 99);
  r.interrupted = true;
  const nlohmann::json j = nlohmann::json::parse(
      TrialJson(Header(), r, {{.start_s = 0, .end_s = 1, .sent = 100, .received = 99}}), nullptr,
      false);
  ASSERT_FALSE(j.is_discarded());
  EXPECT_EQ(j["src_mac"], "00:c0:17:10:00:01");
  EXPECT_EQ(j["pass"], false);
  EXPECT_EQ(j["interrupted"], true);
  EXPECT_EQ(j["loss_threshold_percent"], 0.0);
  ASSERT_EQ(j["intervals"].size(), 1u);
  EXPECT_EQ(j["intervals"][0]["received"], 99);
  EXPECT_EQ(j["result"]["lost"], 1);
  EXPECT_EQ(j["result"]["signature"], "latency");
  EXPECT_FALSE(j["result"].contains("pattern"));
  r.spec.signature.reset();
  r.spec.pattern = {0x53, 0x50};
  r.spec.pattern_offset = 4;
  const nlohmann::json k = nlohmann::json::parse(TrialJson(Header(), r, {}), nullptr, false);
  ASSERT_FALSE(k.is_discarded());
  EXPECT_EQ(k["result"]["signature"], "none");
  EXPECT_EQ(k["result"]["pattern"], "53:50");
  EXPECT_EQ(k["result"]["pattern_offset"], 4);
}

TEST(ReportTest, TheThroughputLineSaysWhatEndedTheSearch) {
  SizeSearch search;
  search.frame_size = 128;
  search.outcome.steps.resize(1);
  search.outcome.throughput_fps = 1000;
  search.outcome.bound = SearchBound::kTop;
  EXPECT_TRUE(absl::StrContains(FormatSizeResult(search),
                                "throughput: at least 1000 fps (1.02 Mbit/s): nothing was lost at "
                                "the top of the search; raise --rate"));
  search.outcome.bound = SearchBound::kTester;
  EXPECT_TRUE(absl::StrContains(FormatSizeResult(search), "the tester's ceiling"));
  search.outcome.bound = SearchBound::kLoss;
  EXPECT_EQ(FormatSizeResult(search), "  throughput: 1000 fps (1.02 Mbit/s)\n");
  search.outcome.throughput_fps = 0;
  EXPECT_TRUE(absl::StrContains(FormatSizeResult(search), "nothing passed"));
  search.outcome.steps.clear();
  search.outcome.interrupted = true;
  EXPECT_EQ(FormatSizeResult(search),
            "  throughput: 0 fps (0.00 Mbit/s): no trial ended\n"
            "  interrupted: a signal ended trial 1; the search stopped\n");
}

}  // namespace
}  // namespace reflector::tester
