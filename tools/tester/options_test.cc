#include "tools/tester/options.h"

#include "gtest/gtest.h"

namespace reflector::tester {
namespace {

TEST(OptionsTest, Rates) {
  EXPECT_EQ(*ParseRate("10000"), 10000);
  EXPECT_EQ(*ParseRate("2.5k"), 2500);
  EXPECT_EQ(*ParseRate("1M"), 1e6);
  EXPECT_EQ(*ParseRate("max"), 0);
  for (const char* bad : {"", "0", "-5", "fast", "1G", "nan", "inf"}) {
    EXPECT_EQ(ParseRate(bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

TEST(OptionsTest, LineRate) {
  EXPECT_NEAR(LineRateFps(10000, 64), 14880952, 1);
  EXPECT_NEAR(LineRateFps(1000, 1518), 81274, 1);
}

TEST(OptionsTest, ResolveRate) {
  EXPECT_EQ(*ResolveRate(1000.0, 0, 64, 10000), 1000);
  EXPECT_EQ(*ResolveRate(std::nullopt, 512, 64, 0), 1e6);  // 512 Mbit/s of 64-byte frames
  EXPECT_FALSE(ResolveRate(1000.0, 10, 64, 0).ok());        // both given
  EXPECT_FALSE(ResolveRate(2e7, 0, 64, 10000).ok());        // above 10G line rate
  EXPECT_TRUE(ResolveRate(2e7, 0, 64, 0).ok());             // no speed known: no check
  EXPECT_FALSE(ResolveRate(std::nullopt, -1, 64, 0).ok());
}

TEST(OptionsTest, SignaturesEnginesSizes) {
  EXPECT_EQ(*ParseSignatureName("rfc2544"), packet::Signature::kRfc2544);
  EXPECT_EQ(*ParseSignatureName("LATENCY"), packet::Signature::kLatency);
  EXPECT_FALSE(ParseSignatureName("ito").ok());
  EXPECT_EQ(*ParseEngine("linerate"), Engine::kLineRate);
  EXPECT_FALSE(ParseEngine("dpdk").ok());
  EXPECT_EQ(*ParseFrameSizes("64, 128,1518"), (std::vector<size_t>{64, 128, 1518}));
  EXPECT_FALSE(ParseFrameSizes("63").ok());
  EXPECT_FALSE(ParseFrameSizes("9001").ok());
  EXPECT_FALSE(ParseFrameSizes("big").ok());
  EXPECT_FALSE(ParseFrameSizes("").ok());
}

}  // namespace
}  // namespace reflector::tester
