// The stateful STAMP / TWAMP-Light Session-Reflector (stamp_session.h, stamp_sessions.h): the
// answer's sequence number counts the session's packets from 0, per session, and everything
// else is the stateless answer.
#include "reflector/packet/stamp_session.h"

#include <cstdint>
#include <vector>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "reflector/packet/config.h"
#include "reflector/packet/packet.h"
#include "reflector/packet/stamp_sessions.h"
#include "reflector/packet/testing/frame_builder.h"
#include "reflector/packet/testing/stamp_frames.h"

namespace reflector::packet {
namespace {

using testing::FrameBuilder;

constexpr uint64_t kNtpTime = 0xe9a1'0203'8000'0000ull;

uint32_t Be32(const std::vector<uint8_t>& frame, size_t at) {
  return (uint32_t{frame[at]} << 24) | (uint32_t{frame[at + 1]} << 16) |
         (uint32_t{frame[at + 2]} << 8) | frame[at + 3];
}

class StatefulStampTest : public ::testing::Test {
 protected:
  void SetUp() override {
    FilterConfig filter = testing::StampTestFilter();
    filter.stamp_stateful = true;
    absl::StatusOr<CompiledConfig> compiled = Compile(filter);
    ASSERT_TRUE(compiled.ok()) << compiled.status();
    stateful_ = compiled->wire;
    absl::StatusOr<CompiledConfig> stateless = Compile(testing::StampTestFilter());
    ASSERT_TRUE(stateless.ok()) << stateless.status();
    stateless_ = stateless->wire;
  }

  // A STAMP (or TWAMP-Light, by port) packet from source port `port` with this SSID and the
  // sender's sequence number `sequence`.
  static std::vector<uint8_t> Packet(uint16_t port, uint16_t ssid, uint32_t sequence,
                                     uint16_t dst_port = RF_STAMP_PORT, bool ipv6 = false) {
    FrameBuilder builder;
    if (ipv6) builder.Ipv6(testing::kTesterIpv6, testing::kReflectorIpv6);
    return builder.Ports(port, dst_port)
        .Payload(testing::StampSenderPayload(sequence, kNtpTime, 0x8101, ssid))
        .Build();
  }

  // Answers `frame` as the stateful reflector with `sessions`, checks that it differs from
  // the stateless answer only in the sequence number (and the checksum that covers it), and
  // returns the reflector's sequence number.
  uint32_t Answer(std::vector<uint8_t> frame, StampSessions& sessions) {
    std::vector<uint8_t> stateless = frame;
    const Classification c = Classify(frame, stateful_);
    EXPECT_TRUE(c.reflect());
    EXPECT_TRUE(c.where.actions & RF_ACTION_STAMP_STATEFUL);
    const uint64_t t2 = 1'764'000'000'123'456'789ull;
    EXPECT_TRUE(ReflectInPlace(absl::MakeSpan(frame), c.where, stateful_, t2, nullptr, &sessions));
    const Classification plain = Classify(stateless, stateless_);
    EXPECT_FALSE(plain.where.actions & RF_ACTION_STAMP_STATEFUL);
    EXPECT_TRUE(ReflectInPlace(absl::MakeSpan(stateless), plain.where, stateless_, t2, nullptr,
                               &sessions));
    const size_t payload = c.where.payload_offset;
    EXPECT_TRUE(testing::UdpChecksumValid(frame, c.where.l3_offset, c.where.l4_offset,
                                          c.where.ip_version));
    std::vector<uint8_t> masked = testing::MaskStampTimes(frame, c.where.l4_offset);
    std::vector<uint8_t> masked_stateless = testing::MaskStampTimes(stateless, c.where.l4_offset);
    for (size_t i = 0; i < 4; ++i) masked[payload + i] = masked_stateless[payload + i] = 0;
    EXPECT_EQ(masked, masked_stateless) << testing::DescribeDifference(masked_stateless, masked);
    // The sender's own number still comes back, at byte 24.
    EXPECT_EQ(Be32(frame, payload + 24), Be32(stateless, payload));
    return Be32(frame, payload);
  }

  rf_config stateful_ = {};
  rf_config stateless_ = {};
};

TEST_F(StatefulStampTest, EachSessionCountsItsOwnPacketsFromZero) {
  StampSessions sessions;
  // The sender's numbers are not the reflector's: they start at 1000 and skip (lost packets).
  EXPECT_EQ(Answer(Packet(50000, 1, 1000), sessions), 0u);
  EXPECT_EQ(Answer(Packet(50000, 1, 1002), sessions), 1u);
  EXPECT_EQ(Answer(Packet(50001, 1, 7), sessions), 0u);  // another source port
  EXPECT_EQ(Answer(Packet(50000, 2, 7), sessions), 0u);  // another SSID
  EXPECT_EQ(Answer(Packet(50000, 1, 1005), sessions), 2u);
  EXPECT_EQ(Answer(Packet(50000, 1, 1005, RF_STAMP_PORT, /*ipv6=*/true), sessions), 0u);
  EXPECT_EQ(Answer(Packet(50000, 1, 1006, RF_STAMP_PORT, /*ipv6=*/true), sessions), 1u);
  EXPECT_EQ(sessions.size(), 4u);
}

TEST_F(StatefulStampTest, TwampLightHasNoSsid) {
  StampSessions sessions;
  // Bytes 14..15 are MBZ in TWAMP-Light: a sender's garbage there does not make a session.
  EXPECT_EQ(Answer(Packet(50000, 0x1111, 1, testing::kTwampLightTestPort), sessions), 0u);
  EXPECT_EQ(Answer(Packet(50000, 0x2222, 2, testing::kTwampLightTestPort), sessions), 1u);
  EXPECT_EQ(sessions.size(), 1u);
}

TEST_F(StatefulStampTest, WithoutATableTheAnswerIsStateless) {
  std::vector<uint8_t> frame = Packet(50000, 1, 1000);
  const Classification c = Classify(frame, stateful_);
  ASSERT_TRUE(c.reflect());
  ASSERT_TRUE(ReflectInPlace(absl::MakeSpan(frame), c.where, stateful_, 1));
  EXPECT_EQ(Be32(frame, c.where.payload_offset), 1000u);
}

TEST(StampSessionsTest, TheTableIsBounded) {
  StampSessions sessions;
  rf_stamp_session_key key = {};
  for (uint32_t i = 0; i <= StampSessions::kMaxSessions; ++i) {
    key.sender_port = static_cast<uint16_t>(i);
    key.ssid = static_cast<uint16_t>(i >> 16);
    EXPECT_EQ(sessions.Next(key), 0u);
  }
  EXPECT_EQ(sessions.size(), StampSessions::kMaxSessions);
  EXPECT_EQ(sessions.Next(key), 1u);  // the newest is still counted
}

TEST(StampSessionsConfigTest, TheSettingMarksTheResponderRulesOnly) {
  FilterConfig filter = testing::StampTestFilter();
  filter.stamp_stateful = true;
  absl::StatusOr<CompiledConfig> compiled = Compile(filter);
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  int responders = 0;
  for (size_t i = 0; i < compiled->rules.size(); ++i) {
    const bool responder = compiled->rules[i].responder != Responder::kNone;
    responders += responder;
    EXPECT_EQ((compiled->wire.rules[i].actions & RF_ACTION_STAMP_STATEFUL) != 0, responder)
        << compiled->rules[i].name;
    EXPECT_EQ(absl::StrContains(DescribeRule(compiled->rules[i]), "(stateful)"), responder)
        << DescribeRule(compiled->rules[i]);
  }
  EXPECT_EQ(responders, 2);
}

}  // namespace
}  // namespace reflector::packet
