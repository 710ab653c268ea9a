#include "reflector/packet/packet.h"

#include <set>
#include <vector>

#include "gtest/gtest.h"
#include "reflector/packet/config.h"
#include "reflector/packet/testing/frame_builder.h"
#include "reflector/packet/testing/frame_table.h"

namespace reflector::packet {
namespace {

using testing::DefaultTestConfig;
using testing::DescribeDifference;
using testing::FrameBuilder;
using testing::FrameCase;
using testing::FrameTable;
using testing::HexDump;

class FrameTableTest : public ::testing::TestWithParam<FrameCase> {};
// Properties that only make sense for frames the classifier accepts.
class ReflectedFrameTest : public ::testing::TestWithParam<FrameCase> {};

std::vector<FrameCase> ReflectedCases() {
  std::vector<FrameCase> cases;
  for (const FrameCase& c : FrameTable()) {
    if (c.verdict == Verdict::kReflect) cases.push_back(c);
  }
  return cases;
}

std::string CaseName(const ::testing::TestParamInfo<FrameCase>& info) { return info.param.name; }

TEST_P(FrameTableTest, VerdictAndReflectedBytesForEveryMode) {
  const FrameCase& c = GetParam();
  const Classification result = Classify(c.frame, c.config);
  ASSERT_EQ(VerdictName(result.verdict), VerdictName(c.verdict)) << HexDump(c.frame);
  if (!result.reflect()) return;
  EXPECT_EQ(result.rule(), c.rule) << "expected rule " << c.rule_name;
  ASSERT_TRUE(c.has_builder);

  for (Mode mode : kAllModes) {
    SCOPED_TRACE(ModeName(mode));
    std::vector<uint8_t> frame = c.frame;
    ASSERT_TRUE(ReflectInPlace(absl::MakeSpan(frame), result.where, mode));
    const std::vector<uint8_t> expected = c.ExpectedReflection(mode);
    EXPECT_EQ(frame, expected) << DescribeDifference(expected, frame) << "\ngot:\n"
                               << HexDump(frame) << "\nexpected:\n"
                               << HexDump(expected);
  }

  // ClassifyAndReflect applies the matching rule's own mode and actions.
  std::vector<uint8_t> frame = c.frame;
  ASSERT_TRUE(ClassifyAndReflect(absl::MakeSpan(frame), c.config).reflect());
  const std::vector<uint8_t> expected = c.ExpectedReflection();
  EXPECT_EQ(frame, expected) << DescribeDifference(expected, frame);
}

TEST_P(ReflectedFrameTest, ReflectingTwiceRestoresTheFrame) {
  const FrameCase& c = GetParam();
  const Classification result = Classify(c.frame, c.config);
  ASSERT_TRUE(result.reflect());
  for (Mode mode : kAllModes) {
    std::vector<uint8_t> frame = c.frame;
    ASSERT_TRUE(ReflectInPlace(absl::MakeSpan(frame), result.where, mode));
    ASSERT_TRUE(ReflectInPlace(absl::MakeSpan(frame), result.where, mode));
    EXPECT_EQ(frame, c.frame) << ModeName(mode);
  }
}

TEST_P(ReflectedFrameTest, ChecksumsStillVerifyAfterReflection) {
  const FrameCase& c = GetParam();
  const Classification result = Classify(c.frame, c.config);
  ASSERT_TRUE(result.reflect());
  const auto& w = result.where;
  ASSERT_TRUE(testing::UdpChecksumValid(c.frame, w.l3_offset, w.l4_offset, w.ip_version));
  for (Mode mode : kAllModes) {
    SCOPED_TRACE(ModeName(mode));
    std::vector<uint8_t> frame = c.frame;
    ASSERT_TRUE(ReflectInPlace(absl::MakeSpan(frame), w, mode));
    if (w.ip_version == 4) {
      EXPECT_TRUE(testing::Ipv4HeaderChecksumValid(frame, w.l3_offset));
    }
    EXPECT_TRUE(testing::UdpChecksumValid(frame, w.l3_offset, w.l4_offset, w.ip_version));
  }
}

// Cutting a frame anywhere before the end of its IP packet must turn the verdict into a reject;
// cutting only Ethernet padding must not. Each cut lives in a buffer of exactly its length, so
// AddressSanitizer catches any read beyond it.
TEST_P(ReflectedFrameTest, CutFramesAreNeverReflectedAndNeverOverread) {
  const FrameCase& c = GetParam();
  const size_t unpadded = FrameBuilder(c.builder).PadTo(0).Build().size();
  for (size_t length = 0; length <= c.frame.size(); ++length) {
    std::vector<uint8_t> cut(c.frame.begin(), c.frame.begin() + length);
    cut.shrink_to_fit();
    const Classification result = Classify(cut, c.config);
    EXPECT_EQ(result.reflect(), length >= unpadded)
        << "cut at " << length << ": " << VerdictName(result.verdict);
  }
}

// The far side sees the reflection as a frame from us: with its interface MAC set to the
// tester's MAC and the source filters off, it accepts it by the same signature rule.
TEST_P(ReflectedFrameTest, FarSideAcceptsTheReflection) {
  const FrameCase& c = GetParam();
  if (!c.filter.rules.empty() || (c.filter.profiles & ProfileBit(Profile::kLoopback))) {
    GTEST_SKIP() << "address and port rules do not match the reflection, by design";
  }
  const Classification result = Classify(c.frame, c.config);
  ASSERT_TRUE(result.reflect());
  std::vector<uint8_t> frame = c.frame;
  ASSERT_TRUE(ReflectInPlace(absl::MakeSpan(frame), result.where, Mode::kAll));
  FilterConfig far = c.filter;
  for (int i = 0; i < RF_ETH_ALEN; ++i) far.interface_mac[i] = c.frame[RF_ETH_ALEN + i];
  far.ouis.clear();
  far.port = 0;
  const Classification back = Classify(frame, *ToWire(far));
  EXPECT_EQ(VerdictName(back.verdict), "reflect");
  EXPECT_EQ(back.rule(), result.rule());
}

INSTANTIATE_TEST_SUITE_P(Table, FrameTableTest, ::testing::ValuesIn(FrameTable()), CaseName);
INSTANTIATE_TEST_SUITE_P(Table, ReflectedFrameTest, ::testing::ValuesIn(ReflectedCases()),
                         CaseName);

TEST(FrameTable, CoversEveryVerdictAndEveryProfileRule) {
  std::set<Verdict> verdicts;
  std::set<std::string> rules;
  for (const FrameCase& c : FrameTable()) {
    verdicts.insert(c.verdict);
    if (c.verdict == Verdict::kReflect) rules.insert(c.rule_name);
  }
  EXPECT_EQ(verdicts.size(), static_cast<size_t>(kClassifierVerdictCount));
  for (int i = 0; i < kSignatureCount; ++i) {
    EXPECT_TRUE(rules.count(std::string(SignatureName(static_cast<Signature>(i))))) << i;
  }
  EXPECT_TRUE(rules.count("loopback"));
}

TEST(Classify, EveryEtherTypeButIpIsRejected) {
  const rf_config config = DefaultTestConfig();
  for (uint32_t type = 0; type <= 0xffff; ++type) {
    std::vector<uint8_t> frame = FrameBuilder().EtherType(static_cast<uint16_t>(type)).Build();
    const Verdict verdict = Classify(frame, config).verdict;
    if (type == RF_ETHERTYPE_IPV4) {
      EXPECT_EQ(verdict, Verdict::kReflect);
    } else if (type == RF_ETHERTYPE_VLAN || type == RF_ETHERTYPE_QINQ) {
      EXPECT_NE(verdict, Verdict::kReflect) << type;  // the IP header is read as a tag
    } else if (type == RF_ETHERTYPE_IPV6) {
      EXPECT_EQ(verdict, Verdict::kIpHeader);  // an IPv4 header under the IPv6 EtherType
    } else {
      ASSERT_EQ(verdict, Verdict::kEthertype) << type;
    }
  }
}

TEST(Classify, OnlyTheConfiguredPortIsReflected) {
  const rf_config config = DefaultTestConfig();
  for (uint32_t port = 0; port <= 0xffff; ++port) {
    const std::vector<uint8_t> frame =
        FrameBuilder().Ports(testing::kTesterPort, static_cast<uint16_t>(port)).Build();
    ASSERT_EQ(Classify(frame, config).verdict,
              port == RF_DEFAULT_PORT ? Verdict::kReflect : Verdict::kPort)
        << port;
  }
}

TEST(Classify, EveryIhlValue) {
  const rf_config config = DefaultTestConfig();
  for (uint8_t ihl = 0; ihl < 16; ++ihl) {
    std::vector<uint8_t> options(ihl >= 5 ? (ihl - 5) * 4 : 0, 0x01);
    FrameBuilder builder;
    builder.Ipv4Options(options);
    if (ihl < 5) builder.Ihl(ihl);
    const Classification result = Classify(builder.Build(), config);
    EXPECT_EQ(result.verdict, ihl < 5 ? Verdict::kIpHeader : Verdict::kReflect) << int(ihl);
    if (result.reflect()) {
      EXPECT_EQ(result.where.l4_offset, 14 + ihl * 4);
    }
  }
}

TEST(ReflectInPlace, RefusesOffsetsThatDoNotFitAndLeavesTheFrameAlone) {
  const std::vector<uint8_t> original = FrameBuilder().Build();
  const Classification result = Classify(original, DefaultTestConfig());
  ASSERT_TRUE(result.reflect());

  std::vector<uint8_t> frame = original;
  rf_result bad = result.where;
  bad.l4_offset = 200;
  EXPECT_FALSE(ReflectInPlace(absl::MakeSpan(frame), bad, Mode::kAll));
  bad = result.where;
  bad.ip_version = 5;
  EXPECT_FALSE(ReflectInPlace(absl::MakeSpan(frame), bad, Mode::kMacIp));
  EXPECT_FALSE(ReflectInPlace(absl::MakeSpan(frame), result.where, static_cast<Mode>(7)));
  bad = result.where;
  bad.mode = 3;
  EXPECT_FALSE(ReflectInPlace(absl::MakeSpan(frame), bad));
  std::vector<uint8_t> short_frame(original.begin(), original.begin() + 30);
  EXPECT_FALSE(ReflectInPlace(absl::MakeSpan(short_frame), result.where, Mode::kAll));
  EXPECT_FALSE(ReflectInPlace(absl::Span<uint8_t>(), result.where, Mode::kMac));
  EXPECT_EQ(frame, original);
}

TEST(Names, AreTheSpecNames) {
  EXPECT_EQ(VerdictName(Verdict::kReflect), "reflect");
  EXPECT_EQ(VerdictName(Verdict::kTooShort), "too_short");
  EXPECT_EQ(VerdictName(Verdict::kSrcIp), "src_ip");
  EXPECT_EQ(VerdictName(Verdict::kSignature), "signature");
  EXPECT_EQ(VerdictName(static_cast<Verdict>(99)), "unknown");
  EXPECT_EQ(SignatureText(Signature::kY1564), "Y.1564 ");
  EXPECT_EQ(SignatureName(Signature::kDataOt), "dataot");
  EXPECT_EQ(ModeName(Mode::kMacIp), "mac-ip");
}

}  // namespace
}  // namespace reflector::packet
