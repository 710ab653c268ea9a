// The STAMP / TWAMP-Light reflector (stamp.h) on the stamp table: exact bytes for fixed times,
// valid checksums, and with the real clock T2 <= T3 inside the test's window.
#include "reflector/packet/stamp.h"
#include "reflector/packet/stamp_tlv.h"

#include <algorithm>
#include <vector>

#include "gtest/gtest.h"
#include "reflector/packet/config.h"
#include "reflector/packet/packet.h"
#include "reflector/packet/testing/frame_builder.h"
#include "reflector/packet/testing/stamp_frames.h"

namespace reflector::packet {
namespace {

using testing::StampCase;
using testing::StampTable;

class StampTest : public ::testing::TestWithParam<StampCase> {
 protected:
  void SetUp() override {
    absl::StatusOr<CompiledConfig> compiled = Compile(testing::StampTestFilter());
    ASSERT_TRUE(compiled.ok()) << compiled.status();
    compiled_ = *compiled;
    // An error estimate and shifts that differ from the frames' own values.
    compiled_.wire.stamp_clock.ntp_shift = 2208988800 - 37;
    compiled_.wire.stamp_clock.ptp_shift = 0;
    compiled_.wire.stamp_clock.error_estimate = RF_STAMP_S | (3 << 8) | 0x2a;
  }
  int RuleIndex(const std::string& name) const {
    for (size_t i = 0; i < compiled_.rules.size(); ++i) {
      if (compiled_.rules[i].name == name) return static_cast<int>(i);
    }
    return -1;
  }
  CompiledConfig compiled_;
};

TEST_P(StampTest, ClassifiesAndBuildsTheReflectorPacketExactly) {
  const StampCase& c = GetParam();
  std::vector<uint8_t> frame = c.frame();
  const Classification result = Classify(frame, compiled_.wire);
  ASSERT_EQ(result.verdict, c.verdict) << VerdictName(result.verdict);
  if (!result.reflect()) return;
  EXPECT_EQ(result.rule(), RuleIndex(c.rule_name));
  // Without a clock the plain reflector refuses it rather than send a wrong answer.
  std::vector<uint8_t> untouched = frame;
  EXPECT_FALSE(ReflectInPlace(absl::MakeSpan(untouched), result.where));
  EXPECT_EQ(untouched, frame);

  const uint64_t t2 = 1'764'000'000'123'456'789ull;  // CLOCK_TAI ns
  const uint64_t t3 = t2 + 2'345;
  // A sender shorter than the answer: the frame grows into room that holds stale bytes, which
  // must not show in the answer.
  __u32 build_len = 0;
  __u32 send_len = 0;
  ASSERT_EQ(
      rf_stamp_lengths(&result.where, static_cast<__u32>(frame.size()), &build_len, &send_len), 0);
  EXPECT_GE(build_len, send_len);
  EXPECT_EQ(ReflectRoom(result.where, frame.size()), build_len);
  frame.resize(build_len, 0xee);
  rf_stamp_pending pending = {};  // g++ -O2 cannot see rf_stamp_build fill it on success
  uint8_t* data = frame.data();
  const uint8_t* end = data + frame.size();
  ASSERT_EQ(rf_stamp_build(data, end, &result.where, &compiled_.wire.stamp_clock, t2, &pending), 0);
  ASSERT_EQ(rf_stamp_finish(data, end, &pending, &compiled_.wire.stamp_clock, t3), 0);
  ASSERT_EQ(rf_stamp_tlvs(data, end, &result.where, &compiled_.wire.stamp_clock,
                          RF_STAMP_TS_SW_LOCAL),
            0);
  frame.resize(send_len);
  const std::vector<uint8_t> expected = c.Expected(t2, t3, compiled_.wire.stamp_clock);
  EXPECT_EQ(frame, expected) << testing::DescribeDifference(expected, frame);
  const int version = result.where.ip_version;
  if (version == 4) {
    EXPECT_TRUE(testing::Ipv4HeaderChecksumValid(frame, result.where.l3_offset));
  }
  EXPECT_TRUE(testing::UdpChecksumValid(frame, result.where.l3_offset, result.where.l4_offset,
                                        version));
}

TEST_P(StampTest, RealClockGivesOrderedTimesInTheWindow) {
  const StampCase& c = GetParam();
  if (c.verdict != Verdict::kReflect) return;
  std::vector<uint8_t> frame = c.frame();
  const uint64_t before = TaiNowNs();
  const Classification result = Classify(frame, compiled_.wire);
  ASSERT_TRUE(result.reflect());
  ASSERT_TRUE(ReflectInVector(frame, result.where, compiled_.wire, TaiNowNs()));
  const uint64_t after = TaiNowNs();
  const size_t payload = result.where.payload_offset;
  const auto be64 = [&frame](size_t at) {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | frame[at + i];
    return v;
  };
  const bool ptp = (c.payload[12] & 0x40) != 0;
  const rf_stamp_clock& clock = compiled_.wire.stamp_clock;
  const uint64_t t3 = be64(payload + 4);
  const uint64_t t2 = be64(payload + 16);
  EXPECT_LE(testing::StampTimestamp(before, clock, ptp), t2);
  EXPECT_LE(t2, t3);
  EXPECT_LE(t3, testing::StampTimestamp(after, clock, ptp));
  // Everything else as the oracle says.
  const std::vector<uint8_t> expected = c.Expected(0, 0, clock);
  EXPECT_EQ(testing::MaskStampTimes(frame, result.where.l4_offset),
            testing::MaskStampTimes(expected, result.where.l4_offset));
}

TEST_P(StampTest, TruncatedFramesAreNeverAnswered) {
  const StampCase& c = GetParam();
  const std::vector<uint8_t> frame = c.frame();
  // Up to the end of the sender's packet: Ethernet padding after it may go.
  size_t packet_end = frame.size();
  if (const Classification whole = Classify(frame, compiled_.wire); whole.reflect()) {
    packet_end = whole.where.payload_offset + whole.where.udp_length - RF_UDP_HLEN;
  }
  for (size_t length = 0; length < packet_end; ++length) {
    std::vector<uint8_t> cut(frame.begin(), frame.begin() + length);
    const std::vector<uint8_t> copy = cut;
    const Classification result = ClassifyAndReflect(absl::MakeSpan(cut), compiled_.wire);
    EXPECT_FALSE(result.reflect()) << length;
    EXPECT_EQ(cut, copy);
  }
}

// A sender shorter than the answer, in a buffer with no room to grow: a span cannot hold the
// answer, so ClassifyAndReflect says no_room and leaves the frame alone; with room, ReflectStamp
// answers 41 bytes (TWAMP-Light) or 44 (STAMP) from a 14-byte packet.
TEST_P(StampTest, AnswerLongerThanTheFrameNeedsRoom) {
  const StampCase& c = GetParam();
  if (c.verdict != Verdict::kReflect) return;
  std::vector<uint8_t> frame = c.frame();
  const Classification result = Classify(frame, compiled_.wire);
  ASSERT_TRUE(result.reflect());
  const size_t sender_length = result.where.udp_length - RF_UDP_HLEN;
  const size_t answer_length = std::max<size_t>(sender_length, c.twamp ? 41 : 44);
  const size_t room = ReflectRoom(result.where, frame.size());
  EXPECT_EQ(room, std::max<size_t>(frame.size(), result.where.payload_offset + 44u));
  const std::vector<uint8_t> original = frame;
  if (room > frame.size()) {
    EXPECT_EQ(ClassifyAndReflect(absl::MakeSpan(frame), compiled_.wire).verdict, Verdict::kNoRoom);
    EXPECT_EQ(frame, original);
    // One byte short of the room: refused, untouched.
    frame.resize(room - 1, 0xee);
    EXPECT_EQ(ReflectStamp(absl::MakeSpan(frame), original.size(), result.where,
                           compiled_.wire.stamp_clock, TaiNowNs()),
              0u);
    EXPECT_TRUE(std::equal(original.begin(), original.end(), frame.begin()));
  }
  frame = original;
  frame.resize(room, 0xee);
  const size_t sent = ReflectStamp(absl::MakeSpan(frame), original.size(), result.where,
                                   compiled_.wire.stamp_clock, TaiNowNs());
  EXPECT_EQ(sent, std::max<size_t>(original.size(), result.where.payload_offset + answer_length));
  frame.resize(sent);
  // The headers say the answer's length, the checksums are valid.
  const size_t l4 = result.where.l4_offset;
  EXPECT_EQ((frame[l4 + 4] << 8) | frame[l4 + 5], RF_UDP_HLEN + answer_length);
  if (result.where.ip_version == 4) {
    EXPECT_TRUE(testing::Ipv4HeaderChecksumValid(frame, result.where.l3_offset));
  }
  EXPECT_TRUE(
      testing::UdpChecksumValid(frame, result.where.l3_offset, l4, result.where.ip_version));
}

INSTANTIATE_TEST_SUITE_P(Table, StampTest, ::testing::ValuesIn(StampTable()),
                         [](const ::testing::TestParamInfo<StampCase>& info) {
                           return info.param.name;
                         });

TEST(StampTimeTest, NtpAndPtpOfKnownInstants) {
  rf_stamp_clock clock = {};
  clock.ntp_shift = 2208988800 - 37;
  clock.ptp_shift = 0;
  // TAI 1970 + 37 s + 0.5 s is UTC 1970-01-01 00:00:00.5: NTP seconds 2208988800, half.
  const uint64_t tai = 37'500'000'000ull;
  EXPECT_EQ(rf_stamp_time(tai, &clock, 0), (2208988800ull << 32) | 0x80000000ull);
  EXPECT_EQ(rf_stamp_time(tai, &clock, 1), (37ull << 32) | 500'000'000ull);
}

TEST(StampConfigTest, ProfilesMakeStampRules) {
  FilterConfig filter = testing::StampTestFilter();
  filter.stamp_ports = {PortRange{862, 862}, PortRange{4000, 4001}};
  absl::StatusOr<CompiledConfig> compiled = Compile(filter);
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  const std::vector<Rule>& rules = compiled->rules;
  ASSERT_GE(rules.size(), 3u);
  const Rule& twamp = rules[rules.size() - 1];
  const Rule& stamp2 = rules[rules.size() - 2];
  EXPECT_EQ(twamp.name, "twamp-light");
  EXPECT_EQ(stamp2.name, "stamp-2");
  EXPECT_EQ(DescribeRule(stamp2),
            "stamp-2: port 4000-4001, payload 00 mask 00 at 13, oui any -> mode all, stamp");
  EXPECT_TRUE(compiled->wire.flags & RF_CFG_STAMP);
  const rf_rule& wire_twamp = compiled->wire.rules[rules.size() - 1];
  EXPECT_EQ(wire_twamp.actions, RF_ACTION_STAMP | RF_ACTION_TWAMP);
  // Off by default.
  absl::StatusOr<CompiledConfig> defaults = Compile(testing::DefaultTestFilter());
  ASSERT_TRUE(defaults.ok());
  EXPECT_FALSE(defaults->wire.flags & RF_CFG_STAMP);
}

TEST(StampConfigTest, RejectsWhatCannotAnswerStamp) {
  Rule rule;
  rule.name = "s";
  rule.dst_ports = {862, 862};
  rule.responder = Responder::kStamp;
  EXPECT_FALSE(ValidateRule(rule).ok());  // no length pattern
  rule.pattern = StampLengthPattern();
  EXPECT_TRUE(ValidateRule(rule).ok());
  rule.mode = Mode::kMacIp;
  EXPECT_FALSE(ValidateRule(rule).ok());
  FilterConfig filter = testing::DefaultTestFilter();
  filter.profiles = ProfileBit(Profile::kTwampLight);
  EXPECT_FALSE(Compile(filter).ok());  // no twamp_light_ports
  filter.profiles = ProfileBit(Profile::kStamp);
  filter.dst_mac_filter = false;
  EXPECT_FALSE(Compile(filter).ok());  // would answer frames to other hosts
  EXPECT_FALSE(ParsePortRanges("862,any").ok());
  EXPECT_FALSE(ParsePortRanges("0").ok());
  EXPECT_EQ(*ParsePortRanges(" 862, 4000-4001"),
            (std::vector<PortRange>{{862, 862}, {4000, 4001}}));
  EXPECT_EQ(*ParseProfiles("stamp,twamp-light"),
            ProfileBit(Profile::kStamp) | ProfileBit(Profile::kTwampLight));
}

}  // namespace
}  // namespace reflector::packet
