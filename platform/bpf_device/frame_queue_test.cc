#include "platform/bpf_device/frame_queue.h"

#include <vector>

#include "gtest/gtest.h"
#include "platform/bpf_device/bpf_buffer_builder.h"
#include "reflector/packet/testing/frame_builder.h"

namespace reflector::platform::bpf_device {
namespace {

using packet::testing::FrameBuilder;

TEST(FrameQueueTest, HandsOutOneReadInBatchesWithoutCopying) {
  BpfBufferBuilder builder(kDarwinLayout);
  std::vector<std::vector<uint8_t>> sent;
  for (int i = 0; i < 150; ++i) {
    sent.push_back(FrameBuilder().FrameSize(60 + i).Build());
    builder.Add(sent.back());
  }
  std::vector<uint8_t> buffer = builder.Build();
  FrameQueue queue(kDarwinLayout, buffer.size());
  const WalkCounts counts = queue.Load(absl::MakeSpan(buffer));
  EXPECT_EQ(counts.frames, 150u);

  std::vector<Frame> batch(kBatchSize);
  std::vector<size_t> batch_sizes;
  size_t index = 0;
  while (!queue.empty()) {
    const size_t taken = queue.Take(absl::MakeSpan(batch));
    batch_sizes.push_back(taken);
    for (size_t i = 0; i < taken; ++i, ++index) {
      const Frame& frame = batch[i];
      EXPECT_GE(frame.data, buffer.data());
      EXPECT_LE(frame.data + frame.length, buffer.data() + buffer.size());
      EXPECT_EQ(std::vector<uint8_t>(frame.data, frame.data + frame.length), sent[index]);
    }
  }
  EXPECT_EQ(batch_sizes, (std::vector<size_t>{64, 64, 22}));
  EXPECT_EQ(queue.Take(absl::MakeSpan(batch)), 0u);
}

TEST(FrameQueueTest, ALoadReplacesWhatWasLeft) {
  const std::vector<uint8_t> a = FrameBuilder().Build();
  std::vector<uint8_t> first = BpfBufferBuilder(kFreeBsd64Layout).Add(a).Add(a).Add(a).Build();
  std::vector<uint8_t> second = BpfBufferBuilder(kFreeBsd64Layout).Add(a).Build();
  FrameQueue queue(kFreeBsd64Layout, first.size());
  queue.Load(absl::MakeSpan(first));
  std::vector<Frame> one(1);
  EXPECT_EQ(queue.Take(absl::MakeSpan(one)), 1u);
  queue.Load(absl::MakeSpan(second));
  std::vector<Frame> batch(kBatchSize);
  ASSERT_EQ(queue.Take(absl::MakeSpan(batch)), 1u);
  EXPECT_GE(batch[0].data, second.data());
  EXPECT_LE(batch[0].data + batch[0].length, second.data() + second.size());
  EXPECT_TRUE(queue.empty());
}

}  // namespace
}  // namespace reflector::platform::bpf_device
