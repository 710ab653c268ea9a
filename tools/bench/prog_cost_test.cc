#include "tools/bench/prog_cost.h"

#include <string>

#include "gtest/gtest.h"

namespace reflector::bench {
namespace {

// The frames are built without the kernel; measuring them needs CAP_BPF (the bench does it).
TEST(CostFramesTest, TwoTestFramesAndOneThatIsRejected) {
  const absl::StatusOr<std::vector<CostFrame>> frames = CostFrames();
  ASSERT_TRUE(frames.ok()) << frames.status();
  ASSERT_EQ(frames->size(), 3u);
  EXPECT_EQ((*frames)[0].bytes.size(), 60u);  // 64 bytes on the wire with the FCS
  EXPECT_EQ((*frames)[1].bytes.size(), 508u);
  EXPECT_TRUE((*frames)[0].test_frame);
  EXPECT_FALSE((*frames)[2].test_frame);
  EXPECT_EQ((*frames)[2].bytes.size(), 60u);
  EXPECT_NE((*frames)[0].bytes, (*frames)[2].bytes);
  const std::string bytes((*frames)[0].bytes.begin(), (*frames)[0].bytes.end());
  EXPECT_NE(bytes.find("RFC2544"), std::string::npos);
  const std::string cleared((*frames)[2].bytes.begin(), (*frames)[2].bytes.end());
  EXPECT_EQ(cleared.find("RFC2544"), std::string::npos);
}

TEST(FormatCostsTest, RatioToTheBaseline) {
  const std::vector<CostRow> rows = {{"64 B", 5, 10, 35, "XDP_TX", 12, 180},
                                     {"none", 0, 0, 20, "XDP_PASS"}};
  const std::string md = FormatCosts(rows, {.repeat = 100, .rounds = 2}, /*markdown=*/true);
  EXPECT_NE(md.find("| 64 B | 5 | 10 | 35 | 3.5 | 6.0 | XDP_TX | 12 | 180 |"), std::string::npos)
      << md;
  // Instructions not counted: a dash.
  EXPECT_NE(md.find("| none | 0 | 0 | 20 | - | - | XDP_PASS | - | - |"), std::string::npos) << md;
  EXPECT_NE(md.find("repeat 100, best of 2 rounds"), std::string::npos) << md;
  const std::string text = FormatCosts(rows, {}, /*markdown=*/false);
  EXPECT_NE(text.find("3.5"), std::string::npos) << text;
}

// Sessions on vs off: a row per round with its ratios, gross and net of the empty program,
// then the best of each column.
TEST(FormatSessionCostTest, RoundsAndTheBest) {
  const std::vector<SessionCost> costs = {
      {"64 B", {{20, 40, 42}, {22, 44, 45}}}};
  const std::string md = FormatSessionCost(costs, {.repeat = 100, .rounds = 2}, /*markdown=*/true);
  EXPECT_NE(md.find("| 1 | 20 | 40 | 42 | 1.050 | 1.100 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| 2 | 22 | 44 | 45 | 1.023 | 1.045 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| best | 20 | 40 | 42 | 1.050 | 1.100 |"), std::string::npos) << md;
  const std::string text = FormatSessionCost(costs, {}, /*markdown=*/false);
  EXPECT_NE(text.find("64 B\n"), std::string::npos) << text;
  EXPECT_NE(text.find("1.023"), std::string::npos) << text;
}

}  // namespace
}  // namespace reflector::bench
