#include "tools/tester/options.h"

#include <cmath>

#include "absl/strings/match.h"
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
  EXPECT_EQ(*ParseSignatureName("none"), std::nullopt);
  EXPECT_EQ(ParseSignatureName("nothing").status().message(),
            "unknown signature \"nothing\": probeot, dataot, latency, rfc2544, y1564 or none");
  EXPECT_EQ(*ParseEngine("linerate"), Engine::kLineRate);
  EXPECT_FALSE(ParseEngine("dpdk").ok());
  EXPECT_EQ(*ParseFrameSizes("64, 128,1518"), (std::vector<size_t>{64, 128, 1518}));
  EXPECT_FALSE(ParseFrameSizes("63").ok());
  EXPECT_FALSE(ParseFrameSizes("9001").ok());
  EXPECT_FALSE(ParseFrameSizes("big").ok());
  EXPECT_FALSE(ParseFrameSizes("").ok());
}

TEST(OptionsTest, Patterns) {
  EXPECT_EQ(*ParsePattern(""), std::vector<uint8_t>{});
  EXPECT_EQ(*ParsePattern("52:46:43"), (std::vector<uint8_t>{0x52, 0x46, 0x43}));
  EXPECT_EQ(*ParsePattern("ff00"), (std::vector<uint8_t>{0xff, 0x00}));
  EXPECT_TRUE(ParsePattern(std::string(128, 'a')).ok());  // 64 bytes
  for (const std::string& bad : {std::string("5"), std::string("zz"), std::string(130, 'a')}) {
    const absl::Status status = ParsePattern(bad).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_TRUE(absl::StartsWith(status.message(), "--pattern")) << status.message();
  }
}

TEST(OptionsTest, SourceMacAutoCarriesTheNetAllyOui) {
  const packet::MacAddress nic = {0x02, 0x00, 0x5e, 0x10, 0x00, 0x01};
  EXPECT_EQ(*ChooseSourceMac("auto", nic), (packet::MacAddress{0x00, 0xc0, 0x17, 0x10, 0x00, 0x01}));
  const packet::MacAddress netally = {0x00, 0xc0, 0x17, 0x54, 0x05, 0x98};
  EXPECT_EQ(*ChooseSourceMac("auto", netally), netally);
  EXPECT_EQ(*ChooseSourceMac("interface", nic), nic);
  EXPECT_EQ(*ChooseSourceMac("00:c0:17:aa:bb:cc", nic),
            (packet::MacAddress{0x00, 0xc0, 0x17, 0xaa, 0xbb, 0xcc}));
  EXPECT_FALSE(ChooseSourceMac("00:c0:17", nic).ok());
  EXPECT_FALSE(ChooseSourceMac("01:00:5e:00:00:01", nic).ok());  // a group address
}

TEST(OptionsTest, LossThresholdIsAPercentage) {
  EXPECT_TRUE(CheckLossThreshold(0).ok());
  EXPECT_TRUE(CheckLossThreshold(0.1).ok());
  EXPECT_TRUE(CheckLossThreshold(100).ok());
  EXPECT_FALSE(CheckLossThreshold(-1).ok());
  EXPECT_FALSE(CheckLossThreshold(100.5).ok());
  EXPECT_FALSE(CheckLossThreshold(std::nan("")).ok());
}

}  // namespace
}  // namespace reflector::tester
