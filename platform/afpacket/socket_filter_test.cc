// Runs the candidate filter in the kernel without root: a socket filter works on any socket,
// and on an AF_UNIX datagram socket it sees each datagram's bytes as it would see a frame.
#include "platform/afpacket/socket_filter.h"

#include <sys/socket.h>
#include <unistd.h>

#include <vector>

#include "gtest/gtest.h"
#include "reflector/packet/testing/frame_builder.h"
#include "reflector/packet/testing/frame_table.h"

namespace reflector::platform::afpacket {
namespace {

using packet::Verdict;
using packet::testing::FrameBuilder;
using packet::testing::FrameTable;
using packet::testing::kReflectorIpv6;
using packet::testing::kTesterIpv6;

class FilteredPair {
 public:
  FilteredPair() {
    EXPECT_EQ(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, fds_), 0);
    const int size = 1 << 20;
    setsockopt(fds_[1], SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
    EXPECT_TRUE(AttachCandidateFilter(fds_[1]).ok());
  }
  ~FilteredPair() {
    close(fds_[0]);
    close(fds_[1]);
  }

  // True when the filter let `frame` through.
  bool Passes(const std::vector<uint8_t>& frame) {
    EXPECT_EQ(send(fds_[0], frame.data(), frame.size(), 0), static_cast<ssize_t>(frame.size()));
    std::vector<uint8_t> got(frame.size() + 1);
    const ssize_t n = recv(fds_[1], got.data(), got.size(), MSG_DONTWAIT);
    if (n < 0) return false;
    EXPECT_EQ(static_cast<size_t>(n), frame.size()) << "the filter must not cut frames";
    return true;
  }

 private:
  int fds_[2] = {-1, -1};
};

bool HasInlineTag(const std::vector<uint8_t>& frame) {
  return frame.size() >= 18 && ((frame[12] == 0x81 && frame[13] == 0x00) ||
                                (frame[12] == 0x88 && frame[13] == 0xa8));
}

// The kernel takes the outer tag out before a packet socket's filter runs.
std::vector<uint8_t> StripOuterTag(const std::vector<uint8_t>& frame) {
  std::vector<uint8_t> stripped(frame.begin(), frame.begin() + 12);
  stripped.insert(stripped.end(), frame.begin() + 16, frame.end());
  return stripped;
}

TEST(CandidateFilterTest, PassesEveryFrameTheClassifierReflects) {
  FilteredPair pair;
  int checked = 0;
  for (const auto& c : FrameTable()) {
    if (c.verdict != Verdict::kReflect) continue;
    ++checked;
    EXPECT_TRUE(pair.Passes(c.frame)) << c.name;
    if (HasInlineTag(c.frame)) {
      EXPECT_TRUE(pair.Passes(StripOuterTag(c.frame))) << c.name << " as a packet socket sees it";
    }
  }
  EXPECT_GT(checked, 20);
}

TEST(CandidateFilterTest, DropsWhatCannotBeATestFrame) {
  FilteredPair pair;
  const struct {
    const char* name;
    std::vector<uint8_t> frame;
  } drops[] = {
      {"arp", FrameBuilder().EtherType(0x0806).Build()},
      {"tcp", FrameBuilder().IpProtocol(6).Build()},
      {"icmpv6", FrameBuilder().Ipv6(kTesterIpv6, kReflectorIpv6).IpProtocol(58).Build()},
      {"broadcast", FrameBuilder().DstMac({0xff, 0xff, 0xff, 0xff, 0xff, 0xff}).Build()},
      {"multicast", FrameBuilder().DstMac({0x01, 0x00, 0x5e, 0, 0, 1}).Build()},
      {"three_inline_tags", FrameBuilder().Vlan(1).Vlan(2).Vlan(3).Build()},
      {"tagged_lldp", FrameBuilder().Vlan(7).EtherType(0x88cc).Build()},
      {"thirteen_bytes", std::vector<uint8_t>(13, 0x02)},
      {"cut_before_protocol", [] {
         std::vector<uint8_t> f = FrameBuilder().Build();
         f.resize(22);
         return f;
       }()},
      {"empty", {}},
  };
  for (const auto& d : drops) EXPECT_FALSE(pair.Passes(d.frame)) << d.name;
}

}  // namespace
}  // namespace reflector::platform::afpacket
