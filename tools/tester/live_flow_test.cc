#include "tools/tester/live_flow.h"

#include <vector>

#include "gtest/gtest.h"
#include "tools/tester/stream_frame.h"
#include "tools/tester/trailer.h"

namespace reflector::tester {
namespace {

StreamSpec Spec(bool ipv6, uint16_t vlan, uint16_t src_port) {
  StreamSpec spec;
  spec.addresses.src_mac = {0x00, 0xc0, 0x17, 0x00, 0x00, 0x01};
  spec.addresses.dst_mac = {0x02, 0x00, 0x5e, 0x10, 0x00, 0x02};
  spec.addresses.ipv6 = ipv6;
  spec.addresses.src4 = {198, 18, 0, 1};
  spec.addresses.dst4 = {198, 18, 0, 2};
  spec.addresses.src6 = {0x20, 0x01, 0x00, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  spec.addresses.dst6 = {0x20, 0x01, 0x00, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
  spec.addresses.src_port = src_port;
  spec.addresses.vlan_id = vlan;
  spec.frame_size = 128;
  spec.stream_id = 0x1234;
  return spec;
}

// Shifting the template's port gives exactly the frame built for that port, checksum included:
// the program's flows are valid test frames.
TEST(LiveFlowTest, AShiftedPortIsTheFrameBuiltForThatPort) {
  for (const bool ipv6 : {false, true}) {
    for (const uint16_t vlan : {0, 100}) {
      for (const uint16_t base : {1024, 50000, 65000}) {
        const absl::StatusOr<StreamFrame> frame = StreamFrame::Build(Spec(ipv6, vlan, base));
        ASSERT_TRUE(frame.ok()) << frame.status();
        const size_t udp = frame->udp_checksum_offset() - 6;
        for (uint16_t k = 0; k < ITO_TESTER_TX_MAX_FLOWS; ++k) {
          SCOPED_TRACE(testing::Message()
                       << "ipv6 " << ipv6 << " vlan " << vlan << " port " << base << " + " << k);
          std::vector<uint8_t> shifted(frame->bytes().begin(), frame->bytes().end());
          ito_tester_shift_source_port(shifted.data() + udp, k);
          const absl::StatusOr<StreamFrame> expected =
              StreamFrame::Build(Spec(ipv6, vlan, static_cast<uint16_t>(base + k)));
          ASSERT_TRUE(expected.ok()) << expected.status();
          ASSERT_EQ(shifted,
                    std::vector<uint8_t>(expected->bytes().begin(), expected->bytes().end()));
        }
      }
    }
  }
}

// The program's sequence stamp gives exactly the frame the precise sender stamps with that
// sequence (and time 0), checksum included, also on a page that held an earlier frame's number.
TEST(LiveFlowTest, AStampedSequenceIsTheFrameStampedWithIt) {
  for (const bool ipv6 : {false, true}) {
    for (const uint16_t vlan : {0, 100}) {
      const absl::StatusOr<StreamFrame> frame = StreamFrame::Build(Spec(ipv6, vlan, 50000));
      ASSERT_TRUE(frame.ok()) << frame.status();
      const size_t udp = frame->udp_checksum_offset() - 6;
      const size_t field = frame->trailer_offset() + ITO_TESTER_SEQUENCE_OFFSET;
      for (const uint32_t sequence : {0u, 1u, 0xffffu, 0x10000u, 0x12345678u, 0xffffffffu}) {
        SCOPED_TRACE(testing::Message() << "ipv6 " << ipv6 << " vlan " << vlan << " seq "
                                        << sequence);
        std::vector<uint8_t> stamped(frame->bytes().begin(), frame->bytes().end());
        for (int i = 0; i < 4; ++i) stamped[field + i] = 0xa5;  // an earlier frame's number
        ito_tester_stamp_sequence(stamped.data() + udp, stamped.data() + field, sequence);
        std::vector<uint8_t> expected(frame->bytes().begin(), frame->bytes().end());
        frame->Stamp(absl::MakeSpan(expected), sequence, 0);
        ASSERT_EQ(stamped, expected);
      }
    }
  }
}

TEST(LiveFlowTest, NoChecksumStaysNone) {
  std::vector<uint8_t> udp = {0x9c, 0x40, 0x0f, 0x02, 0x00, 0x10, 0x00, 0x00};
  ito_tester_shift_source_port(udp.data(), 3);
  EXPECT_EQ(udp, (std::vector<uint8_t>{0x9c, 0x43, 0x0f, 0x02, 0x00, 0x10, 0x00, 0x00}));
}

}  // namespace
}  // namespace reflector::tester
