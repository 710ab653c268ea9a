#include "testing/lab/frame_compare.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "reflector/packet/testing/frame_builder.h"
#include "testing/lab/host_traffic.h"

namespace reflector::testing::lab {
namespace {

using packet::Mode;
using packet::testing::FrameBuilder;
using ::testing::HasSubstr;

TEST(DescribeFrameDifferenceTest, EqualFramesHaveNoDifference) {
  const Frame frame = FrameBuilder().Build();
  EXPECT_EQ(DescribeFrameDifference(frame, frame), "");
}

TEST(DescribeFrameDifferenceTest, NamesTheIpv4AddressField) {
  const Frame expected = FrameBuilder().Reflected(Mode::kAll).Build();
  const Frame got = FrameBuilder().Reflected(Mode::kMac).Build();
  EXPECT_EQ(DescribeFrameDifference(expected, got),
            "IPv4 source address (byte 26): expected 198.18.0.2, got 198.18.0.1");
}

TEST(DescribeFrameDifferenceTest, NamesTagsPortsAndIpv6) {
  EXPECT_THAT(DescribeFrameDifference(FrameBuilder().Vlan(100).Build(),
                                      FrameBuilder().Vlan(101).Build()),
              HasSubstr("VLAN tag 1 TCI (byte 14): expected 0x0064, got 0x0065"));
  EXPECT_THAT(DescribeFrameDifference(FrameBuilder().Ports(1, 3842).Build(),
                                      FrameBuilder().Ports(2, 3842).Build()),
              HasSubstr("UDP source port (byte 34): expected 1, got 2"));
  using packet::testing::kReflectorIpv6;
  using packet::testing::kTesterIpv6;
  EXPECT_THAT(DescribeFrameDifference(FrameBuilder().Ipv6(kTesterIpv6, kReflectorIpv6).Build(),
                                      FrameBuilder().Ipv6(kReflectorIpv6, kTesterIpv6).Build()),
              HasSubstr("IPv6 source address (byte 22): expected 2001:2:0:0:0:0:0:1, got "
                        "2001:2:0:0:0:0:0:2"));
}

TEST(DescribeFrameDifferenceTest, ReportsLengthAndPayload) {
  const Frame frame = FrameBuilder().PadTo(70).Build();
  EXPECT_EQ(DescribeFrameDifference(frame, Frame(frame.begin(), frame.begin() + 64)),
            "length: expected 70 bytes, got 64 (equal up to there)");
  // Without a UDP checksum the signature itself is the first difference.
  EXPECT_EQ(DescribeFrameDifference(FrameBuilder().UdpChecksum(false).Ito("PROBEOT").Build(),
                                    FrameBuilder().UdpChecksum(false).Ito("LATENCY").Build()),
            "UDP payload byte 5 (byte 47): expected 0x50, got 0x4c");
}

TEST(CompareFrameSequencesTest, GivesIndexOfFirstDifferenceOrMissingFrame) {
  const Frame a = FrameBuilder().Build();
  const Frame b = FrameBuilder().Ttl(9).Build();
  EXPECT_TRUE(CompareFrameSequences({a, b}, {a, b}).ok());
  EXPECT_THAT(std::string(CompareFrameSequences({a, b}, {b, a}).message()),
              HasSubstr("frame 0 of 2: IPv4 TTL (byte 22): expected 64, got 9"));
  EXPECT_THAT(std::string(CompareFrameSequences({a, b}, {a}).message()),
              HasSubstr("expected 2 frames, got 1; the first missing is frame 1"));
  EXPECT_THAT(std::string(CompareFrameSequences({a}, {a, a}).message()),
              HasSubstr("the first extra is frame 1"));
}

TEST(CompareFrameMultisetsTest, IgnoresOrderButNotDuplicates) {
  const Frame a = FrameBuilder().Build();
  const Frame b = FrameBuilder().Ttl(9).Build();
  EXPECT_TRUE(CompareFrameMultisets({a, b}, {b, a}).ok());
  EXPECT_THAT(std::string(CompareFrameMultisets({a, b}, {a, b, b}).message()),
              HasSubstr("was not expected"));
  EXPECT_THAT(std::string(CompareFrameMultisets({a, b}, {a}).message()),
              HasSubstr("expected frame 1"));
}

TEST(CouldBeReflectionTest, OnlyUnicastUdp) {
  EXPECT_TRUE(CouldBeReflection(FrameBuilder().Vlan(1).Vlan(2).Build()));
  EXPECT_TRUE(CouldBeReflection(FrameBuilder().Ipv6(packet::testing::kTesterIpv6,
                                                    packet::testing::kReflectorIpv6)
                                    .Build()));
  EXPECT_FALSE(CouldBeReflection(FrameBuilder().IpProtocol(1).Build()));
  EXPECT_FALSE(CouldBeReflection(FrameBuilder().EtherType(0x0806).Build()));
  EXPECT_FALSE(CouldBeReflection(FrameBuilder().DstMac({0x33, 0x33, 0, 0, 0, 0x16}).Build()));
  EXPECT_FALSE(CouldBeReflection(Frame(10, 0)));
}

}  // namespace
}  // namespace reflector::testing::lab
