#include "tools/tester/stream_frame.h"

#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "gtest/gtest.h"
#include "reflector/packet/config.h"
#include "reflector/packet/packet.h"
#include "reflector/packet/testing/frame_builder.h"
#include "tools/tester/trailer.h"

namespace reflector::tester {
namespace {

using packet::Signature;
using packet::Verdict;
namespace pt = packet::testing;

constexpr uint16_t kLoopbackPort = 5001;

StreamSpec Spec(std::optional<Signature> signature, size_t size, bool ipv6 = false,
                uint16_t vlan = 0) {
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

// A reflector's compiled rule table, and the name of the rule a frame matched (or the reason
// it was rejected).
struct Reflector {
  packet::CompiledConfig compiled;

  explicit Reflector(const packet::FilterConfig& filter) {
    absl::StatusOr<packet::CompiledConfig> c = packet::Compile(filter);
    EXPECT_TRUE(c.ok()) << c.status();
    if (c.ok()) compiled = *std::move(c);
  }
  std::string Decide(absl::Span<const uint8_t> frame) const {
    const packet::Classification verdict = packet::Classify(frame, compiled.wire);
    if (!verdict.reflect()) return std::string(packet::VerdictName(verdict.verdict));
    return compiled.rules.at(static_cast<size_t>(verdict.rule())).name;
  }
};

packet::FilterConfig LoopbackFilter() {
  packet::FilterConfig filter = pt::DefaultTestFilter();
  filter.profiles |= packet::ProfileBit(packet::Profile::kLoopback);
  filter.loopback_ports = packet::PortRange{kLoopbackPort, kLoopbackPort};
  return filter;
}

// What the precise engine's receive side does with a frame: the stream's marker and id at the
// stream's offsets, and the stamped fields.
void ExpectTrailer(const StreamFrame& frame, absl::Span<const uint8_t> bytes, uint32_t seq,
                   uint32_t time) {
  TrailerFields fields;
  ASSERT_TRUE(ReadTrailer(bytes, frame.marker_offset(), frame.marker(), &fields))
      << pt::HexDump(bytes);
  EXPECT_EQ(fields.stream_id, 0xbeef);
  EXPECT_EQ(fields.sequence, seq);
  EXPECT_EQ(fields.tx_time_ns, time);
}

struct Case {
  Signature signature;
  bool ipv6;
  uint16_t vlan;
  size_t size;
};

class StreamFrameLayoutTest : public ::testing::TestWithParam<Case> {};

TEST_P(StreamFrameLayoutTest, ItsSignatureRuleReflectsItAndChecksumsHoldAfterStamping) {
  const Case c = GetParam();
  absl::StatusOr<StreamFrame> frame = StreamFrame::Build(Spec(c.signature, c.size, c.ipv6, c.vlan));
  ASSERT_TRUE(frame.ok()) << frame.status();
  EXPECT_EQ(frame->size(), c.size - kFcsLength);
  const Reflector reflector(pt::DefaultTestFilter());

  std::vector<uint8_t> out(frame->bytes().begin(), frame->bytes().end());
  for (const uint32_t seq : {0u, 1u, 0xffffu, 0x12345678u, 0xffffffffu}) {
    const uint64_t time = 0x0123456789abcdefull + seq;
    frame->Stamp(absl::MakeSpan(out), seq, time);

    const packet::Classification verdict = packet::Classify(out, reflector.compiled.wire);
    ASSERT_EQ(verdict.verdict, Verdict::kReflect)
        << packet::VerdictName(verdict.verdict) << "\n" << pt::HexDump(out);
    EXPECT_EQ(reflector.Decide(out), packet::SignatureName(c.signature));
    EXPECT_EQ(verdict.where.vlan_tags, c.vlan != 0 ? 1 : 0);
    EXPECT_EQ(verdict.where.ip_version, c.ipv6 ? 6 : 4);
    if (!c.ipv6) {
      EXPECT_TRUE(pt::Ipv4HeaderChecksumValid(out, verdict.where.l3_offset));
    }
    EXPECT_TRUE(pt::UdpChecksumValid(out, verdict.where.l3_offset, verdict.where.l4_offset,
                                     c.ipv6 ? 6 : 4))
        << "seq " << seq;
    // The signature sits where SPEC §2 puts it, and the trailer reads back.
    EXPECT_EQ(frame->marker_offset(),
              verdict.where.payload_offset +
                  (c.signature == Signature::kRfc2544 || c.signature == Signature::kY1564
                       ? RF_CUSTOM_SIG_OFFSET
                       : RF_ITO_SIG_OFFSET));
    EXPECT_EQ(std::string(frame->marker().begin(), frame->marker().end()),
              packet::SignatureText(c.signature));
    ExpectTrailer(*frame, out, seq, static_cast<uint32_t>(time));
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

TEST(StreamFrameTest, AnItoReflectionWithItsToSBitToggledIsStillTheStreamsAndChecksumsHold) {
  // The ito rules' ToS handshake (on by default) toggles IPv4 ToS bit 0 in mode all: the
  // receive side must count such a reflection, and its IPv4 header checksum must verify.
  for (const Signature signature : {Signature::kProbeot, Signature::kDataOt, Signature::kLatency}) {
    absl::StatusOr<StreamFrame> frame = StreamFrame::Build(Spec(signature, 128));
    ASSERT_TRUE(frame.ok()) << frame.status();
    std::vector<uint8_t> out(frame->bytes().begin(), frame->bytes().end());
    frame->Stamp(absl::MakeSpan(out), 77, 123456789);
    const uint8_t tos = out[RF_ETH_HLEN + 1];
    const packet::Classification verdict =
        packet::ClassifyAndReflect(absl::MakeSpan(out), pt::DefaultTestConfig());
    ASSERT_TRUE(verdict.reflect()) << packet::VerdictName(verdict.verdict);
    EXPECT_EQ(out[RF_ETH_HLEN + 1], tos ^ 1) << pt::HexDump(out);
    EXPECT_TRUE(pt::Ipv4HeaderChecksumValid(out, verdict.where.l3_offset)) << pt::HexDump(out);
    EXPECT_TRUE(pt::UdpChecksumValid(out, verdict.where.l3_offset, verdict.where.l4_offset, 4));
    ExpectTrailer(*frame, out, 77, 123456789);
  }
}

TEST(StreamFrameTest, NoSignatureIsOnlyForALoopbackRuleAndStillCarriesTheTrailer) {
  for (const bool ipv6 : {false, true}) {
    StreamSpec spec = Spec(std::nullopt, 128, ipv6);
    spec.addresses.dst_port = kLoopbackPort;
    absl::StatusOr<StreamFrame> frame = StreamFrame::Build(spec);
    ASSERT_TRUE(frame.ok()) << frame.status();
    std::vector<uint8_t> out(frame->bytes().begin(), frame->bytes().end());
    frame->Stamp(absl::MakeSpan(out), 5, 6);

    // The default profiles want a signature; on their port the frame is a signature reject.
    EXPECT_EQ(Reflector(pt::DefaultTestFilter()).Decide(out), "port");
    std::vector<uint8_t> on_3842 = out;
    const packet::Classification where = packet::Classify(out, *packet::ToWire(LoopbackFilter()));
    ASSERT_TRUE(where.reflect());
    on_3842[where.where.l4_offset + 2] = RF_DEFAULT_PORT >> 8;
    on_3842[where.where.l4_offset + 3] = RF_DEFAULT_PORT & 0xff;
    EXPECT_EQ(Reflector(pt::DefaultTestFilter()).Decide(on_3842), "signature");
    // A loopback rule on its port reflects it, checksums intact, trailer readable.
    EXPECT_EQ(Reflector(LoopbackFilter()).Decide(out), "loopback");
    EXPECT_TRUE(packet::ClassifyAndReflect(absl::MakeSpan(out), *packet::ToWire(LoopbackFilter()))
                    .reflect());
    EXPECT_TRUE(pt::UdpChecksumValid(out, where.where.l3_offset, where.where.l4_offset,
                                     ipv6 ? 6 : 4));
    ExpectTrailer(*frame, out, 5, 6);

    // The marker at payload offset 0, the rest of the payload deterministic non-zero bytes.
    const size_t payload = where.where.payload_offset;
    EXPECT_EQ(frame->marker_offset(), payload);
    EXPECT_EQ(std::string(frame->marker().begin(), frame->marker().end()), kNoSignatureMarker);
    EXPECT_EQ(frame->trailer_offset(), payload + 8);
    const size_t after_trailer = payload + 18;
    EXPECT_EQ(frame->bytes()[after_trailer], static_cast<uint8_t>(0xa5 + 151 * 18));
    EXPECT_EQ(frame->bytes()[after_trailer + 1], static_cast<uint8_t>(0xa5 + 151 * 19));
    absl::StatusOr<StreamFrame> again = StreamFrame::Build(spec);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(std::vector<uint8_t>(again->bytes().begin(), again->bytes().end()),
              std::vector<uint8_t>(frame->bytes().begin(), frame->bytes().end()));
  }
}

// A [[rule]] with payload_hex at an offset, on the loopback port.
packet::FilterConfig PatternRuleFilter(std::vector<uint8_t> bytes, uint16_t offset) {
  packet::Rule rule;
  rule.name = "vendor";
  rule.dst_ports = {kLoopbackPort, kLoopbackPort};
  rule.pattern.bytes = std::move(bytes);
  rule.pattern.offset = offset;
  packet::FilterConfig filter = pt::DefaultTestFilter();
  filter.rules = {rule};
  return filter;
}

TEST(StreamFrameTest, APatternAtItsOffsetIsWhatAPayloadRuleMatches) {
  const std::vector<uint8_t> pattern = {0x53, 0x50, 0x49, 0x52};
  for (const size_t offset : {size_t{0}, size_t{10}, size_t{17}, size_t{18}, size_t{200}}) {
    StreamSpec spec = Spec(std::nullopt, 512);
    spec.addresses.dst_port = kLoopbackPort;
    spec.pattern = pattern;
    spec.pattern_offset = offset;
    absl::StatusOr<StreamFrame> frame = StreamFrame::Build(spec);
    ASSERT_TRUE(frame.ok()) << offset << ": " << frame.status();
    std::vector<uint8_t> out(frame->bytes().begin(), frame->bytes().end());
    frame->Stamp(absl::MakeSpan(out), 9, 10);

    EXPECT_EQ(Reflector(PatternRuleFilter(pattern, static_cast<uint16_t>(offset))).Decide(out),
              "vendor")
        << offset;
    EXPECT_EQ(Reflector(PatternRuleFilter(pattern, static_cast<uint16_t>(offset + 1))).Decide(out),
              "signature")
        << offset;
    // A pattern where the marker goes (its first 18 bytes) pushes marker and trailer behind it.
    const packet::Classification where =
        packet::Classify(out, *packet::ToWire(PatternRuleFilter(pattern, static_cast<uint16_t>(offset))));
    const size_t payload = where.where.payload_offset;
    EXPECT_EQ(frame->marker_offset(), payload + (offset < 18 ? offset + pattern.size() : 0))
        << offset;
    ExpectTrailer(*frame, out, 9, 10);
  }
}

TEST(StreamFrameTest, APatternBesideASignatureKeepsTheSignatureRule) {
  StreamSpec spec = Spec(Signature::kRfc2544, 128);
  spec.pattern = {0xde, 0xad};
  spec.pattern_offset = 18;  // right after the signature, pad byte and trailer
  absl::StatusOr<StreamFrame> frame = StreamFrame::Build(spec);
  ASSERT_TRUE(frame.ok()) << frame.status();
  EXPECT_EQ(frame->bytes()[frame->marker_offset() + 18], 0xde);
  EXPECT_EQ(frame->bytes()[frame->marker_offset() + 19], 0xad);
  EXPECT_EQ(Reflector(pt::DefaultTestFilter()).Decide(frame->bytes()), "rfc2544");
  // The ITO vendor header in front of the signature is free for a pattern.
  spec = Spec(Signature::kLatency, 128);
  spec.pattern = {1, 2, 3, 4, 5};
  absl::StatusOr<StreamFrame> ito = StreamFrame::Build(spec);
  ASSERT_TRUE(ito.ok()) << ito.status();
  EXPECT_EQ(Reflector(pt::DefaultTestFilter()).Decide(ito->bytes()), "latency");
}

TEST(StreamFrameTest, APatternOverTheSignatureOrTrailerOrTooDeepIsRefused) {
  for (const auto& [signature, offset, length] :
       std::vector<std::tuple<Signature, size_t, size_t>>{{Signature::kRfc2544, 0, 1},
                                                         {Signature::kRfc2544, 17, 4},
                                                         {Signature::kLatency, 3, 3},
                                                         {Signature::kLatency, 21, 1},
                                                         {Signature::kRfc2544, 1025, 1},
                                                         {Signature::kRfc2544, 100, 65}}) {
    StreamSpec spec = Spec(signature, 1500);
    spec.pattern.assign(length, 0xaa);
    spec.pattern_offset = offset;
    EXPECT_EQ(StreamFrame::Build(spec).status().code(), absl::StatusCode::kInvalidArgument)
        << offset << "+" << length;
  }
}

TEST(StreamFrameTest, SmallestFrames) {
  // 14 + 20 + 8 + 7 + 1 pad + 10 = 60 bytes, + FCS: a 64-byte RFC 2544 frame carries it all.
  EXPECT_EQ(MinFrameSize(Spec(Signature::kRfc2544, 64)), 64u);
  EXPECT_EQ(MinFrameSize(Spec(std::nullopt, 64)), 64u);
  // ITO: 5-byte vendor header + 7 signature bytes, no pad.
  EXPECT_EQ(MinFrameSize(Spec(Signature::kLatency, 64)), 68u);
  EXPECT_EQ(MinFrameSize(Spec(Signature::kLatency, 64, false, 7)), 72u);
  EXPECT_EQ(MinFrameSize(Spec(Signature::kRfc2544, 64, true)), 84u);
  // A pattern ending past the trailer sets the size.
  StreamSpec deep = Spec(std::nullopt, 64);
  deep.pattern = {1, 2, 3};
  deep.pattern_offset = 100;
  EXPECT_EQ(MinFrameSize(deep), 14u + 20 + 8 + 103 + 4);
  EXPECT_FALSE(StreamFrame::Build(deep).ok());
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
  EXPECT_FALSE(ReadTrailer(frame->bytes(), frame->marker_offset(), y1564, &fields));
  EXPECT_TRUE(ReadTrailer(frame->bytes(), frame->marker_offset(), rfc2544, &fields));
  EXPECT_FALSE(ReadTrailer(frame->bytes().subspan(0, 59), frame->marker_offset(), rfc2544,
                           &fields));
}

TEST(StreamFrameTest, DescribeStreamSaysSignatureAndPattern) {
  StreamSpec spec = Spec(std::nullopt, 128);
  EXPECT_EQ(DescribeStream(spec), "no signature");
  spec.signature = Signature::kY1564;
  spec.pattern = {0x52, 0x0a};
  spec.pattern_offset = 20;
  EXPECT_EQ(DescribeStream(spec), "Y.1564  signature, pattern 52:0a at payload offset 20");
  EXPECT_EQ(SignatureFlagName(std::nullopt), "none");
  EXPECT_EQ(SignatureFlagName(Signature::kDataOt), "dataot");
}

// A STAMP stream (--protocol=stamp, line-rate engine): a Session-Sender packet of the base
// 44 bytes that the stamp profile answers in place, whose answer carries the marker and the
// stream id where the receive counter looks (reflection_marker_offset), in every layout.
TEST(StreamFrameTest, AStampStreamIsAnsweredWithItsMarkerAndIdWhereTheCounterLooks) {
  packet::FilterConfig filter = pt::DefaultTestFilter();
  filter.profiles |= packet::ProfileBit(packet::Profile::kStamp);
  const absl::StatusOr<rf_config> config = packet::ToWire(filter);
  ASSERT_TRUE(config.ok()) << config.status();
  for (const auto& [ipv6, vlan] : {std::pair<bool, uint16_t>{false, 0}, {true, 0}, {false, 7}}) {
    StreamSpec spec = Spec(std::nullopt, 0, ipv6, vlan);
    spec.stamp = true;
    spec.addresses.dst_port = RF_STAMP_PORT;
    spec.stream_id = 0xbe2f;  // S and Z clear in its low byte
    spec.frame_size = MinFrameSize(spec);
    EXPECT_EQ(spec.frame_size, (ipv6 ? 110u : 90u) + (vlan != 0 ? 4u : 0u));
    absl::StatusOr<StreamFrame> frame = StreamFrame::Build(spec);
    ASSERT_TRUE(frame.ok()) << frame.status();
    const size_t payload = frame->udp_checksum_offset() + 2;
    EXPECT_EQ(frame->size() - payload, 44u);
    EXPECT_EQ(frame->sequence_offset(), payload);
    EXPECT_EQ(frame->marker_offset(), payload + 4);
    EXPECT_EQ(frame->reflection_marker_offset(), payload + 28);
    std::vector<uint8_t> out(frame->bytes().begin(), frame->bytes().end());
    const size_t l3 = RF_ETH_HLEN + (vlan != 0 ? RF_VLAN_HLEN : 0);
    EXPECT_TRUE(pt::UdpChecksumValid(out, l3, frame->udp_checksum_offset() - 6, ipv6 ? 6 : 4));
    packet::RuleHint hint;
    const packet::Classification verdict =
        packet::ClassifyAndReflect(absl::MakeSpan(out), *config, hint);
    ASSERT_TRUE(verdict.reflect()) << packet::VerdictName(verdict.verdict);
    EXPECT_TRUE(verdict.where.actions & RF_ACTION_STAMP);
    EXPECT_EQ(out.size(), frame->size());
    const size_t at = frame->reflection_marker_offset();
    EXPECT_EQ(std::string(out.begin() + at, out.begin() + at + RF_SIG_LEN), kStampMarker)
        << pt::HexDump(out);
    const size_t id = TrailerOffsetFor(at);  // where the counter reads the id (rx_counter.bpf.c)
    EXPECT_EQ(out[id] | out[id + 1] << 8, spec.stream_id) << pt::HexDump(out);
  }
  StreamSpec flagged = Spec(std::nullopt, 90);
  flagged.stamp = true;
  flagged.stream_id = 0x0040;  // Z: the answers' timestamps would be PTP
  EXPECT_FALSE(StreamFrame::Build(flagged).ok());
}

}  // namespace
}  // namespace reflector::tester
