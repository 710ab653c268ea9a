#include "reflector/packet/checksum.h"

#include <vector>

#include "gtest/gtest.h"

namespace reflector::packet {
namespace {

// The IPv4 header of RFC 1071's neighbour, the classic worked example (checksum 0xb861).
TEST(OnesComplement, KnownIpv4HeaderChecksum) {
  const std::vector<uint8_t> header = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
                                       0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
  EXPECT_EQ(static_cast<uint16_t>(~OnesComplementFold(OnesComplementAdd(header))), 0xb861);
  std::vector<uint8_t> with_checksum = header;
  with_checksum[10] = 0xb8;
  with_checksum[11] = 0x61;
  EXPECT_EQ(OnesComplementFold(OnesComplementAdd(with_checksum)), 0xffff);
}

TEST(OnesComplement, OddLengthPadsAndCarriesFold) {
  EXPECT_EQ(OnesComplementAdd(std::vector<uint8_t>{0x12}), 0x1200u);
  EXPECT_EQ(OnesComplementAdd(std::vector<uint8_t>{0xff, 0xff, 0xff, 0xff}), 0x1fffeu);
  EXPECT_EQ(OnesComplementFold(0x1fffe), 0xffff);
  EXPECT_EQ(OnesComplementFold(0x2fffd), 0xffff);
  EXPECT_EQ(OnesComplementAdd({}, 7), 7u);
}

}  // namespace
}  // namespace reflector::packet
