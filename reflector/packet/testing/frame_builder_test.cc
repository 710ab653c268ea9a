#include "reflector/packet/testing/frame_builder.h"

#include "gtest/gtest.h"

namespace reflector::packet::testing {
namespace {

// Pins the builder's default frame byte by byte, so the oracle itself is checked against
// numbers computed outside this code.
TEST(FrameBuilder, DefaultFrameIsTheDocumentedItoProbe) {
  const std::vector<uint8_t> expected = {
      // Ethernet: dst, src, IPv4
      0x02, 0x00, 0x5e, 0x10, 0x00, 0x02, 0x00, 0xc0, 0x17, 0x54, 0x05, 0x98, 0x08, 0x00,
      // IPv4: 20 + 8 + 20 = 48 bytes, id 0x1234, DF, TTL 64, UDP, checksum zeroed below
      0x45, 0x00, 0x00, 0x30, 0x12, 0x34, 0x40, 0x00, 0x40, 0x11, 0x00, 0x00, 198, 18, 0, 1,
      198, 18, 0, 2,
      // UDP 49152 -> 3842, length 28
      0xc0, 0x00, 0x0f, 0x02, 0x00, 0x1c, 0x00, 0x00,
      // ITO header, "PROBEOT", trailer
      0x09, 0x10, 0xea, 0x1d, 0x00, 'P', 'R', 'O', 'B', 'E', 'O', 'T', 0xa0, 0xa1, 0xa2, 0xa3,
      0xa4, 0xa5, 0xa6, 0xa7};
  std::vector<uint8_t> frame = FrameBuilder().Build();
  ASSERT_EQ(frame.size(), expected.size());
  // Checksums are verified separately; compare everything else.
  frame[24] = frame[25] = frame[40] = frame[41] = 0;
  EXPECT_EQ(frame, expected) << DescribeDifference(expected, frame);
}

TEST(FrameBuilder, ChecksumsVerify) {
  for (const FrameBuilder& builder :
       {FrameBuilder(), FrameBuilder().Vlan(7).Ipv4Options({1, 1, 1, 1}),
        FrameBuilder().Ipv6(kTesterIpv6, kReflectorIpv6).Custom("Y.1564 ", 3)}) {
    const std::vector<uint8_t> frame = builder.Build();
    const int version = frame[builder.l3_offset()] >> 4;
    if (version == 4) {
      EXPECT_TRUE(Ipv4HeaderChecksumValid(frame, builder.l3_offset()));
    }
    EXPECT_TRUE(UdpChecksumValid(frame, builder.l3_offset(), builder.l4_offset(), version));
    std::vector<uint8_t> corrupt = frame;
    corrupt.at(builder.l4_offset() + 9) ^= 0x40;
    EXPECT_FALSE(UdpChecksumValid(corrupt, builder.l3_offset(), builder.l4_offset(), version));
  }
}

TEST(FrameBuilder, SizesAndPadding) {
  EXPECT_EQ(FrameBuilder().FrameSize(1500).Build().size(), 1500u);
  EXPECT_EQ(FrameBuilder().Custom("RFC2544", 0).Build().size(), 60u);
  EXPECT_EQ(FrameBuilder().Ito("PROBEOT", 0).PadTo(0).Build().size(), 54u);
  EXPECT_EQ(FrameBuilder().Vlan(1).Vlan(2).l3_offset(), 22u);
}

}  // namespace
}  // namespace reflector::packet::testing
