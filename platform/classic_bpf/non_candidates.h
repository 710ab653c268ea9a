// Frames the candidate filter must drop, for its tests on each kernel that runs it. Every one
// is 60 bytes or more, so a veth carries it; `inline_tags` frames are as the filter sees them.
#ifndef REFLECTOR_PLATFORM_CLASSIC_BPF_NON_CANDIDATES_H_
#define REFLECTOR_PLATFORM_CLASSIC_BPF_NON_CANDIDATES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "reflector/packet/cfm.h"
#include "reflector/packet/testing/cfm_frames.h"
#include "reflector/packet/testing/frame_builder.h"

namespace reflector::platform::classic_bpf {

struct NamedFrame {
  std::string name;
  std::vector<uint8_t> frame;
};

// `extra_tags`: tags in front of the "too many tags" case beyond the two the filter takes
// inline (a Linux packet socket's filter sees one tag fewer than the wire carries).
inline std::vector<NamedFrame> NonCandidateFrames(int extra_tags = 0) {
  using packet::testing::FrameBuilder;
  using packet::testing::kReflectorIpv6;
  using packet::testing::kTesterIpv6;
  FrameBuilder too_many_tags;
  for (int tag = 1; tag <= 3 + extra_tags; ++tag) too_many_tags.Vlan(static_cast<uint16_t>(tag));
  return {
      {"arp", FrameBuilder().EtherType(0x0806).Build()},
      {"tcp", FrameBuilder().IpProtocol(6).Build()},
      {"icmpv6", FrameBuilder().Ipv6(kTesterIpv6, kReflectorIpv6).IpProtocol(58).Build()},
      {"broadcast", FrameBuilder().DstMac({0xff, 0xff, 0xff, 0xff, 0xff, 0xff}).Build()},
      {"multicast", FrameBuilder().DstMac({0x01, 0x00, 0x5e, 0, 0, 1}).Build()},
      {"too_many_tags", too_many_tags.Build()},
      {"tagged_lldp", FrameBuilder().Vlan(7).EtherType(0x88cc).Build()},
      // Multicast CFM other than a class-1 LBM: CCMs (periodic), class-2 (LTM) addresses.
      {"cfm_ccm_class1",
       packet::testing::CfmFrame({0x01, 0x80, 0xc2, 0x00, 0x00, 0x35}, {}, 5, 1, 70,
                                 std::vector<uint8_t>(70, 0))},
      {"cfm_lbm_class2",
       packet::testing::CfmFrame({0x01, 0x80, 0xc2, 0x00, 0x00, 0x3d}, {}, 5, RF_CFM_OP_LBM, 4,
                                 {0, 0, 0, 1})},
      {"cfm_lbm_other_group",
       packet::testing::CfmFrame({0x01, 0x80, 0xc2, 0x00, 0x00, 0x2f}, {}, 5, RF_CFM_OP_LBM, 4,
                                 {0, 0, 0, 1})},
  };
}

}  // namespace reflector::platform::classic_bpf

#endif  // REFLECTOR_PLATFORM_CLASSIC_BPF_NON_CANDIDATES_H_
