// RFC 8972 TLVs in the STAMP answer (stamp_tlv.h), each rule checked on bytes written out by
// hand: flags (U, M, I, reserved), the Timestamp Information and Class of Service values, what
// is left alone, and valid checksums. The reflector runs on an exact-size heap copy of the
// frame, so ASan reports any read past its end.
#include "reflector/packet/stamp_tlv.h"

#include <cstring>
#include <memory>
#include <vector>

#include "gtest/gtest.h"
#include "reflector/packet/config.h"
#include "reflector/packet/packet.h"
#include "reflector/packet/testing/frame_builder.h"
#include "reflector/packet/testing/stamp_frames.h"

namespace reflector::packet {
namespace {

using testing::FrameBuilder;
using testing::StampSenderPayload;

constexpr uint64_t kT2 = 1'764'000'000'123'456'789ull;

rf_stamp_clock Clock(bool synchronised) {
  rf_stamp_clock clock = {};
  clock.ntp_shift = 2208988800 - 37;
  clock.error_estimate = static_cast<uint16_t>((synchronised ? RF_STAMP_S : 0) | 0x0102);
  return clock;
}

struct Answer {
  std::vector<uint8_t> frame;
  rf_result where = {};
  std::vector<uint8_t> tlvs() const {  // the answer's bytes after its 44-byte base packet
    return {frame.begin() + where.payload_offset + RF_STAMP_LEN, frame.end()};
  }
};

// Classifies `sent` under the stamp test filter and answers it in place, TLVs included.
Answer Reflect(const std::vector<uint8_t>& sent, const rf_stamp_clock& clock,
               uint32_t t2_method = RF_STAMP_TS_SW_LOCAL) {
  Answer answer;
  absl::StatusOr<CompiledConfig> compiled = Compile(testing::StampTestFilter());
  EXPECT_TRUE(compiled.ok()) << compiled.status();
  if (!compiled.ok()) return answer;
  const Classification result = Classify(sent, compiled->wire);
  EXPECT_TRUE(result.reflect()) << VerdictName(result.verdict);
  answer.where = result.where;
  std::unique_ptr<uint8_t[]> exact(new uint8_t[sent.size()]);
  std::memcpy(exact.get(), sent.data(), sent.size());
  uint8_t* data = exact.get();
  const uint8_t* end = data + sent.size();
  rf_stamp_pending pending = {};
  EXPECT_EQ(rf_stamp_build(data, end, &result.where, &clock, kT2, &pending), 0);
  EXPECT_EQ(rf_stamp_finish(data, end, &pending, &clock, kT2 + 1000), 0);
  EXPECT_EQ(rf_stamp_tlvs(data, end, &result.where, &clock, t2_method), 0);
  answer.frame.assign(exact.get(), exact.get() + sent.size());
  const int version = result.where.ip_version;
  if (version == 4) {
    EXPECT_TRUE(testing::Ipv4HeaderChecksumValid(answer.frame, result.where.l3_offset));
  }
  const bool had_checksum = version == 6 || sent[result.where.l4_offset + 6] != 0 ||
                            sent[result.where.l4_offset + 7] != 0;
  if (had_checksum) {
    EXPECT_TRUE(testing::UdpChecksumValid(answer.frame, result.where.l3_offset,
                                          result.where.l4_offset, version));
  }
  return answer;
}

std::vector<uint8_t> Sent(std::vector<uint8_t> tlvs, FrameBuilder builder = FrameBuilder(),
                          uint16_t port = RF_STAMP_PORT) {
  return builder.Ports(testing::kTesterPort, port)
      .Payload(StampSenderPayload(1, 0xe9a1'0203'8000'0000ull, 0x0101, 0x4242, std::move(tlvs)))
      .Build();
}

TEST(StampTlvTest, UnderstoodTypesGoBackWithFlagsClear) {
  // Extra Padding (3 bytes, so the next TLV starts at an odd offset), Timestamp Information,
  // empty Extra Padding: the list fills the packet exactly. The sender's U, I and a reserved
  // bit are cleared; padding is returned as sent.
  const Answer a = Reflect(Sent({0x80, 1, 0, 3, 0xaa, 0xbb, 0xcc,  //
                                 0xa1, 3, 0, 4, 0, 0, 0, 0,        //
                                 0x80, 1, 0, 0}),
                           Clock(true));
  EXPECT_EQ(a.tlvs(), (std::vector<uint8_t>{0x00, 1, 0, 3, 0xaa, 0xbb, 0xcc,  //
                                            0x00, 3, 0, 4, 1, 2, 1, 2,        //
                                            0x00, 1, 0, 0}));
}

TEST(StampTlvTest, UnknownTypesAreFlaggedAndCopied) {
  // An unassigned type, and HMAC (8), which this unauthenticated reflector does not check.
  const Answer a = Reflect(Sent({0x00, 200, 0, 2, 0x12, 0x34,  //
                                 0x80, 8, 0, 1, 0x56}),
                           Clock(true));
  EXPECT_EQ(a.tlvs(), (std::vector<uint8_t>{0x80, 200, 0, 2, 0x12, 0x34,  //
                                            0x80, 8, 0, 1, 0x56}));
}

TEST(StampTlvTest, TimestampInformationSaysHowTheTimesWereTaken) {
  const std::vector<uint8_t> sent = Sent({0x80, 3, 0, 4, 0, 0, 0, 0});
  // Synchronised: NTP (1), software-local (2) for T2 and T3.
  EXPECT_EQ(Reflect(sent, Clock(true)).tlvs(), (std::vector<uint8_t>{0, 3, 0, 4, 1, 2, 1, 2}));
  // Not synchronised (the Error Estimate's S bit clear): local free-running (5).
  EXPECT_EQ(Reflect(sent, Clock(false)).tlvs(), (std::vector<uint8_t>{0, 3, 0, 4, 5, 2, 5, 2}));
  // T2 from the NIC: hardware-assisted (1) in, T3 still software-local.
  EXPECT_EQ(Reflect(sent, Clock(false), RF_STAMP_TS_HW_ASSIST).tlvs(),
            (std::vector<uint8_t>{0, 3, 0, 4, 5, 1, 5, 2}));
}

TEST(StampTlvTest, ClassOfServiceReportsWhatArrivedAndAnswersWithDscp1) {
  // Sent with DSCP 46 (EF), ECN 01; DSCP1 asks for 10 (AF11) on the way back.
  const std::vector<uint8_t> sent =
      Sent({0x80, 4, 0, 4, 10 << 2, 0, 0xff, 0xff}, FrameBuilder().Dscp(46 << 2 | 1));
  const Answer a = Reflect(sent, Clock(true));
  // DSCP1 10 | DSCP2 46 | ECN 01 | RP 0, reserved zeroed.
  const uint16_t word = 10 << 10 | 46 << 4 | 1 << 2;
  EXPECT_EQ(a.tlvs(), (std::vector<uint8_t>{0, 4, 0, 4, static_cast<uint8_t>(word >> 8),
                                            static_cast<uint8_t>(word), 0, 0}));
  EXPECT_EQ(a.frame[a.where.l3_offset + 1], 10 << 2 | 1);  // DSCP1, ECN as it came

  // IPv6: the traffic class spans bytes 0 and 1 of the header.
  const std::vector<uint8_t> sent6 =
      Sent({0x80, 4, 0, 4, 0, 0, 0, 0},
           FrameBuilder().Ipv6(testing::kTesterIpv6, testing::kReflectorIpv6).Dscp(34 << 2 | 2));
  const Answer b = Reflect(sent6, Clock(true));
  const uint16_t word6 = 0 << 10 | 34 << 4 | 2 << 2;
  EXPECT_EQ(b.tlvs(), (std::vector<uint8_t>{0, 4, 0, 4, static_cast<uint8_t>(word6 >> 8),
                                            static_cast<uint8_t>(word6), 0, 0}));
  EXPECT_EQ(b.frame[b.where.l3_offset], 0x60);        // version 6, traffic class 0000..
  EXPECT_EQ(b.frame[b.where.l3_offset + 1] >> 4, 2);  // ..0010: DSCP 0, ECN 10
}

TEST(StampTlvTest, LengthPastTheEndIsMalformedAndNothingAfterIsTouched) {
  // Timestamp Information understood, then Extra Padding whose Length (9) runs past the
  // packet's 3 remaining bytes: M on it (U clear: the type is understood), and its bytes go
  // back as sent.
  const Answer a = Reflect(Sent({0x80, 3, 0, 4, 0, 0, 0, 0,  //
                                 0x80, 1, 0, 9, 3, 0x80, 3}),
                           Clock(true));
  EXPECT_EQ(a.tlvs(), (std::vector<uint8_t>{0x00, 3, 0, 4, 1, 2, 1, 2,  //
                                            0x40, 1, 0, 9, 3, 0x80, 3}));
}

TEST(StampTlvTest, WrongLengthForTheTypeStopsTheList) {
  // Timestamp Information must have Length 4: M (U clear, the type is understood), and the
  // next TLV is not looked at.
  const Answer a = Reflect(Sent({0x80, 3, 0, 5, 0, 0, 0, 0, 0,  //
                                 0x80, 3, 0, 4, 0, 0, 0, 0}),
                           Clock(true));
  EXPECT_EQ(a.tlvs(), (std::vector<uint8_t>{0x40, 3, 0, 5, 0, 0, 0, 0, 0,  //
                                            0x80, 3, 0, 4, 0, 0, 0, 0}));
}

TEST(StampTlvTest, HeaderCutShortIsMalformed) {
  const Answer a = Reflect(Sent({0x80, 1, 0, 0, 0x80, 3, 0}), Clock(true));
  EXPECT_EQ(a.tlvs(), (std::vector<uint8_t>{0x00, 1, 0, 0, 0xc0, 3, 0}));
}

TEST(StampTlvTest, TheListEndsAtTheUdpDatagramNotTheFrame) {
  // Ethernet padding after the datagram is not a TLV: a frame padded past the UDP length
  // keeps its padding, and the last TLV, which ends with the datagram, is well formed.
  std::vector<uint8_t> sent = Sent({0x80, 1, 0, 0});
  sent.insert(sent.end(), {0x80, 3, 0, 4, 0, 0, 0, 0});
  const Answer a = Reflect(sent, Clock(true));
  const std::vector<uint8_t> tail(a.frame.end() - 12, a.frame.end());
  EXPECT_EQ(tail, (std::vector<uint8_t>{0x00, 1, 0, 0, 0x80, 3, 0, 4, 0, 0, 0, 0}));
}

TEST(StampTlvTest, AtMostSixteenTlvsAreLookedAt) {
  std::vector<uint8_t> tlvs;
  for (int i = 0; i < 17; ++i) tlvs.insert(tlvs.end(), {0x80, 3, 0, 4, 0, 0, 0, 0});
  const Answer a = Reflect(Sent(tlvs), Clock(true));
  std::vector<uint8_t> expected;
  for (int i = 0; i < 16; ++i) expected.insert(expected.end(), {0x00, 3, 0, 4, 1, 2, 1, 2});
  expected.insert(expected.end(), {0x80, 3, 0, 4, 0, 0, 0, 0});  // the 17th as sent
  EXPECT_EQ(a.tlvs(), expected);
}

TEST(StampTlvTest, TwampLightPaddingIsNotTlvs) {
  const std::vector<uint8_t> padding = {0x80, 3, 0, 4, 0, 0, 0, 0};
  const Answer a =
      Reflect(Sent(padding, FrameBuilder(), testing::kTwampLightTestPort), Clock(true));
  EXPECT_EQ(a.tlvs(), padding);
}

TEST(StampTlvTest, NoUdpChecksumStaysNone) {
  const Answer a =
      Reflect(Sent({0x80, 3, 0, 4, 0, 0, 0, 0}, FrameBuilder().UdpChecksum(false)), Clock(true));
  EXPECT_EQ(a.tlvs(), (std::vector<uint8_t>{0, 3, 0, 4, 1, 2, 1, 2}));
  EXPECT_EQ(a.frame[a.where.l4_offset + 6], 0);
  EXPECT_EQ(a.frame[a.where.l4_offset + 7], 0);
}

TEST(StampTlvTest, ReflectStampAnswersTlvs) {
  // The userspace workers' entry point runs the TLV step too.
  std::vector<uint8_t> frame = Sent({0x80, 3, 0, 4, 0, 0, 0, 0});
  absl::StatusOr<CompiledConfig> compiled = Compile(testing::StampTestFilter());
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  const rf_stamp_clock clock = Clock(false);
  const Classification result = Classify(frame, compiled->wire);
  ASSERT_TRUE(result.reflect());
  ASSERT_EQ(ReflectStamp(absl::MakeSpan(frame), frame.size(), result.where, clock, kT2),
            frame.size());
  EXPECT_EQ(std::vector<uint8_t>(frame.end() - 8, frame.end()),
            (std::vector<uint8_t>{0, 3, 0, 4, 5, 2, 5, 2}));
  EXPECT_TRUE(testing::UdpChecksumValid(frame, result.where.l3_offset, result.where.l4_offset, 4));
}

}  // namespace
}  // namespace reflector::packet
