#include "tools/tester/stamp_session.h"

#include <cstdlib>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "reflector/packet/config.h"
#include "reflector/packet/packet.h"
#include "reflector/packet/stamp.h"
#include "reflector/packet/stamp_tlv.h"
#include "reflector/packet/testing/frame_builder.h"
#include "reflector/packet/testing/stamp_frames.h"

namespace reflector::tester {
namespace {

TEST(StampSessionTest, WireTimesRoundTrip) {
  for (bool ptp : {false, true}) {
    for (int64_t ns : {int64_t{0}, int64_t{1'764'000'000'123'456'789}, int64_t{999'999'999}}) {
      EXPECT_EQ(FromWireTime(ToWireTime(ns, ptp), ptp), ns) << ptp << " " << ns;
    }
  }
}

// A sender packet answered by the packet library's reflector (stamp.h) with known times, read
// back: every figure is the one the times make.
TEST(StampSessionTest, ReadsWhatTheReflectorWrote) {
  for (bool ptp : {false, true}) {
    StampOptions options;
    options.ptp = ptp;
    options.payload_size = 60;
    const int64_t t1 = 1'764'000'000'000'000'000;
    const std::vector<uint8_t> sent = BuildSenderPacket(41, t1, options);
    ASSERT_EQ(sent.size(), 60u);
    std::vector<uint8_t> frame =
        packet::testing::FrameBuilder().Ports(50000, RF_STAMP_PORT).Payload(sent).Ttl(61).Build();
    absl::StatusOr<rf_config> config = packet::ToWire(packet::testing::StampTestFilter());
    ASSERT_TRUE(config.ok());
    // The reflector's CLOCK_TAI runs 37 s ahead of the sender's CLOCK_REALTIME; for PTP the
    // sender reads CLOCK_TAI too, so there the clocks agree.
    const int64_t tai_offset = 37'000'000'000;
    config->stamp_clock.ntp_shift = 2208988800 - 37;
    config->stamp_clock.ptp_shift = 0;
    const int64_t shift = ptp ? 0 : tai_offset;
    const packet::Classification c = packet::Classify(frame, *config);
    ASSERT_TRUE(c.reflect());
    rf_stamp_pending pending = {};  // g++ -O2 cannot see rf_stamp_build fill it
    ASSERT_EQ(rf_stamp_build(frame.data(), frame.data() + frame.size(), &c.where,
                             &config->stamp_clock, t1 + shift + 1'000, &pending), 0);
    ASSERT_EQ(rf_stamp_finish(frame.data(), frame.data() + frame.size(), &pending,
                              &config->stamp_clock, t1 + shift + 3'000), 0);
    const std::optional<StampSample> s = ParseReflectorPacket(
        absl::MakeConstSpan(frame).subspan(c.where.payload_offset), t1 + 10'000, ptp);
    ASSERT_TRUE(s.has_value());
    EXPECT_EQ(s->sender_sequence, 41u);
    EXPECT_EQ(s->reflector_sequence, 41u);
    EXPECT_EQ(s->sender_ttl, 61);
    EXPECT_EQ(s->t1, t1);
    EXPECT_EQ(s->dwell(), 2'000);
    EXPECT_EQ(s->round_trip(), 8'000);
    EXPECT_EQ(s->forward(), 1'000);
    EXPECT_EQ(s->backward(), 7'000);
  }
}

TEST(StampSessionTest, CountsLossDuplicatesReorderingAndStrangers) {
  StampCollector collector(5);
  const auto sample = [](uint32_t sequence, int64_t round_trip) {
    StampSample s;
    s.sender_sequence = sequence;
    s.t1 = 0;
    s.t2 = 10;
    s.t3 = 20;
    s.t4 = round_trip + 10;
    return s;
  };
  collector.Add(sample(0, 100'000), 5);
  collector.Add(sample(2, 130'000), 5);
  collector.Add(sample(1, 110'000), 5);  // late
  collector.Add(sample(1, 110'000), 5);  // again
  collector.Add(sample(9, 110'000), 5);  // never sent
  collector.AddMalformed();
  const StampResult result = collector.Finish(5, 1.0);
  EXPECT_EQ(result.stream.unique, 3u);
  EXPECT_EQ(result.stream.lost, 2u);
  EXPECT_EQ(result.stream.duplicates, 1u);
  EXPECT_EQ(result.stream.out_of_order, 1u);
  EXPECT_EQ(result.stream.unknown, 1u);
  EXPECT_EQ(result.malformed, 1);
  ASSERT_TRUE(result.stream.rtt.has_value());
  EXPECT_DOUBLE_EQ(result.stream.rtt->min_us, 100);
  EXPECT_DOUBLE_EQ(result.stream.rtt->max_us, 130);
  EXPECT_EQ(result.dwell.max, 10);
  EXPECT_EQ(result.dwell.count, 4);  // every answer to a packet sent, duplicates included
}

// --stamp_size=14: TWAMP-Light's shortest packet (RFC 5357 §4.1.2, what nokia/twampy sends),
// answered by the packet library with the 41-byte reflector packet (RFC 5357 §4.2.1), which
// the tester reads and reports.
TEST(StampSessionTest, ShortTwampLightPacketGetsTheLongerAnswer) {
  StampOptions options;
  options.protocol = StampProtocol::kTwampLight;
  options.payload_size = 14;
  const int64_t t1 = 1'764'000'000'000'000'000;
  const std::vector<uint8_t> sent = BuildSenderPacket(7, t1, options);
  ASSERT_EQ(sent.size(), 14u);
  std::vector<uint8_t> frame = packet::testing::FrameBuilder()
                                   .Ports(50000, packet::testing::kTwampLightTestPort)
                                   .Payload(sent)
                                   .Build();
  absl::StatusOr<rf_config> config = packet::ToWire(packet::testing::StampTestFilter());
  ASSERT_TRUE(config.ok());
  const packet::Classification c = packet::Classify(frame, *config);
  ASSERT_TRUE(c.reflect());
  ASSERT_TRUE(packet::ReflectInVector(frame, c.where, *config, packet::TaiNowNs()));
  const absl::Span<const uint8_t> answer =
      absl::MakeConstSpan(frame).subspan(c.where.payload_offset);
  ASSERT_EQ(answer.size(), 41u);
  const std::optional<StampSample> s = ParseReflectorPacket(answer, t1 + 10'000, false);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->sender_sequence, 7u);
  EXPECT_EQ(s->t1, t1);
  EXPECT_EQ(s->sender_ttl, 64);
  EXPECT_EQ(s->length, 41u);
  StampCollector collector(8);
  collector.Add(*s, 8);
  const StampResult result = collector.Finish(8, 1.0);
  EXPECT_EQ(result.answer_min, 41u);
  EXPECT_EQ(result.answer_max, 41u);
  EXPECT_NE(StampResultJson(result, options).find("\"answer_bytes\":{\"min\":41,\"max\":41}"),
            std::string::npos);
  // Shorter than the reflector's fields: malformed.
  EXPECT_FALSE(ParseReflectorPacket(answer.first(40), t1, false).has_value());
}

// A stateful reflector numbers what it received: of 10 sent, ours 3 and 7 never reached it
// (it numbered the other 8 in a row), its answer to our 6 (its 5th) never came back.
TEST(StampSessionTest, LossPerDirectionFromAStatefulReflectorsNumbers) {
  // The same whether the reflector's count starts at 0 or already ran (a session it knew).
  for (const uint32_t start : {0u, 1000u}) {
    StampCollector collector(10);
    const uint32_t received[][2] = {{0, 0}, {1, 1}, {2, 2}, {4, 3}, {5, 4}, {8, 6}, {9, 7}};
    for (const auto& [ours, its] : received) {
      StampSample s;
      s.sender_sequence = ours;
      s.reflector_sequence = start + its;
      s.t4 = 100;
      collector.Add(s, 10);
    }
    const StampResult result = collector.Finish(10, 1.0);
    EXPECT_EQ(result.stream.lost, 3u);
    EXPECT_TRUE(result.direction.stateful);
    EXPECT_EQ(result.direction.outbound, 2u);
    EXPECT_EQ(result.direction.inbound, 1u);
    EXPECT_EQ(result.direction.unattributed, 0u);
    EXPECT_NE(FormatStampResult(result, StampOptions()).find(
                  "loss per direction (stateful reflector): 2 on the way out, 1 on the way back, "
                  "0 after or before the answers"),
              std::string::npos);
  }
}

// A stateless reflector echoes our numbers: the direction is unknown, and said so.
TEST(StampSessionTest, NoDirectionFromAStatelessReflector) {
  StampCollector collector(4);
  for (const uint32_t ours : {0u, 2u}) {
    StampSample s;
    s.sender_sequence = s.reflector_sequence = ours;
    collector.Add(s, 4);
  }
  const StampResult result = collector.Finish(4, 1.0);
  EXPECT_FALSE(result.direction.stateful);
  EXPECT_EQ(result.direction.unattributed, 1u);  // our 3, after the last answer
  EXPECT_NE(FormatStampResult(result, StampOptions()).find("loss per direction: unknown"),
            std::string::npos);
  EXPECT_NE(StampResultJson(result, StampOptions()).find("\"stateful\":false"),
            std::string::npos);
}

TEST(StampSessionTest, TwampLightSendsZeroWhereStampHasTheSsid) {
  StampOptions options;
  options.ssid = 0x1234;
  EXPECT_EQ(BuildSenderPacket(1, 0, options)[14], 0x12);
  options.protocol = StampProtocol::kTwampLight;
  EXPECT_EQ(BuildSenderPacket(1, 0, options)[14], 0);
}

// --stamp_tlv=timestamp-info: the sender's TLVs (RFC 8972 §4.3 and §4.1, U set, values zero),
// answered by the packet library's reflector (stamp_tlv.h) and read back into the summary.
TEST(StampSessionTest, TimestampInformationTlvAskedAndReadBack) {
  StampOptions options;
  options.timestamp_info = true;
  options.payload_size = 60;
  const std::vector<uint8_t> sent = BuildSenderPacket(5, 1'764'000'000'000'000'000, options);
  ASSERT_EQ(sent.size(), 60u);
  EXPECT_EQ(std::vector<uint8_t>(sent.begin() + 44, sent.end()),
            (std::vector<uint8_t>{0x80, 3, 0, 4, 0, 0, 0, 0, 0x80, 1, 0, 4, 0, 0, 0, 0}));
  options.payload_size = 44;  // grows to hold the TLV
  EXPECT_EQ(BuildSenderPacket(5, 0, options).size(), 52u);

  std::vector<uint8_t> frame =
      packet::testing::FrameBuilder().Ports(50000, RF_STAMP_PORT).Payload(sent).Build();
  absl::StatusOr<rf_config> config = packet::ToWire(packet::testing::StampTestFilter());
  ASSERT_TRUE(config.ok());
  config->stamp_clock.error_estimate = RF_STAMP_S | 0x0101;  // synchronised: NTP
  const packet::Classification c = packet::Classify(frame, *config);
  ASSERT_TRUE(c.reflect());
  ASSERT_EQ(
      packet::ReflectStamp(absl::MakeSpan(frame), frame.size(), c.where, config->stamp_clock, 1),
      frame.size());
  const std::optional<StampSample> s =
      ParseReflectorPacket(absl::MakeConstSpan(frame).subspan(c.where.payload_offset), 2, false);
  ASSERT_TRUE(s.has_value());
  ASSERT_TRUE(s->timestamp_info.has_value());
  EXPECT_EQ(s->timestamp_info->flags, 0);
  EXPECT_EQ(s->timestamp_info->sync_in, 1);
  EXPECT_EQ(s->timestamp_info->method_in, RF_STAMP_TS_SW_LOCAL);
  EXPECT_EQ(s->timestamp_info->sync_out, 1);
  EXPECT_EQ(s->timestamp_info->method_out, RF_STAMP_TS_SW_LOCAL);

  StampCollector collector(10);
  collector.Add(*s, 10);
  const StampResult result = collector.Finish(10, 1);
  EXPECT_NE(FormatStampResult(result, options)
                .find("reflector timestamp information (RFC 8972): T2 software-local, clock ntp; "
                      "T3 software-local, clock ntp"),
            std::string::npos)
      << FormatStampResult(result, options);
  EXPECT_NE(StampResultJson(result, options).find("\"method_in\":\"software-local\""),
            std::string::npos);

  // A reflector that does not know the TLV sends it back with U set: said so.
  StampSample unknown = *s;
  unknown.timestamp_info->flags = RF_STAMP_TLV_U;
  StampCollector other(10);
  other.Add(unknown, 10);
  EXPECT_NE(FormatStampResult(other.Finish(10, 1), options).find("not understood (U flag)"),
            std::string::npos);
}

}  // namespace
}  // namespace reflector::tester
