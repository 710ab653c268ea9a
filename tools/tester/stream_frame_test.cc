#include "tools/tester/stream_frame.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "reflector/packet/packet.h"
#include "reflector/packet/testing/frame_builder.h"
#include "tools/tester/trailer.h"

namespace reflector::tester {
namespace {

using packet::Signature;
namespace pt = packet::testing;

StreamSpec Spec(Signature signature, size_t size, bool ipv6 = false, uint16_t vlan = 0) {
  StreamSpec spec;
  spec.addresses.src_mac = pt::kTesterMac;
  spec.addresses.dst_mac = pt::kReflectorMac;
  spec.addresses.ipv6 = ipv6;
  spec.addresses.src4 = pt::kTesterIpv4;
  spec.addresses.dst4 = pt::kReflectorIpv4;
  spec.addresses.src6 = pt::kTesterIpv6;
  spec.addresses.dst6 = pt::kReflectorIpv6;
  spec.addresses.src_port = 50000;
  spec.addresses.vlan_id = vlan;
  spec.signature = signature;
  spec.frame_size = size;
  spec.stream_id = 0xbeef;
  return spec;
}

struct Case {
  Signature signature;
  bool ipv6;
  uint16_t vlan;
  size_t size;
};

class StreamFrameLayoutTest : public ::testing::TestWithParam<Case> {};

TEST_P(StreamFrameLayoutTest, ReflectorAcceptsItAndChecksumsHoldAfterStamping) {
  const Case c = GetParam();
  absl::StatusOr<StreamFrame> frame = StreamFrame::Build(Spec(c.signature, c.size, c.ipv6, c.vlan));
  ASSERT_TRUE(frame.ok()) << frame.status();
  EXPECT_EQ(frame->size(), c.size - kFcsLength);

  std::vector<uint8_t> out(frame->bytes().begin(), frame->bytes().end());
  for (const uint32_t seq : {0u, 1u, 0xffffu, 0x12345678u, 0xffffffffu}) {
    const uint64_t time = 0x0123456789abcdefull + seq;
    frame->Stamp(absl::MakeSpan(out), seq, time);

    const packet::Classification verdict = packet::Classify(out, pt::DefaultTestConfig());
    ASSERT_EQ(verdict.verdict, packet::Verdict::kReflect)
        << packet::VerdictName(verdict.verdict) << "\n" << pt::HexDump(out);
    EXPECT_EQ(verdict.signature(), c.signature);
    EXPECT_EQ(verdict.where.vlan_tags, c.vlan != 0 ? 1 : 0);
    EXPECT_EQ(verdict.where.ip_version, c.ipv6 ? 6 : 4);
    if (!c.ipv6) {
      EXPECT_TRUE(pt::Ipv4HeaderChecksumValid(out, verdict.where.l3_offset));
    }
    EXPECT_TRUE(pt::UdpChecksumValid(out, verdict.where.l3_offset, verdict.where.l4_offset,
                                     c.ipv6 ? 6 : 4))
        << "seq " << seq;
    // The signature sits where SPEC §2 puts it, and the trailer reads back.
    EXPECT_EQ(frame->signature_offset(),
              verdict.where.payload_offset +
                  (c.signature == Signature::kRfc2544 || c.signature == Signature::kY1564
                       ? RF_CUSTOM_SIG_OFFSET
                       : RF_ITO_SIG_OFFSET));
    TrailerFields fields;
    const std::string text(packet::SignatureText(c.signature));
    ASSERT_TRUE(ReadTrailer(out, frame->signature_offset(),
                            absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(text.data()),
                                                text.size()),
                            &fields));
    EXPECT_EQ(fields.stream_id, 0xbeef);
    EXPECT_EQ(fields.sequence, seq);
    EXPECT_EQ(fields.tx_time_ns, static_cast<uint32_t>(time));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Layouts, StreamFrameLayoutTest,
    ::testing::Values(Case{Signature::kRfc2544, false, 0, 64},
                      Case{Signature::kY1564, false, 0, 65},
                      Case{Signature::kLatency, false, 0, 68},
                      Case{Signature::kProbeot, false, 100, 128},
                      Case{Signature::kDataOt, true, 0, 1518},
                      Case{Signature::kRfc2544, true, 4000, 9000},
                      Case{Signature::kLatency, true, 0, 90}));

TEST(StreamFrameTest, SmallestFrames) {
  // 14 + 20 + 8 + 7 + 1 pad + 10 = 60 bytes, + FCS: a 64-byte RFC 2544 frame carries it all.
  EXPECT_EQ(MinFrameSize(Spec(Signature::kRfc2544, 64)), 64u);
  // ITO: 5-byte vendor header + 7 signature bytes, no pad.
  EXPECT_EQ(MinFrameSize(Spec(Signature::kLatency, 64)), 68u);
  EXPECT_EQ(MinFrameSize(Spec(Signature::kLatency, 64, false, 7)), 72u);
  EXPECT_EQ(MinFrameSize(Spec(Signature::kRfc2544, 64, true)), 84u);
}

TEST(StreamFrameTest, RejectsFramesTooSmallOrTooLarge) {
  for (const StreamSpec& spec : {Spec(Signature::kLatency, 64), Spec(Signature::kRfc2544, 63),
                                 Spec(Signature::kRfc2544, 83, true),
                                 Spec(Signature::kRfc2544, 9001)}) {
    const absl::StatusOr<StreamFrame> frame = StreamFrame::Build(spec);
    EXPECT_EQ(frame.status().code(), absl::StatusCode::kInvalidArgument) << spec.frame_size;
  }
}

TEST(StreamFrameTest, TrailerIsOnAnEvenOffsetRightAfterTheSignature) {
  EXPECT_EQ(TrailerOffsetFor(42), 50u);  // custom: signature 42..48, pad 49
  EXPECT_EQ(TrailerOffsetFor(47), 54u);  // ITO: signature 47..53, no pad
}

TEST(StreamFrameTest, ReadTrailerRejectsOtherSignaturesAndShortFrames) {
  absl::StatusOr<StreamFrame> frame = StreamFrame::Build(Spec(Signature::kRfc2544, 64));
  ASSERT_TRUE(frame.ok());
  TrailerFields fields;
  const uint8_t y1564[] = {'Y', '.', '1', '5', '6', '4', ' '};
  const uint8_t rfc2544[] = {'R', 'F', 'C', '2', '5', '4', '4'};
  EXPECT_FALSE(ReadTrailer(frame->bytes(), frame->signature_offset(), y1564, &fields));
  EXPECT_TRUE(ReadTrailer(frame->bytes(), frame->signature_offset(), rfc2544, &fields));
  EXPECT_FALSE(ReadTrailer(frame->bytes().subspan(0, 59), frame->signature_offset(), rfc2544,
                           &fields));
}

}  // namespace
}  // namespace reflector::tester
