#include "reflector/engine/capture/capture_options.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace reflector::engine::capture {
namespace {

using ::testing::HasSubstr;

std::vector<packet::Rule> Rules(std::vector<std::string> names) {
  std::vector<packet::Rule> rules;
  for (std::string& name : names) {
    packet::Rule rule;
    rule.name = std::move(name);
    rules.push_back(std::move(rule));
  }
  return rules;
}

constexpr uint32_t Bit(int verdict) { return 1u << verdict; }

TEST(CaptureOptionsTest, ParsesEverySetting) {
  CaptureOptions options;
  ASSERT_TRUE(ParseCaptureSetting("capture", "/tmp/x.pcapng", &options).ok());
  ASSERT_TRUE(ParseCaptureSetting("capture_select", "rejected:oui,port", &options).ok());
  ASSERT_TRUE(ParseCaptureSetting("capture_sample", "10", &options).ok());
  ASSERT_TRUE(ParseCaptureSetting("capture_rate", "0", &options).ok());
  ASSERT_TRUE(ParseCaptureSetting("capture_frames", "500", &options).ok());
  ASSERT_TRUE(ParseCaptureSetting("capture_size", "2M", &options).ok());
  ASSERT_TRUE(ParseCaptureSetting("capture_snap", "64", &options).ok());
  EXPECT_EQ(options.path, "/tmp/x.pcapng");
  EXPECT_EQ(options.select, "rejected:oui,port");
  EXPECT_EQ(options.sample, 10u);
  EXPECT_EQ(options.per_second, 0u);
  EXPECT_EQ(options.max_frames, 500u);
  EXPECT_EQ(options.max_bytes, 2u << 20);
  EXPECT_EQ(options.snap, 64);
  EXPECT_TRUE(options.enabled());
  EXPECT_EQ(DescribeCapture(options),
            "rejected:oui,port to /tmp/x.pcapng (1 in 10, 500 frames, 2097152 bytes, snap 64)");
}

TEST(CaptureOptionsTest, BadValuesNameTheSetting) {
  CaptureOptions options;
  EXPECT_EQ(ParseCaptureSetting("capture_sample", "0", &options).message(),
            "--capture_sample: invalid value \"0\": expected 1 in N frames, N from 1");
  EXPECT_THAT(ParseCaptureSetting("capture_snap", "9000", &options).message(),
              HasSubstr("14 to 2048"));
  EXPECT_THAT(ParseCaptureSetting("capture_size", "12X", &options).message(),
              HasSubstr("--capture_size: invalid value \"12X\""));
  EXPECT_THAT(ParseCaptureSetting("capture_select", "rejected:oui,nope", &options).message(),
              HasSubstr("reasons among too_short,dst_mac"));
}

TEST(CaptureOptionsTest, SelectionsResolveAgainstTheRules) {
  const std::vector<packet::Rule> rules = Rules({"probeot", "dataot", "latency", "rfc2544"});
  const uint32_t rejects = ((1u << RF_VERDICT_COUNT) - 1) & ~Bit(RF_REFLECT);
  EXPECT_EQ(*ResolveSelection("rejected", rules), (Selection{rejects, RF_CAPTURE_ANY_RULE}));
  EXPECT_EQ(*ResolveSelection("reflected", rules),
            (Selection{Bit(RF_REFLECT), RF_CAPTURE_ANY_RULE}));
  EXPECT_EQ(*ResolveSelection("all", rules),
            (Selection{rejects | Bit(RF_REFLECT), RF_CAPTURE_ANY_RULE}));
  EXPECT_EQ(*ResolveSelection("rejected:oui,port", rules),
            (Selection{Bit(RF_OUI) | Bit(RF_PORT), RF_CAPTURE_ANY_RULE}));
  EXPECT_EQ(*ResolveSelection("rfc2544", rules), (Selection{Bit(RF_REFLECT), 0b1000}));
  EXPECT_EQ(*ResolveSelection("ito", rules), (Selection{Bit(RF_REFLECT), 0b0111}));
  EXPECT_EQ(*ResolveSelection("rejected,rfc2544", rules),
            (Selection{rejects | Bit(RF_REFLECT), 0b1000}));
  EXPECT_EQ(ResolveSelection("y1564", rules).status().message(),
            "--capture_select: no rule or profile \"y1564\"; use reflected, rejected, "
            "rejected:REASONS or a rule: probeot,dataot,latency,rfc2544");
}

TEST(CaptureOptionsTest, TheRateBoundIsSplitOverTheSources) {
  CaptureOptions options;
  options.path = "x";
  options.per_second = 1000;
  const rf_capture_config wire = ToWire(options, {Bit(RF_OUI), 3}, 3);
  EXPECT_EQ(wire.per_second, 334u);
  EXPECT_EQ(wire.verdicts, Bit(RF_OUI));
  EXPECT_EQ(wire.rules, 3u);
  EXPECT_EQ(wire.snap, 128);
  EXPECT_EQ(wire.enabled, 1);
  options.path.clear();
  EXPECT_EQ(ToWire(options, {}, 1).enabled, 0);
}

}  // namespace
}  // namespace reflector::engine::capture
