#include "reflector/engine/capture/verdict_comment.h"

#include "gtest/gtest.h"
#include "reflector/packet/packet.h"
#include "reflector/packet/testing/frame_builder.h"

namespace reflector::engine::capture {
namespace {

using packet::testing::DefaultTestFilter;
using packet::testing::FrameBuilder;

packet::CompiledConfig Default() { return *packet::Compile(DefaultTestFilter()); }

// The comment for `frame` with the verdict the classifier gives it.
std::string CommentFor(const std::vector<uint8_t>& frame, const packet::CompiledConfig& config) {
  const packet::Classification result = packet::Classify(frame, config.wire);
  return VerdictComment(static_cast<uint32_t>(result.verdict), result.where.rule, frame, config);
}

TEST(VerdictCommentTest, RejectsSayWhatTheFrameHasAndWhatTheRulesWant) {
  const packet::CompiledConfig config = Default();
  EXPECT_EQ(CommentFor(FrameBuilder().SrcMac({0x00, 0x1b, 0x21, 1, 2, 3}).Build(), config),
            "rejected: oui (src 00:1b:21, allowed 00:c0:17)");
  EXPECT_EQ(CommentFor(FrameBuilder().Ports(1000, 5001).Build(), config),
            "rejected: port (dst port 5001, rules want 3842)");
  EXPECT_EQ(CommentFor(FrameBuilder().DstMac({0x02, 0, 0, 0, 0, 9}).Build(), config),
            "rejected: dst_mac (dst 02:00:00:00:00:09, interface 02:00:5e:10:00:02)");
  EXPECT_EQ(CommentFor(FrameBuilder().EtherType(0x0806).Build(), config),
            "rejected: ethertype (ethertype 0x0806)");
  EXPECT_EQ(CommentFor(FrameBuilder().Ito("NOTOURS").Build(), config),
            "rejected: signature (payload \".....NOTOURS....\")");
}

TEST(VerdictCommentTest, ReflectedFramesNameTheirRuleAndMode) {
  const packet::CompiledConfig config = Default();
  EXPECT_EQ(CommentFor(FrameBuilder().Build(), config),
            "reflected: rule probeot, mode all, tos handshake");
  EXPECT_EQ(CommentFor(FrameBuilder().SrcMac({0x02, 0, 0, 0, 0, 7}).Custom("RFC2544").Build(),
                       config),
            "reflected: rule rfc2544, mode all");
}

TEST(VerdictCommentTest, CutAndHostileFramesStayBounded) {
  const packet::CompiledConfig config = Default();
  std::vector<uint8_t> frame = FrameBuilder().Ports(1000, 5001).Build();
  for (size_t n = 0; n <= frame.size(); ++n) {
    const std::string comment = VerdictComment(RF_PORT, 0, absl::MakeConstSpan(frame.data(), n),
                                               config);
    EXPECT_LT(comment.size(), 200u);
    EXPECT_EQ(comment.rfind("rejected: port", 0), 0u) << comment;
  }
  EXPECT_EQ(VerdictComment(200, 0, frame, config), "unknown verdict 200");
  EXPECT_EQ(VerdictComment(RF_REFLECT, 31, frame, config), "reflected: rule 31");
}

}  // namespace
}  // namespace reflector::engine::capture
