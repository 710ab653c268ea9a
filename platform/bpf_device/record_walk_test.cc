#include "platform/bpf_device/record_walk.h"

#include <cstring>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "platform/bpf_device/bpf_buffer_builder.h"
#include "reflector/packet/testing/frame_builder.h"

namespace reflector::platform::bpf_device {
namespace {

using packet::testing::FrameBuilder;

struct Walked {
  std::vector<std::vector<uint8_t>> frames;
  WalkCounts counts;
};

Walked Walk(std::vector<uint8_t>& buffer, const BpfLayout& layout) {
  Walked walked;
  walked.counts = WalkRecords(absl::MakeSpan(buffer), layout, [&](absl::Span<uint8_t> frame) {
    walked.frames.emplace_back(frame.begin(), frame.end());
  });
  return walked;
}

class RecordWalkTest : public ::testing::TestWithParam<BpfLayout> {};

TEST_P(RecordWalkTest, HandsOutEveryFrameInOrderAtAlignedOffsets) {
  const std::vector<uint8_t> a = FrameBuilder().Build();
  const std::vector<uint8_t> b = FrameBuilder().Vlan(100).FrameSize(77).Build();  // odd size
  const std::vector<uint8_t> c = FrameBuilder().Vlan(1).Vlan(2).Build();
  std::vector<uint8_t> buffer = BpfBufferBuilder(GetParam()).Add(a).Add(b).Add(c).Build();
  const Walked walked = Walk(buffer, GetParam());
  ASSERT_EQ(walked.frames.size(), 3u);
  EXPECT_EQ(walked.frames[0], a);
  EXPECT_EQ(walked.frames[1], b);
  EXPECT_EQ(walked.frames[2], c);
  EXPECT_EQ(walked.counts.frames, 3u);
  EXPECT_FALSE(walked.counts.malformed);
}

TEST_P(RecordWalkTest, TheLastRecordMayLackItsPadding) {
  const std::vector<uint8_t> b = FrameBuilder().FrameSize(77).Build();
  std::vector<uint8_t> buffer = BpfBufferBuilder(GetParam()).Add(b).Add(b).Build(false);
  ASSERT_NE(buffer.size() % GetParam().alignment, 0u);
  const Walked walked = Walk(buffer, GetParam());
  EXPECT_EQ(walked.frames.size(), 2u);
  EXPECT_FALSE(walked.counts.malformed);
}

TEST_P(RecordWalkTest, ALargerHeaderLengthIsHonoured) {
  const std::vector<uint8_t> a = FrameBuilder().Build();
  std::vector<uint8_t> buffer =
      BpfBufferBuilder(GetParam()).AddRecord(a, a.size(), /*extra_hdrlen=*/6).Add(a).Build();
  const Walked walked = Walk(buffer, GetParam());
  ASSERT_EQ(walked.frames.size(), 2u);
  EXPECT_EQ(walked.frames[0], a);
  EXPECT_EQ(walked.frames[1], a);
}

TEST_P(RecordWalkTest, SkipsZeroLengthCaptures) {
  const std::vector<uint8_t> a = FrameBuilder().Build();
  std::vector<uint8_t> buffer =
      BpfBufferBuilder(GetParam()).AddRecord({}, 60).Add(a).AddRecord({}, 0).Add(a).Build();
  const Walked walked = Walk(buffer, GetParam());
  EXPECT_EQ(walked.frames.size(), 2u);
  EXPECT_EQ(walked.counts.empty, 2u);
  EXPECT_FALSE(walked.counts.malformed);
}

TEST_P(RecordWalkTest, SkipsFramesTheSnapshotLengthCut) {
  const std::vector<uint8_t> a = FrameBuilder().Build();
  const std::vector<uint8_t> cut(a.begin(), a.begin() + 40);
  std::vector<uint8_t> buffer =
      BpfBufferBuilder(GetParam()).AddRecord(cut, a.size()).Add(a).Build();
  const Walked walked = Walk(buffer, GetParam());
  ASSERT_EQ(walked.frames.size(), 1u);
  EXPECT_EQ(walked.frames[0], a);
  EXPECT_EQ(walked.counts.truncated, 1u);
}

TEST_P(RecordWalkTest, StopsAtARecordThatStraddlesTheEnd) {
  const std::vector<uint8_t> a = FrameBuilder().Build();
  // The second record's header says caplen = a.size(), but the buffer ends 5 bytes short.
  std::vector<uint8_t> buffer = BpfBufferBuilder(GetParam()).Add(a).Add(a).Build(false);
  buffer.resize(buffer.size() - 5);
  const Walked walked = Walk(buffer, GetParam());
  EXPECT_EQ(walked.frames.size(), 1u);
  EXPECT_TRUE(walked.counts.malformed);
}

TEST_P(RecordWalkTest, StopsAtAHeaderThatStraddlesTheEnd) {
  const std::vector<uint8_t> a = FrameBuilder().Build();
  std::vector<uint8_t> buffer = BpfBufferBuilder(GetParam()).Add(a).Build();
  const std::vector<uint8_t> next = BpfBufferBuilder(GetParam()).Add(a).Build();
  buffer.insert(buffer.end(), next.begin(), next.begin() + GetParam().min_hdrlen - 1);
  const Walked walked = Walk(buffer, GetParam());
  EXPECT_EQ(walked.frames.size(), 1u);
  EXPECT_TRUE(walked.counts.malformed);
}

TEST_P(RecordWalkTest, RejectsAHeaderLengthShorterThanTheHeader) {
  const std::vector<uint8_t> a = FrameBuilder().Build();
  std::vector<uint8_t> buffer = BpfBufferBuilder(GetParam()).Add(a).Build();
  const uint16_t too_short = static_cast<uint16_t>(GetParam().min_hdrlen - 1);
  std::memcpy(buffer.data() + GetParam().hdrlen_offset, &too_short, sizeof(too_short));
  const Walked walked = Walk(buffer, GetParam());
  EXPECT_TRUE(walked.frames.empty());
  EXPECT_TRUE(walked.counts.malformed);
}

TEST_P(RecordWalkTest, AHugeCaptureLengthCannotWrapAround) {
  const std::vector<uint8_t> a = FrameBuilder().Build();
  std::vector<uint8_t> buffer = BpfBufferBuilder(GetParam()).Add(a).Build();
  const uint32_t huge = 0xfffffff0u;
  std::memcpy(buffer.data() + GetParam().caplen_offset, &huge, sizeof(huge));
  std::memcpy(buffer.data() + GetParam().datalen_offset, &huge, sizeof(huge));
  const Walked walked = Walk(buffer, GetParam());
  EXPECT_TRUE(walked.frames.empty());
  EXPECT_TRUE(walked.counts.malformed);
}

TEST_P(RecordWalkTest, AnEmptyBufferHoldsNothing) {
  std::vector<uint8_t> buffer;
  const Walked walked = Walk(buffer, GetParam());
  EXPECT_TRUE(walked.frames.empty());
  EXPECT_FALSE(walked.counts.malformed);
}

TEST(WordAlignTest, RoundsUpToTheAlignment) {
  EXPECT_EQ(WordAlign(0, 4), 0u);
  EXPECT_EQ(WordAlign(1, 4), 4u);
  EXPECT_EQ(WordAlign(18 + 60, 4), 80u);
  EXPECT_EQ(WordAlign(26 + 60, 8), 88u);
  EXPECT_EQ(WordAlign(88, 8), 88u);
}

INSTANTIATE_TEST_SUITE_P(Layouts, RecordWalkTest,
                         ::testing::Values(kDarwinLayout, kFreeBsd64Layout),
                         [](const auto& info) {
                           return std::string(info.param.alignment == 4 ? "darwin" : "freebsd64");
                         });

}  // namespace
}  // namespace reflector::platform::bpf_device
