// The candidate filter in a kernel that runs it on real traffic: attached with SO_ATTACH_FILTER
// to a packet socket on the lab's reflector end (Linux runs classic BPF with the semantics of
// the BSD BPF device, which gets the same program through BIOCSETF), with every frame of the
// packet library's table sent from the tester end. Each frame is followed by a sentinel the
// filter passes, so "dropped" is decided by order, not by waiting: what arrives before the
// sentinel passed.
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sys/socket.h>

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "platform/afpacket/socket_filter.h"
#include "platform/classic_bpf/non_candidates.h"
#include "reflector/base/unique_fd.h"
#include "reflector/packet/packet.h"
#include "reflector/packet/testing/cfm_frames.h"
#include "reflector/packet/testing/frame_builder.h"
#include "reflector/packet/testing/frame_table.h"
#include "testing/lab/netns.h"
#include "testing/lab/reflector_lab.h"
#include "testing/lab/require_root.h"

namespace reflector::platform::classic_bpf {
namespace {

using packet::Verdict;
using packet::testing::FrameBuilder;
using testing::lab::End;

constexpr absl::Duration kArrival = absl::Seconds(5);

// The frame as a Linux packet socket sees it: the kernel moved the outer tag to metadata.
std::vector<uint8_t> AsPacketSocketSeesIt(const std::vector<uint8_t>& frame) {
  const bool tagged = frame.size() >= 18 && ((frame[12] == 0x81 && frame[13] == 0x00) ||
                                             (frame[12] == 0x88 && frame[13] == 0xa8));
  if (!tagged) return frame;
  std::vector<uint8_t> stripped(frame.begin(), frame.begin() + 12);
  stripped.insert(stripped.end(), frame.begin() + 16, frame.end());
  return stripped;
}

class FilteredSocket {
 public:
  // A packet socket on `interface` of the current namespace, with the candidate filter.
  static absl::StatusOr<FilteredSocket> Open(const std::string& interface) {
    UniqueFd fd(socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL)));
    if (fd.get() < 0) return absl::InternalError("socket(AF_PACKET)");
    // The filter goes on before the bind: no unfiltered frame gets queued in between.
    if (absl::Status attached = afpacket::AttachCandidateFilter(fd.get()); !attached.ok()) {
      return attached;
    }
    sockaddr_ll address = {};
    address.sll_family = AF_PACKET;
    address.sll_protocol = htons(ETH_P_ALL);
    address.sll_ifindex = static_cast<int>(if_nametoindex(interface.c_str()));
    if (bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
      return absl::InternalError(absl::StrCat("bind to ", interface));
    }
    return FilteredSocket(std::move(fd));
  }

  // The next frame, or nullopt after `timeout`.
  std::optional<std::vector<uint8_t>> Next(absl::Duration timeout) {
    timeval tv = absl::ToTimeval(timeout);
    setsockopt(fd_.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    std::vector<uint8_t> frame(65536);
    const ssize_t n = recv(fd_.get(), frame.data(), frame.size(), 0);
    if (n < 0) return std::nullopt;
    frame.resize(n);
    return frame;
  }

 private:
  explicit FilteredSocket(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
};

class CandidateFilterLabTest : public ::testing::Test {
 protected:
  void SetUp() override {
    REFLECTOR_REQUIRE_ROOT();
    absl::StatusOr<std::unique_ptr<testing::lab::ReflectorLab>> lab =
        testing::lab::ReflectorLab::Create();
    ASSERT_TRUE(lab.ok()) << lab.status();
    lab_ = *std::move(lab);
    absl::StatusOr<testing::lab::NetnsEntry> inside = lab_->Enter(End::kReflector);
    ASSERT_TRUE(inside.ok()) << inside.status();
    absl::StatusOr<FilteredSocket> socket = FilteredSocket::Open(lab_->reflector_if());
    ASSERT_TRUE(socket.ok()) << socket.status();
    socket_.emplace(*std::move(socket));
  }

  // Sends `frame` and then the sentinel; returns whether `frame` came through the filter
  // (and checks it came whole). Frames from elsewhere (the tester kernel's neighbour
  // discovery) the filter drops: they are multicast or not UDP.
  bool Passes(const std::vector<uint8_t>& frame, const std::string& name) {
    EXPECT_TRUE(lab_->Send(frame).ok()) << name;
    EXPECT_TRUE(lab_->Send(sentinel_).ok());
    bool passed = false;
    while (true) {
      std::optional<std::vector<uint8_t>> got = socket_->Next(kArrival);
      if (!got) {
        ADD_FAILURE() << name << ": the sentinel did not arrive";
        return passed;
      }
      if (*got == AsPacketSocketSeesIt(sentinel_)) return passed;
      EXPECT_EQ(*got, AsPacketSocketSeesIt(frame)) << name << ": something else came through";
      passed = true;
    }
  }

  std::unique_ptr<testing::lab::ReflectorLab> lab_;
  std::optional<FilteredSocket> socket_;
  const std::vector<uint8_t> sentinel_ = FrameBuilder().Ports(9, 9).Ito("SENTINL").Build();
};

TEST_F(CandidateFilterLabTest, PassesEveryTableFrameTheClassifierReflects) {
  int checked = 0;
  for (const packet::testing::FrameCase& c : packet::testing::FrameTable()) {
    // A veth carries 14 to 1514 bytes (1518 with a tag).
    if (c.verdict != Verdict::kReflect || c.frame.size() < 14 || c.frame.size() > 1514) continue;
    ++checked;
    EXPECT_TRUE(Passes(c.frame, c.name)) << c.name;
  }
  EXPECT_GT(checked, 20);
}

// The Y.1731 responder's requests (EtherType 0x8902) to this MAC, untagged and tagged.
TEST_F(CandidateFilterLabTest, PassesUnicastCfmFrames) {
  int checked = 0;
  for (const packet::testing::CfmCase& c : packet::testing::CfmTable()) {
    if (c.frame[0] & 1 || c.frame.size() < 60 || c.frame.size() > 1514) continue;
    ++checked;
    EXPECT_TRUE(Passes(c.frame, c.name)) << c.name;
  }
  EXPECT_GT(checked, 20);
}

// The class-1 multicast LBM (01:80:C2:00:00:3x), which the workers answer when
// --y1731_multicast_lbm is on.
TEST_F(CandidateFilterLabTest, PassesClassOneMulticastLbm) {
  int checked = 0;
  for (const packet::testing::CfmCase& c : packet::testing::CfmTable()) {
    if (!(c.frame[0] & 1) || c.frame.size() < 60 || c.frame.size() > 1514) continue;
    const size_t h = packet::testing::CfmHeaderOffset(c.frame);
    if (h + 2 > c.frame.size() || c.frame[h + 1] != RF_CFM_OP_LBM) continue;
    if (c.frame[5] < 0x30 || c.frame[5] > 0x37) continue;
    ++checked;
    EXPECT_TRUE(Passes(c.frame, c.name)) << c.name;
  }
  EXPECT_GT(checked, 0);
}

TEST_F(CandidateFilterLabTest, DropsWhatCannotBeATestFrame) {
  // The kernel takes one tag out before the filter runs: one more makes too many.
  for (const NamedFrame& d : NonCandidateFrames(/*extra_tags=*/1)) {
    EXPECT_FALSE(Passes(d.frame, d.name)) << d.name;
  }
}

}  // namespace
}  // namespace reflector::platform::classic_bpf
