#include "platform/afpacket/frame_fixup.h"

#include <vector>

#include "gtest/gtest.h"
#include "reflector/packet/testing/frame_builder.h"
#include "reflector/packet/testing/frame_table.h"

namespace reflector::platform::afpacket {
namespace {

using packet::testing::DescribeDifference;
using packet::testing::FrameBuilder;
using packet::testing::FrameTable;
using packet::testing::kReflectorIpv6;
using packet::testing::kTesterIpv6;

// What the kernel hands a packet socket: the outer tag gone from the bytes.
std::vector<uint8_t> StripOuterTag(const std::vector<uint8_t>& frame) {
  std::vector<uint8_t> stripped(frame.begin(), frame.begin() + 12);
  stripped.insert(stripped.end(), frame.begin() + 16, frame.end());
  return stripped;
}

TEST(ReinsertVlanTagTest, RestoresEveryTaggedTableFrame) {
  int tagged = 0;
  for (const auto& c : FrameTable()) {
    if (c.frame.size() < 18) continue;
    const uint16_t tpid = static_cast<uint16_t>(c.frame[12] << 8 | c.frame[13]);
    if (tpid != 0x8100 && tpid != 0x88a8) continue;
    ++tagged;
    const uint16_t tci = static_cast<uint16_t>(c.frame[14] << 8 | c.frame[15]);
    std::vector<uint8_t> ring(kVlanTagBytes, 0xee);  // headroom, as tp_reserve leaves it
    const std::vector<uint8_t> stripped = StripOuterTag(c.frame);
    ring.insert(ring.end(), stripped.begin(), stripped.end());
    uint8_t* start = ReinsertVlanTag(ring.data() + kVlanTagBytes,
                                     static_cast<uint32_t>(stripped.size()), tpid, tci);
    EXPECT_EQ(start, ring.data());
    EXPECT_EQ(ring, c.frame) << c.name << ": " << DescribeDifference(c.frame, ring);
  }
  EXPECT_GE(tagged, 5);
}

// Replaces the UDP checksum with what a sender with checksum offload leaves there.
void MakePartial(std::vector<uint8_t>& frame, size_t l4, uint16_t partial) {
  frame[l4 + 6] = static_cast<uint8_t>(partial >> 8);
  frame[l4 + 7] = static_cast<uint8_t>(partial);
}

TEST(CompleteUdpChecksumTest, RecomputesIpv4AndIpv6WithAndWithoutTags) {
  const FrameBuilder shapes[] = {
      FrameBuilder(),
      FrameBuilder().Ipv4Options({1, 1, 1, 1}).Ito("LATENCY", 33),
      FrameBuilder().Vlan(100).Custom("RFC2544", 3),
      FrameBuilder().Vlan(10, 0x88a8).Vlan(20).Vlan(30),
      FrameBuilder().Ipv6(kTesterIpv6, kReflectorIpv6),
      FrameBuilder().Vlan(5).Ipv6(kTesterIpv6, kReflectorIpv6).FrameSize(1500),
      FrameBuilder().Ito("DATA:OT", 1),  // odd UDP length
  };
  for (const FrameBuilder& shape : shapes) {
    const std::vector<uint8_t> good = shape.Build();
    for (uint16_t partial : {0x0000, 0x1234, 0xffff}) {
      std::vector<uint8_t> frame = good;
      MakePartial(frame, shape.l4_offset(), partial);
      ASSERT_TRUE(CompleteUdpChecksum(absl::MakeSpan(frame)));
      EXPECT_EQ(frame, good) << DescribeDifference(good, frame);
    }
  }
}

std::vector<uint8_t> Cut(std::vector<uint8_t> frame, size_t length) {
  frame.resize(length);
  return frame;
}

TEST(CompleteUdpChecksumTest, LeavesOtherFramesAlone) {
  const std::vector<uint8_t> others[] = {
      FrameBuilder().IpProtocol(6).Build(),
      FrameBuilder().FragmentField(0x2000).Build(),
      FrameBuilder().EtherType(0x0806).Build(),
      FrameBuilder().IpTotalLength(1000).Build(),
      FrameBuilder().UdpLength(200).Build(),
      FrameBuilder().Vlan(1).Vlan(2).Vlan(3).Vlan(4).Build(),
      Cut(FrameBuilder().Build(), 30),
      {},
  };
  for (const auto& original : others) {
    std::vector<uint8_t> frame = original;
    EXPECT_FALSE(CompleteUdpChecksum(absl::MakeSpan(frame)));
    EXPECT_EQ(frame, original);
  }
}

}  // namespace
}  // namespace reflector::platform::afpacket
