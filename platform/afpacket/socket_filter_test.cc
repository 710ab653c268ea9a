// Runs the candidate filter in the kernel without root: a socket filter works on any socket,
// and on an AF_UNIX datagram socket it sees each datagram's bytes as it would see a frame.
#include "platform/afpacket/socket_filter.h"

#include <sys/socket.h>
#include <unistd.h>

#include <vector>

#include "gtest/gtest.h"
#include "platform/classic_bpf/non_candidates.h"
#include "reflector/packet/cfm_responder.h"
#include "reflector/packet/testing/cfm_frames.h"
#include "reflector/packet/testing/frame_builder.h"
#include "reflector/packet/testing/frame_table.h"

namespace reflector::platform::afpacket {
namespace {

using packet::Verdict;
using packet::testing::FrameBuilder;
using packet::testing::FrameTable;

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
  // erase, not a 12-byte vector plus insert: g++ 12 -O2 takes that for an out-of-bounds copy
  // (-Werror=array-bounds).
  std::vector<uint8_t> stripped = frame;
  stripped.erase(stripped.begin() + 12, stripped.begin() + 16);
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

// Every request the Y.1731 responder answers goes up, the class-1 multicast LBM included
// (whatever --y1731_multicast_lbm says: the workers apply it), untagged and tagged.
TEST(CandidateFilterTest, PassesEveryRequestTheY1731ResponderAnswers) {
  FilteredPair pair;
  int checked = 0;
  int multicast = 0;
  for (const packet::testing::CfmCase& c : packet::testing::CfmTable()) {
    if (!packet::CfmAnswered(c.outcome)) continue;
    ++checked;
    if (c.frame[0] & 1) ++multicast;
    EXPECT_TRUE(pair.Passes(c.frame)) << c.name;
    if (HasInlineTag(c.frame)) {
      EXPECT_TRUE(pair.Passes(StripOuterTag(c.frame))) << c.name << " as a packet socket sees it";
    }
  }
  EXPECT_GT(checked, 5);
  EXPECT_GT(multicast, 0) << "the CFM table has no multicast LBM any more";
}

TEST(CandidateFilterTest, DropsWhatCannotBeATestFrame) {
  FilteredPair pair;
  std::vector<classic_bpf::NamedFrame> drops = classic_bpf::NonCandidateFrames();
  drops.push_back({"thirteen_bytes", std::vector<uint8_t>(13, 0x02)});
  std::vector<uint8_t> cut = FrameBuilder().Build();
  cut.resize(22);
  drops.push_back({"cut_before_protocol", cut});
  drops.push_back({"empty", {}});
  for (const auto& d : drops) EXPECT_FALSE(pair.Passes(d.frame)) << d.name;
}

}  // namespace
}  // namespace reflector::platform::afpacket
