// The classifier's two tiers agree: whatever frame, config and rule hint, rf_classify_hinted
// (the fast tier, then the exact classifier for what it leaves) gives the exact classifier's
// verdict and result. The fast tier is an optimisation and must never be a second opinion.
#include <cstring>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "reflector/packet/classify.h"
#include "reflector/packet/config.h"
#include "reflector/packet/packet.h"
#include "reflector/packet/testing/frame_builder.h"
#include "reflector/packet/testing/frame_table.h"

namespace reflector::packet {
namespace {

using testing::FrameBuilder;
using testing::FrameCase;
using testing::FrameTable;

// Every hint the tiers can meet: none, each rule, and indexes past the table.
std::vector<uint32_t> Hints(const rf_config& config) {
  std::vector<uint32_t> hints = {RF_NO_RULE_HINT, config.rule_count, RF_MAX_RULES - 1,
                                 RF_MAX_RULES};
  for (uint32_t i = 0; i < config.rule_count; ++i) hints.push_back(i);
  return hints;
}

// Checks the tiers on one frame under every hint; returns how many hints the fast tier took,
// and adds to `*shaped_answers` how many the second tier (rf_classify_shaped) answered.
int ExpectTiersAgree(const std::vector<uint8_t>& frame, const rf_config& config,
                     const std::string& what, int* shaped_answers = nullptr) {
  const uint8_t* data = frame.data();
  const uint8_t* end = frame.data() + frame.size();
  rf_result exact = {};
  const rf_verdict expected = rf_classify_exact(data, end, &config, 0, &exact);
  int fast_taken = 0;
  for (const uint32_t hint : Hints(config)) {
    uint32_t updated = hint;
    rf_result fast = {};
    const __u32 fast_verdict = rf_classify_fast(data, end, &config, &updated, &fast);
    const bool took = fast_verdict == RF_REFLECT;
    rf_result combined = {};
    uint32_t combined_hint = hint;
    const rf_verdict verdict = rf_classify_hinted(data, end, &config, &combined_hint, &combined);
    EXPECT_EQ(verdict, expected) << what << ", hint " << hint;
    if (fast_verdict != RF_FAST_UNDECIDED) {
      EXPECT_EQ(fast_verdict, static_cast<__u32>(expected))
          << what << ", hint " << hint << ": the fast tier answers as the exact classifier";
    }
    if (fast_verdict == RF_FAST_UNDECIDED) {
      uint32_t shaped_hint = hint;
      rf_result shaped = {};
      const __u32 shaped_verdict = rf_classify_shaped(data, end, &config, &shaped_hint, &shaped);
      if (shaped_verdict != RF_FAST_UNDECIDED) {
        if (shaped_answers != nullptr) ++*shaped_answers;
        EXPECT_EQ(shaped_verdict, static_cast<__u32>(expected))
            << what << ", hint " << hint << ": the second tier answers as the exact classifier";
      }
      if (shaped_verdict == RF_REFLECT) {
        EXPECT_EQ(std::memcmp(&shaped, &exact, sizeof(shaped)), 0) << what << ", hint " << hint;
        EXPECT_EQ(shaped_hint, exact.rule) << what << ": the hint names the rule";
      } else {
        EXPECT_EQ(shaped_hint, hint) << what << ": a frame not reflected keeps the hint";
      }
    }
    if (took) {
      ++fast_taken;
      EXPECT_EQ(std::memcmp(&fast, &exact, sizeof(fast)), 0) << what << ", hint " << hint;
      EXPECT_EQ(updated, exact.rule) << what << ": the hint names the rule that took the frame";
    } else {
      EXPECT_EQ(updated, hint) << what << ": a frame the fast tier does not reflect keeps the hint";
    }
    if (verdict == RF_REFLECT) {
      EXPECT_EQ(std::memcmp(&combined, &exact, sizeof(combined)), 0) << what << ", hint " << hint;
    }
  }
  return fast_taken;
}

TEST(ClassifyTiersTest, TheFrameTableUnderEveryHint) {
  int fast_taken = 0;
  for (const FrameCase& c : FrameTable()) {
    fast_taken += ExpectTiersAgree(c.frame, c.config, c.name);
    EXPECT_EQ(Classify(c.frame, c.config).verdict, c.verdict) << c.name;
  }
  // Not dead code: the table's plain IPv4 test frames go through the fast tier.
  EXPECT_GT(fast_taken, 0);
}

// Every byte of every table frame changed three ways, and every frame cut short at each length:
// the checks of the fast tier sit on the bytes, so each one is made to fail.
TEST(ClassifyTiersTest, MutatedTableFramesUnderEveryHint) {
  for (const FrameCase& c : FrameTable()) {
    const size_t bytes = std::min<size_t>(c.frame.size(), 96);
    for (size_t i = 0; i < bytes; ++i) {
      for (const uint8_t flip : {0x01, 0x80, 0xff}) {
        std::vector<uint8_t> frame = c.frame;
        frame[i] ^= flip;
        ExpectTiersAgree(frame, c.config, c.name + " byte " + std::to_string(i));
      }
    }
    for (size_t length = 0; length < c.frame.size(); length += 3) {
      const std::vector<uint8_t> frame(c.frame.begin(), c.frame.begin() + static_cast<long>(length));
      ExpectTiersAgree(frame, c.config, c.name + " cut to " + std::to_string(length));
    }
  }
}

// Two rules that can share a frame: the later one is never tried first, whatever the hint.
TEST(ClassifyTiersTest, AHintNeverSkipsAnEarlierRuleThatMatches) {
  FilterConfig config = testing::DefaultTestFilter();
  Rule port_rule;
  port_rule.name = "by-port";
  port_rule.dst_ports = {3842, 3842};
  port_rule.pattern.bytes = {'R', 'F', 'C'};
  config.rules = {port_rule};  // before the profiles' rfc2544 rule, which it overlaps
  auto wire = ToWire(config);
  ASSERT_TRUE(wire.ok()) << wire.status();
  const std::vector<uint8_t> frame = FrameBuilder().Ports(49152, 3842).Custom("RFC2544").Build();
  const int rfc2544 = wire->rule_count - 2;  // profiles: probeot, dataot, latency, rfc2544, y1564
  ASSERT_EQ(wire->rules[rfc2544].pattern_len, 7);
  EXPECT_EQ(wire->rules[rfc2544].flags & RF_RULE_SHORTCUT, 0);
  uint32_t hint = static_cast<uint32_t>(rfc2544);
  rf_result result = {};
  ASSERT_EQ(rf_classify_hinted(frame.data(), frame.data() + frame.size(), &*wire, &hint, &result),
            RF_REFLECT);
  EXPECT_EQ(result.rule, 0);
  EXPECT_EQ(hint, 0u);
}

// A frame that passes every check and that no rule takes: the fast tier names the exact
// classifier's reason itself (the same reason), without the exact classifier's reparse.
TEST(ClassifyTiersTest, TheFastTierNamesTheRuleStageReason) {
  const rf_config config = testing::DefaultTestConfig();
  const struct {
    std::vector<uint8_t> frame;
    rf_verdict reason;
  } cases[] = {
      {FrameBuilder().Payload(std::vector<uint8_t>(18, 0x55)).Build(), RF_SIGNATURE},
      {FrameBuilder().Ports(49152, 4000).Custom("RFC2544").Build(), RF_PORT},
      {FrameBuilder().SrcMac({0x02, 0, 0, 0, 0, 7}).Ito("LATENCY").Build(), RF_OUI},
  };
  for (const auto& c : cases) {
    uint32_t hint = RF_NO_RULE_HINT;
    rf_result result = {};
    EXPECT_EQ(rf_classify_fast(c.frame.data(), c.frame.data() + c.frame.size(), &config, &hint,
                               &result),
              static_cast<__u32>(c.reason));
    EXPECT_EQ(hint, RF_NO_RULE_HINT);
    ExpectTiersAgree(c.frame, config, VerdictName(static_cast<Verdict>(c.reason)).data());
  }
}

// Traffic that is not for us leaves the fast tier at its first checks, with the exact
// classifier's reason; to a frame no rule takes, the fast tier in the XDP program's form
// answers RF_FAST_NO_RULE with the rule stage's reason beside it.
TEST(ClassifyTiersTest, TheFastTierRejectsEarlyAndNamesTheRuleStageReasonBesideNoRule) {
  const rf_config config = testing::DefaultTestConfig();
  const struct {
    std::vector<uint8_t> frame;
    rf_verdict reason;
  } early[] = {
      {FrameBuilder().DstMac({0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb}).Build(), RF_DST_MAC},
      {FrameBuilder().DstMac({0x02, 0, 0, 0, 0, 9}).Build(), RF_DST_MAC},
      {FrameBuilder().SrcMac(testing::kReflectorMac).Build(), RF_SRC_MAC},
      {FrameBuilder().EtherType(0x0806).FrameSize(64).Build(), RF_ETHERTYPE},
  };
  for (const auto& c : early) {
    uint32_t hint = RF_NO_RULE_HINT;
    rf_result result = {};
    EXPECT_EQ(rf_classify_fast(c.frame.data(), c.frame.data() + c.frame.size(), &config, &hint,
                               &result),
              static_cast<__u32>(c.reason));
    ExpectTiersAgree(c.frame, config, VerdictName(static_cast<Verdict>(c.reason)).data());
  }
  // With the dst MAC filter off, a source that is the interface's MAC or the frame's own
  // destination is refused for itself, not through the destination's check.
  rf_config unfiltered = config;
  unfiltered.flags &= static_cast<__u8>(~RF_CFG_DST_MAC_FILTER);
  const MacAddress other_unicast = {0x02, 0, 0, 0, 0, 9};
  for (const std::vector<uint8_t>& frame :
       {FrameBuilder().DstMac(other_unicast).SrcMac(testing::kReflectorMac).Build(),
        FrameBuilder().DstMac(other_unicast).SrcMac(other_unicast).Build()}) {
    uint32_t hint = RF_NO_RULE_HINT;
    rf_result result = {};
    EXPECT_EQ(rf_classify_fast(frame.data(), frame.data() + frame.size(), &unfiltered, &hint,
                               &result),
              static_cast<__u32>(RF_SRC_MAC));
    ExpectTiersAgree(frame, unfiltered, "src_mac, dst MAC filter off");
  }
  const std::vector<uint8_t> unsigned_frame =
      FrameBuilder().Payload(std::vector<uint8_t>(18, 0x55)).Build();
  const uint8_t* end = unsigned_frame.data() + unsigned_frame.size();
  uint32_t hint = RF_NO_RULE_HINT;
  rf_result result = {};
  EXPECT_EQ(rf_classify_fast(unsigned_frame.data(), end, &config, &hint, &result),
            static_cast<__u32>(RF_SIGNATURE));
  hint = RF_NO_RULE_HINT;
  __u32 reason = RF_REFLECT;
  EXPECT_EQ(rf_classify_fast_tier(unsigned_frame.data(), end, &config, &hint, &result, &reason),
            static_cast<__u32>(RF_FAST_NO_RULE));
  EXPECT_EQ(reason, static_cast<__u32>(RF_SIGNATURE));
}

// The closest rule is a later one with other conditions: the first rule fails at the port, the
// second gets past it and fails at its pattern, so the frame is a `signature` reject.
TEST(ClassifyTiersTest, ALaterRuleWithOtherConditionsNamesTheReason) {
  FilterConfig filter = testing::DefaultTestFilter();
  filter.profiles = 0;
  for (const auto& [name, port, text] :
       {std::tuple<const char*, uint16_t, const char*>{"a", 1000, "AAA"}, {"b", 2000, "BBB"}}) {
    Rule rule;
    rule.name = name;
    rule.dst_ports = {port, port};
    rule.pattern.bytes.assign(text, text + 3);
    filter.rules.push_back(rule);
  }
  const absl::StatusOr<rf_config> config = ToWire(filter);
  ASSERT_TRUE(config.ok()) << config.status();
  const std::vector<uint8_t> frame =
      FrameBuilder().Ports(49152, 2000).Payload(std::vector<uint8_t>(18, 0x55)).Build();
  uint32_t hint = RF_NO_RULE_HINT;
  rf_result result = {};
  EXPECT_EQ(rf_classify_fast(frame.data(), frame.data() + frame.size(), &*config, &hint, &result),
            static_cast<__u32>(RF_SIGNATURE));
  ExpectTiersAgree(frame, *config, "signature");
}

// A rule with address and OUI lists, tried first by hint: the fast tier looks the lists up
// for that one rule, and must agree with the exact classifier's lookups.
TEST(ClassifyTiersTest, ListsOfTheHintedRule) {
  FilterConfig config = testing::DefaultTestFilter();
  Rule loopback;
  loopback.name = "l3-loopback";
  loopback.dst_prefixes = {*ParsePrefix("198.18.0.2/31")};
  loopback.src_prefixes = {*ParsePrefix("198.18.0.1"), *ParsePrefix("2001:2::/48")};
  loopback.ouis = {kNetAllyOui};
  loopback.dst_ports = {7, 9};
  config.rules = {loopback};
  auto wire = ToWire(config);
  ASSERT_TRUE(wire.ok()) << wire.status();
  ASSERT_NE(wire->rules[0].flags & RF_RULE_LISTS, 0);
  int taken = 0;
  for (const testing::Ipv4Address& src :
       {testing::kTesterIpv4, testing::Ipv4Address{198, 18, 0, 9}}) {
    for (const testing::Ipv4Address& dst :
         {testing::kReflectorIpv4, testing::Ipv4Address{198, 18, 0, 0},
          testing::Ipv4Address{198, 18, 1, 2}}) {
      for (const MacAddress& mac : {testing::kTesterMac, MacAddress{0x02, 0, 0, 0, 0, 1}}) {
        const std::vector<uint8_t> frame =
            FrameBuilder().SrcMac(mac).Ipv4(src, dst).Ports(49152, 8).Build();
        taken += ExpectTiersAgree(frame, *wire, "lists");
      }
    }
  }
  // 198.18.0.1 -> 198.18.0.2, from the NetAlly MAC, under each of the hints that lead
  // to the rule (none, 0, and the indexes past the table: the loop).
  EXPECT_GT(taken, 0);
}

// The tagged and IPv6 shapes of the second fast tier, rf_classify_shaped.
std::vector<std::pair<std::string, FrameBuilder>> Shapes() {
  const auto ipv6 = [](FrameBuilder builder) {
    return builder.Ipv6(testing::kTesterIpv6, testing::kReflectorIpv6);
  };
  return {{"VLAN 100", FrameBuilder().Vlan(100)},
          {"VLAN 100 in 200 (802.1ad)", FrameBuilder().Vlan(200, 0x88a8).Vlan(100)},
          {"IPv6", ipv6(FrameBuilder())},
          {"IPv6, VLAN 100", ipv6(FrameBuilder().Vlan(100))},
          {"IPv6, VLAN 100 in 200", ipv6(FrameBuilder().Vlan(200, 0x88a8).Vlan(100))}};
}

// Test streams in each shape: the first tier leaves them, the second takes them by the same
// rule with the same result.
TEST(ClassifyTiersTest, TheShapedTierTakesTaggedAndIpv6Streams) {
  const rf_config config = testing::DefaultTestConfig();
  for (const auto& [shape, builder] : Shapes()) {
    for (const std::vector<uint8_t>& frame :
         {FrameBuilder(builder).Custom("RFC2544").FrameSize(128).Build(),
          FrameBuilder(builder).Ito("LATENCY").Build()}) {
      const uint8_t* end = frame.data() + frame.size();
      uint32_t hint = RF_NO_RULE_HINT;
      rf_result result = {};
      EXPECT_EQ(rf_classify_fast(frame.data(), end, &config, &hint, &result), RF_FAST_UNDECIDED)
          << shape;
      EXPECT_EQ(rf_classify_shaped(frame.data(), end, &config, &hint, &result),
                static_cast<__u32>(RF_REFLECT))
          << shape;
      EXPECT_EQ(hint, result.rule) << shape;
      int shaped_answers = 0;
      ExpectTiersAgree(frame, config, shape, &shaped_answers);
      EXPECT_EQ(shaped_answers, static_cast<int>(Hints(config).size())) << shape;
    }
  }
}

// Each rule-stage reason, in each shape: named by the second tier, as the exact classifier does.
TEST(ClassifyTiersTest, TheShapedTierNamesTheRuleStageReason) {
  const rf_config profiles = testing::DefaultTestConfig();
  // One rule each, without the profiles: the rule's VLAN or address check is the furthest.
  const auto only = [](Rule rule) {
    FilterConfig filter = testing::DefaultTestFilter();
    filter.profiles = 0;
    rule.dst_ports = {5001, 5001};
    filter.rules = {rule};
    const absl::StatusOr<rf_config> wire = ToWire(filter);
    EXPECT_TRUE(wire.ok()) << wire.status();
    return wire.ok() ? *wire : rf_config{};
  };
  Rule vlan_rule;
  vlan_rule.name = "vlan-300";
  vlan_rule.vlan = 300;
  const rf_config vlan = only(vlan_rule);
  Rule address_rule;
  address_rule.name = "to-one-address";
  address_rule.dst_prefixes = {*ParsePrefix("198.18.5.5"), *ParsePrefix("2001:2::55")};
  const rf_config address = only(address_rule);
  for (const auto& [shape, builder] : Shapes()) {
    const struct {
      const char* what;
      std::vector<uint8_t> frame;
      const rf_config& config;
      rf_verdict reason;
    } cases[] = {
        {"signature", FrameBuilder(builder).Payload(std::vector<uint8_t>(18, 0x55)).Build(),
         profiles, RF_SIGNATURE},
        {"port", FrameBuilder(builder).Ports(49152, 4000).Custom("RFC2544").Build(), profiles,
         RF_PORT},
        {"oui", FrameBuilder(builder).SrcMac({0x02, 0, 0, 0, 0, 7}).Ito("LATENCY").Build(),
         profiles, RF_OUI},
        {"vlan_id", FrameBuilder(builder).Ports(49152, 4000).Build(), vlan, RF_VLAN_ID},
        {"address", FrameBuilder(builder).Ports(49152, 4000).Build(), address, RF_ADDRESS},
    };
    for (const auto& c : cases) {
      const uint8_t* end = c.frame.data() + c.frame.size();
      uint32_t hint = RF_NO_RULE_HINT;
      rf_result result = {};
      const rf_verdict exact = rf_classify_exact(c.frame.data(), end, &c.config, 0, &result);
      EXPECT_EQ(exact, c.reason) << shape << ", " << c.what;
      EXPECT_EQ(rf_classify_shaped(c.frame.data(), end, &c.config, &hint, &result),
                static_cast<__u32>(c.reason))
          << shape << ", " << c.what;
      EXPECT_EQ(hint, RF_NO_RULE_HINT);
      ExpectTiersAgree(c.frame, c.config, std::string(shape) + ", " + c.what);
    }
  }
}

// The usual test frames take the fast tier, and the hint then names their rule.
TEST(ClassifyTiersTest, TestStreamsTakeTheFastTier) {
  const rf_config config = testing::DefaultTestConfig();
  for (const std::vector<uint8_t>& frame :
       {FrameBuilder().Custom("RFC2544").Build(), FrameBuilder().Ito("LATENCY").Build(),
        FrameBuilder().Ito("PROBEOT").FrameSize(1518).Build()}) {
    uint32_t hint = RF_NO_RULE_HINT;
    rf_result result = {};
    EXPECT_EQ(rf_classify_fast(frame.data(), frame.data() + frame.size(), &config, &hint, &result),
              static_cast<__u32>(RF_REFLECT));
    EXPECT_EQ(hint, result.rule);
    // Again with the hint set, as for the next frame of the stream.
    EXPECT_EQ(rf_classify_fast(frame.data(), frame.data() + frame.size(), &config, &hint, &result),
              static_cast<__u32>(RF_REFLECT));
  }
}

}  // namespace
}  // namespace reflector::packet
