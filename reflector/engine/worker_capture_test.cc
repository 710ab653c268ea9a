// A worker with a capture tap (issue 21): with capture on, every frame the selection takes is
// handed over as received (before it is reflected in place), and what the worker sends is
// exactly what it sends without capture; with capture off nothing is handed over.
#include <vector>

#include "gtest/gtest.h"
#include "platform/memory/memory_io.h"
#include "reflector/engine/capture/capture_tap.h"
#include "reflector/engine/worker.h"
#include "reflector/packet/packet.h"
#include "reflector/packet/testing/frame_builder.h"
#include "reflector/packet/testing/stamp_frames.h"

namespace reflector::engine {
namespace {

using packet::testing::DefaultTestConfig;
using packet::testing::FrameBuilder;
using platform::MemoryIo;

rf_capture_config Capture(uint32_t verdicts) {
  rf_capture_config config = {};
  config.verdicts = verdicts;
  config.rules = RF_CAPTURE_ANY_RULE;
  config.snap = RF_CAPTURE_SNAP_MAX;
  config.enabled = 1;
  return config;
}

std::vector<std::vector<uint8_t>> Frames() {
  return {FrameBuilder().Build(), FrameBuilder().Ports(1000, 5001).Build(),
          FrameBuilder().Custom("RFC2544").SrcMac({2, 0, 0, 0, 0, 7}).Build()};
}

// Runs Frames() through a worker whose tap has `capture`; returns what the worker sent and
// fills `taken` with the captured records and bytes.
std::vector<std::vector<uint8_t>> RunWith(const rf_capture_config& capture,
                                          std::vector<std::pair<rf_capture_record,
                                                                std::vector<uint8_t>>>* taken) {
  MemoryIo io;
  SharedConfig config(DefaultTestConfig());
  capture::CaptureTap tap(/*queue=*/2);
  tap.Set(capture);
  Worker worker(io, config, /*monitor=*/false, &tap);
  for (const auto& frame : Frames()) io.Inject(frame);
  EXPECT_TRUE(worker.RunBatch(absl::ZeroDuration()).ok());
  tap.Drain([&](const capture::TapSlot& slot) {
    taken->emplace_back(slot.record,
                        std::vector<uint8_t>(slot.data, slot.data + slot.record.captured));
  });
  return io.sent();
}

TEST(WorkerCaptureTest, CapturesAsReceivedAndSendsTheSame) {
  std::vector<std::pair<rf_capture_record, std::vector<uint8_t>>> without, all;
  const auto sent_without = RunWith({}, &without);
  const auto sent_with = RunWith(Capture((1u << RF_VERDICT_COUNT) - 1), &all);
  EXPECT_TRUE(without.empty());
  EXPECT_EQ(sent_with, sent_without);
  ASSERT_EQ(sent_with.size(), 2u);
  ASSERT_EQ(all.size(), 3u);
  const auto frames = Frames();
  for (size_t i = 0; i < frames.size(); ++i) {
    EXPECT_EQ(all[i].second, frames[i]) << "frame " << i << " not as received";
    EXPECT_EQ(all[i].first.queue, 2u);
    EXPECT_EQ(all[i].first.direction, RF_CAPTURE_RECEIVED);
  }
  EXPECT_EQ(all[0].first.verdict, RF_REFLECT);
  EXPECT_EQ(all[1].first.verdict, RF_PORT);
  EXPECT_EQ(all[2].first.verdict, RF_REFLECT);
  EXPECT_EQ(all[2].first.rule, 3);  // probeot, dataot, latency, rfc2544
}

// capture_sent: each reflected frame taken comes twice, as received and then as sent (what the
// worker transmitted), with the same rule; a rejected frame once.
TEST(WorkerCaptureTest, ReflectedFramesAlsoAsSent) {
  rf_capture_config capture = Capture((1u << RF_VERDICT_COUNT) - 1);
  capture.sent = 1;
  std::vector<std::pair<rf_capture_record, std::vector<uint8_t>>> taken;
  const auto sent = RunWith(capture, &taken);
  ASSERT_EQ(sent.size(), 2u);
  ASSERT_EQ(taken.size(), 5u);
  const auto frames = Frames();
  const std::vector<std::pair<size_t, uint8_t>> expected = {
      {0, RF_CAPTURE_RECEIVED}, {0, RF_CAPTURE_SENT}, {1, RF_CAPTURE_RECEIVED},
      {2, RF_CAPTURE_RECEIVED}, {2, RF_CAPTURE_SENT}};
  size_t sent_index = 0;
  for (size_t i = 0; i < expected.size(); ++i) {
    const auto& [frame, direction] = expected[i];
    EXPECT_EQ(taken[i].first.direction, direction) << i;
    EXPECT_EQ(taken[i].second,
              direction == RF_CAPTURE_SENT ? sent[sent_index++] : frames[frame])
        << i;
  }
  EXPECT_EQ(taken[1].first.verdict, RF_REFLECT);
  EXPECT_EQ(taken[4].first.rule, taken[3].first.rule);
}

// capture_sent with STAMP / TWAMP-Light answers (issue 21): the sent copy is the answer the
// worker transmitted, timestamps and all, for every case of the STAMP table it answers.
TEST(WorkerCaptureTest, StampAnswersAlsoAsSent) {
  absl::StatusOr<packet::CompiledConfig> compiled =
      packet::Compile(packet::testing::StampTestFilter());
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  rf_capture_config capture = Capture((1u << RF_VERDICT_COUNT) - 1);
  capture.sent = 1;
  size_t answered = 0;
  for (const packet::testing::StampCase& c : packet::testing::StampTable()) {
    if (c.verdict != packet::Verdict::kReflect) continue;
    SCOPED_TRACE(c.name);
    MemoryIo io;
    SharedConfig config(compiled->wire);
    capture::CaptureTap tap(/*queue=*/0);
    tap.Set(capture);
    Worker worker(io, config, /*monitor=*/false, &tap);
    io.Inject(c.frame());
    ASSERT_TRUE(worker.RunBatch(absl::ZeroDuration()).ok());
    std::vector<std::pair<rf_capture_record, std::vector<uint8_t>>> taken;
    tap.Drain([&](const capture::TapSlot& slot) {
      taken.emplace_back(slot.record,
                         std::vector<uint8_t>(slot.data, slot.data + slot.record.captured));
    });
    ASSERT_EQ(io.sent().size(), 1u);
    ASSERT_EQ(taken.size(), 2u);
    EXPECT_EQ(taken[0].first.direction, RF_CAPTURE_RECEIVED);
    EXPECT_EQ(taken[0].second, c.frame());
    EXPECT_EQ(taken[1].first.direction, RF_CAPTURE_SENT);
    EXPECT_EQ(taken[1].second, io.sent()[0]);
    EXPECT_NE(taken[1].second, c.frame());  // answered, not echoed
    ++answered;
  }
  EXPECT_GT(answered, 3u);
}

// A 14-byte TWAMP-Light sender (stamp.h): the answer, 41 bytes of payload, is longer than the
// frame. With room in the buffer the worker grows the frame and sends the answer, none of the
// buffer's stale bytes; without, the frame is a `no_room` reject, captured so, never sent.
TEST(WorkerCaptureTest, StampAnswerLongerThanTheFrameNeedsRoom) {
  absl::StatusOr<packet::CompiledConfig> compiled =
      packet::Compile(packet::testing::StampTestFilter());
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  const packet::testing::StampCase* twamp = nullptr;
  for (const packet::testing::StampCase& c : packet::testing::StampTable()) {
    if (c.name == "twamp_light_14_bytes") twamp = &c;
  }
  ASSERT_NE(twamp, nullptr);
  const std::vector<uint8_t> frame = twamp->frame();
  const packet::Classification result = packet::Classify(frame, compiled->wire);
  ASSERT_TRUE(result.reflect());
  for (const uint32_t room : {0u, 64u}) {
    SCOPED_TRACE(room);
    MemoryIo io(SIZE_MAX, room);
    SharedConfig config(compiled->wire);
    capture::CaptureTap tap(/*queue=*/0);
    tap.Set(Capture((1u << RF_VERDICT_COUNT) - 1));
    Worker worker(io, config, /*monitor=*/false, &tap);
    io.Inject(frame);
    ASSERT_TRUE(worker.RunBatch(absl::ZeroDuration()).ok());
    std::vector<rf_capture_record> taken;
    tap.Drain([&](const capture::TapSlot& slot) { taken.push_back(slot.record); });
    ASSERT_FALSE(taken.empty());
    if (room == 0) {
      EXPECT_TRUE(io.sent().empty());
      EXPECT_EQ(io.released(), 1u);
      EXPECT_EQ(taken[0].verdict, RF_NO_ROOM);
      continue;
    }
    ASSERT_EQ(io.sent().size(), 1u);
    EXPECT_EQ(taken[0].verdict, RF_REFLECT);
    const std::vector<uint8_t>& answer = io.sent()[0];
    ASSERT_EQ(answer.size(), result.where.payload_offset + 41u);
    const size_t udp = result.where.l4_offset;
    EXPECT_EQ((answer[udp + 4] << 8) | answer[udp + 5], RF_UDP_HLEN + 41);
    EXPECT_EQ(
        packet::testing::MaskStampTimes(answer, udp),
        packet::testing::MaskStampTimes(twamp->Expected(0, 0, compiled->wire.stamp_clock), udp));
  }
}

TEST(WorkerCaptureTest, OnlyTheSelection) {
  std::vector<std::pair<rf_capture_record, std::vector<uint8_t>>> rejected;
  RunWith(Capture(((1u << RF_VERDICT_COUNT) - 1) & ~(1u << RF_REFLECT)), &rejected);
  ASSERT_EQ(rejected.size(), 1u);
  EXPECT_EQ(rejected[0].first.verdict, RF_PORT);
}

}  // namespace
}  // namespace reflector::engine
