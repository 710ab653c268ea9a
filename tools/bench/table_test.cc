#include "tools/bench/table.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace reflector::bench {
namespace {

Row Measured(const std::string& reflector, double reflected, double zero_loss, double p99,
             double loss = 0) {
  Row row;
  row.frame_size = 64;
  row.reflector = reflector;
  row.offered_fps = 4e6;
  row.reflected_fps = reflected;
  row.loss_percent = loss;
  row.zero_loss_fps = zero_loss;
  row.rtt = Rtt{10, p99, 2 * p99};
  return row;
}

TEST(TargetVerdictTest, XdpIsHeldToEveryTarget) {
  const Row base = Measured(kBaseline, 3e6, 2e6, 10);
  EXPECT_EQ(TargetVerdict(Measured("xdp", 2.9e6, 1.9e6, 11), &base),
            "max >=0.95 met, zero-loss >=0.90 met, p99 <=1.20 met");
  EXPECT_EQ(TargetVerdict(Measured("xdp", 2.0e6, 1.0e6, 13), &base),
            "max >=0.95 MISSED, zero-loss >=0.90 MISSED, p99 <=1.20 MISSED");
}

TEST(TargetVerdictTest, DpdkRowsSayTheyAreAVdevFigure) {
  const Row base = Measured(kBaseline, 3e6, 2e6, 10);
  EXPECT_EQ(TargetVerdict(Measured("dpdk", 0.2e6, 0.1e6, 50), &base),
            "none: vdev figure (net_af_packet on veth), not a NIC's");
}

TEST(TargetVerdictTest, LossAtMaximumLoadMissesTheXdpTargetWhateverTheRate) {
  const Row base = Measured(kBaseline, 3e6, 2e6, 10);
  EXPECT_EQ(TargetVerdict(Measured("xdp", 3e6, 2e6, 10, /*loss=*/0.5), &base),
            "max >=0.95 MISSED (loss), zero-loss >=0.90 met, p99 <=1.20 met");
}

TEST(TargetVerdictTest, SaysWhenTheTesterBoundTheSearch) {
  const Row base = Measured(kBaseline, 3e6, 2e6, 10);
  Row xdp = Measured("xdp", 3e6, 1e6, 10);
  xdp.search_bound = "tester";
  EXPECT_EQ(TargetVerdict(xdp, &base),
            "max >=0.95 met, zero-loss >=0.90 MISSED (tester-bound), p99 <=1.20 met");
}

Row WithP99(const char* reflector, double p99) {
  Row row;
  row.reflector = reflector;
  row.rtt = Rtt{p99 / 2, p99, p99 * 2};
  return row;
}

TEST(TargetVerdictTest, BusyPollAndFrameRingRowsHaveP99Targets) {
  EXPECT_EQ(RttVerdict(WithP99("afxdp+spin", 19.5)), "p99 <= 20 us met");
  EXPECT_EQ(RttVerdict(WithP99("afxdp+kernel", 20.5)), "p99 <= 20 us MISSED");
  EXPECT_EQ(RttVerdict(WithP99("afpacket", 100)), "p99 <= 100 us met");
  EXPECT_EQ(RttVerdict(WithP99("afpacket+spin", 967)), "p99 <= 100 us MISSED");
  EXPECT_EQ(RttVerdict(WithP99("afpacket+rt", 99)), "p99 <= 100 us met");
  Row unmeasured;
  unmeasured.reflector = "afpacket";
  EXPECT_EQ(RttVerdict(unmeasured), "p99 <= 100 us n/a");
  // No target: the sleeping afxdp worker, the block ring, the kernel paths.
  EXPECT_EQ(RttVerdict(WithP99("afxdp", 98)), "");
  EXPECT_EQ(RttVerdict(WithP99("afxdp+rt", 98)), "");
  EXPECT_EQ(RttVerdict(WithP99("afpacket+blocks", 967)), "");
  EXPECT_EQ(RttVerdict(WithP99("xdp", 3)), "");
  // A row measured without a baseline (RTT only) still gets its verdict.
  EXPECT_EQ(TargetVerdict(WithP99("afxdp+spin", 12), nullptr), "p99 <= 20 us met");
}

TEST(FormatTableTest, SaysWhenARowsRttsStartedAtTheSendCall) {
  Row kernel = WithP99("afxdp+spin", 12);
  Row user = WithP99("afxdp+kernel", 12);
  user.rtt->tx_clock = "userspace";
  const std::string kernel_table = FormatTable({kernel}, /*markdown=*/true);
  const std::string user_table = FormatTable({user}, /*markdown=*/true);
  EXPECT_EQ(kernel_table.find("RTT tx clock"), std::string::npos) << kernel_table;
  EXPECT_NE(user_table.find("RTT tx clock: userspace"), std::string::npos) << user_table;
}

TEST(TargetVerdictTest, UserspacePathsHaveLowerBounds) {
  const Row base = Measured(kBaseline, 3e6, 2e6, 10);
  EXPECT_EQ(TargetVerdict(Measured("afxdp", 0.9e6, 0.3e6, 50), &base),
            "max >=0.20 met, zero-loss >=0.20 MISSED");
  EXPECT_EQ(TargetVerdict(Measured("afpacket", 0.2e6, 0.1e6, 50), &base),
            "max >=0.05 met, zero-loss >=0.05 met, p99 <= 100 us met");
  EXPECT_EQ(TargetVerdict(base, &base), "");
}

TEST(FormatTableTest, RatiosAreAgainstTheBaselineOfTheSameSize) {
  Row big = Measured(kBaseline, 1e6, 1e6, 10);
  big.frame_size = 512;
  Row failed;
  failed.frame_size = 64;
  failed.reflector = "afpacket";
  failed.error = "did not start";
  const std::string table = FormatTable(
      {Measured(kBaseline, 4e6, 2e6, 10), Measured("xdp", 2e6, 1e6, 20), big, failed}, false);
  EXPECT_NE(table.find("2.000"), std::string::npos) << table;   // xdp's reflected Mfps
  EXPECT_NE(table.find(" 0.50 "), std::string::npos) << table;  // xdp / baseline
  EXPECT_NE(table.find(" 2.00 "), std::string::npos) << table;  // xdp p99 / baseline p99
  EXPECT_NE(table.find("did not start"), std::string::npos) << table;
  const std::string markdown = FormatTable({Measured(kBaseline, 4e6, 2e6, 10)}, true);
  EXPECT_EQ(markdown.rfind("| size | reflector |", 0), 0u) << markdown;
}

TEST(PairsTest, TheMedianOfThePairsRatios) {
  PairRuns runs;
  runs.frame_size = 64;
  runs.baseline_fps = {4.0e6, 5.0e6, 4.0e6};
  runs.xdp_fps = {3.6e6, 5.0e6, 3.9e6};  // 0.9, 1.0, 0.975
  ASSERT_TRUE(MedianPairRatio(runs).has_value());
  EXPECT_DOUBLE_EQ(*MedianPairRatio(runs), 0.975);
  runs.xdp_fps.pop_back();  // an unpaired baseline run does not count
  EXPECT_DOUBLE_EQ(*MedianPairRatio(runs), 0.95);
  const std::string text = FormatPairs({runs}, /*markdown=*/true);
  EXPECT_NE(text.find("4.000 / 3.600, 5.000 / 5.000"), std::string::npos) << text;
  EXPECT_NE(text.find("0.950"), std::string::npos) << text;
  EXPECT_NE(text.find("max >=0.95 met"), std::string::npos) << text;
  runs.xdp_fps = {3.0e6};
  EXPECT_NE(FormatPairs({runs}, false).find("MISSED"), std::string::npos);
  // Each variant a line of its own, named.
  PairRuns lean = runs;
  lean.reflector = "xdp, loop guard and sessions off";
  lean.xdp_fps = {3.9e6};
  const std::string both = FormatPairs({runs, lean}, /*markdown=*/true);
  EXPECT_NE(both.find("| 64 | xdp | 4.000 / 3.000 | 0.750 |"), std::string::npos) << both;
  EXPECT_NE(both.find("| 64 | xdp, loop guard and sessions off | 4.000 / 3.900 | 0.975 |"),
            std::string::npos)
      << both;
  EXPECT_FALSE(MedianPairRatio(PairRuns{}).has_value());
}

TEST(SpliceGeneratedTest, KeepsWhatPeopleWroteAroundTheBlock) {
  const std::string first = SpliceGenerated("# Benchmarks\n", "table 1\n");
  EXPECT_EQ(first,
            std::string("# Benchmarks\n") + kBeginMarker + "\ntable 1\n" + kEndMarker + "\n");
  const std::string second = SpliceGenerated(first + "## Analysis\nwhy\n", "table 2\n");
  EXPECT_EQ(second, std::string("# Benchmarks\n") + kBeginMarker + "\ntable 2\n" + kEndMarker +
                        "\n## Analysis\nwhy\n");
}

}  // namespace
}  // namespace reflector::bench
