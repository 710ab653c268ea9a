// The capture's userspace pieces together: a worker's tap, the writer thread, the sink and its
// bounds, read back with tshark as a user would.
#include "reflector/engine/capture/capture_writer.h"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "reflector/engine/capture/capture_sink.h"
#include "reflector/engine/capture/capture_tap.h"
#include "reflector/packet/packet.h"
#include "reflector/packet/testing/frame_builder.h"

namespace reflector::engine::capture {
namespace {

using ::testing::ElementsAre;
using packet::testing::DefaultTestFilter;
using packet::testing::FrameBuilder;

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return absl::StrCat(dir ? dir : "/tmp", "/", name);
}

// The comment of every packet in `path`, as tshark reads it.
std::vector<std::string> Comments(const std::string& path) {
  std::string out;
  FILE* pipe = popen(
      absl::StrCat("tshark -r ", path, " -T fields -e frame.comment 2>/dev/null").c_str(), "r");
  if (pipe == nullptr) return {};
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) out.append(buffer, n);
  pclose(pipe);
  return absl::StrSplit(out, '\n', absl::SkipEmpty());
}

rf_capture_config Everything() {
  rf_capture_config config = {};
  config.verdicts = (1u << RF_VERDICT_COUNT) - 1;
  config.rules = RF_CAPTURE_ANY_RULE;
  config.snap = 128;
  config.enabled = 1;
  return config;
}

const std::vector<uint8_t> kFrame = FrameBuilder().Build();

CaptureSources TapsOnly(CaptureTap* tap) {
  CaptureSources sources;
  sources.taps = {tap};
  return sources;
}

TEST(CaptureTapTest, AFullQueueCountsAndNeverWaits) {
  CaptureTap tap(/*queue=*/1, /*slots=*/4);
  for (int i = 0; i < 6; ++i) tap.Offer(Everything(), kFrame, RF_PORT, 0, 1000);
  EXPECT_EQ(tap.counts().taken, 4u);
  EXPECT_EQ(tap.counts().ring_full, 2u);
  std::vector<rf_capture_record> records;
  EXPECT_EQ(tap.Drain([&](const TapSlot& slot) { records.push_back(slot.record); }), 4u);
  EXPECT_EQ(records[0].queue, 1u);
  EXPECT_EQ(records[0].verdict, RF_PORT);
  EXPECT_EQ(records[0].length, kFrame.size());
  EXPECT_EQ(records[0].captured, std::min<size_t>(128, kFrame.size()));
  tap.Offer(Everything(), kFrame, RF_PORT, 0, 1000);
  EXPECT_EQ(tap.counts().taken, 5u);  // room again once drained
}

TEST(CaptureTapTest, SamplesOneInNAndBoundsEachSecond) {
  CaptureTap tap(0, 64);
  rf_capture_config config = Everything();
  config.sample = 4;
  for (int i = 0; i < 12; ++i) tap.Offer(config, kFrame, RF_OUI, 0, 5);
  EXPECT_EQ(tap.counts().taken, 3u);
  config.sample = 1;
  config.per_second = 2;
  CaptureTap bounded(0, 64);
  const uint64_t second = 1000000000;
  for (int i = 0; i < 5; ++i) bounded.Offer(config, kFrame, RF_OUI, 0, 7 * second);
  EXPECT_EQ(bounded.counts().taken, 2u);
  EXPECT_EQ(bounded.counts().limited, 3u);
  bounded.Offer(config, kFrame, RF_OUI, 0, 8 * second);
  EXPECT_EQ(bounded.counts().taken, 3u);
}

TEST(CaptureTapTest, SelectsByVerdictAndRule) {
  CaptureTap tap(0, 64);
  rf_capture_config config = Everything();
  config.verdicts = 1u << RF_REFLECT;
  config.rules = 1u << 3;
  tap.Offer(config, kFrame, RF_OUI, 0, 1);
  tap.Offer(config, kFrame, RF_REFLECT, 0, 1);
  tap.Offer(config, kFrame, RF_REFLECT, 3, 1);
  EXPECT_EQ(tap.counts().taken, 1u);
}

TEST(CaptureSinkTest, FrameBoundStopsTheFileWithOneLine) {
  CaptureOptions options;
  options.path = TempPath("bounded.pcapng");
  options.max_frames = 2;
  options.per_second = 0;
  absl::StatusOr<CaptureSink> sink = CaptureSink::Open(options, "veth0");
  ASSERT_TRUE(sink.ok()) << sink.status();
  const packet::CompiledConfig config = *packet::Compile(DefaultTestFilter());
  rf_capture_record record = {};
  record.verdict = RF_PORT;
  record.length = static_cast<uint32_t>(kFrame.size());
  for (int i = 0; i < 3; ++i) sink->Write(record, kFrame, absl::Now(), i, config);
  EXPECT_EQ(sink->stats().captured, 2u);
  EXPECT_EQ(sink->stats().dropped(), 1u);
  ASSERT_TRUE(sink->stopped().has_value());
  EXPECT_EQ(*sink->stopped(), absl::StrCat("capture: ", options.path,
                                           " holds its 2 frames (capture_frames); capture stopped"));
  EXPECT_EQ(FormatCaptureStats(sink->stats()),
            "captured 2, dropped 1 (ring full 0, rate bound 0, file bound 1)");
}

// A worker as the engine runs it: settings refreshed per batch, frames offered as classified.
void OfferAsAWorker(CaptureTap& tap, const std::vector<std::vector<uint8_t>>& frames,
                    const packet::CompiledConfig& config) {
  rf_capture_config local = {};
  uint64_t seen = 0;
  tap.Refresh(local, seen);
  for (const std::vector<uint8_t>& frame : frames) {
    const packet::Classification result = packet::Classify(frame, config.wire);
    if (local.enabled) {
      tap.Offer(local, frame, static_cast<uint32_t>(result.verdict), result.where.rule, 1);
    }
  }
}

// One worker's tap feeding a writer, under the default rules.
class CaptureWriterTest : public ::testing::Test {
 protected:
  const packet::CompiledConfig config = *packet::Compile(DefaultTestFilter());
  CaptureTap tap{0, 64};
  CaptureWriter writer{TapsOnly(&tap), "veth-r"};
};

TEST_F(CaptureWriterTest, RejectedOnlyWithTheirReasonsAndStats) {
  CaptureOptions options;
  options.path = TempPath("rejected.pcapng");
  options.select = "rejected";
  ASSERT_TRUE(writer.Apply(options, config).ok());
  OfferAsAWorker(tap,
                 {FrameBuilder().Build(), FrameBuilder().SrcMac({0x00, 0x1b, 0x21, 1, 2, 3}).Build(),
                  FrameBuilder().Build(), FrameBuilder().Ports(1000, 5001).Build()},
                 config);
  ASSERT_TRUE(writer.Apply({}, config).ok());  // stops: everything queued is written
  EXPECT_EQ(writer.stats().captured, 2u);
  EXPECT_EQ(writer.stats().dropped(), 0u);
  EXPECT_THAT(Comments(options.path),
              ElementsAre("rejected: oui (src 00:1b:21, allowed 00:c0:17)",
                          "rejected: port (dst port 5001, rules want 3842)"));
  // Stopped: the worker sees capture off at its next batch and offers nothing.
  OfferAsAWorker(tap, {FrameBuilder().Ports(1000, 5001).Build()}, config);
  EXPECT_EQ(tap.counts().taken, 2u);
}

TEST_F(CaptureWriterTest, ARuleNameSelectsItsReflectedFrames) {
  CaptureOptions options;
  options.path = TempPath("rule.pcapng");
  options.select = "rfc2544";
  ASSERT_TRUE(writer.Apply(options, config).ok());
  OfferAsAWorker(tap,
                 {FrameBuilder().Build(), FrameBuilder().Custom("RFC2544").Build(),
                  FrameBuilder().Ports(1000, 5001).Build()},
                 config);
  ASSERT_TRUE(writer.Apply({}, config).ok());
  EXPECT_THAT(Comments(options.path), ElementsAre("reflected: rule rfc2544, mode all"));
}

TEST_F(CaptureWriterTest, AnUnwritablePathIsOneLineAndLeavesCaptureOff) {
  CaptureOptions options;
  options.path = "/nonexistent-dir/x.pcapng";
  const absl::Status applied = writer.Apply(options, config);
  EXPECT_EQ(applied.message(),
            "cannot write capture /nonexistent-dir/x.pcapng: No such file or directory");
  rf_capture_config local = {};
  uint64_t seen = 0;
  tap.Refresh(local, seen);
  EXPECT_EQ(local.enabled, 0);
  options.path = "/dev/full";
  EXPECT_EQ(writer.Apply(options, config).message(),
            "cannot write capture /dev/full: No space left on device");
}

// TryOpen: the control API's check before it changes anything. It never touches the running
// capture, and a failing path leaves that capture running.
TEST_F(CaptureWriterTest, TryOpenTellsAnUnwritablePathAndLeavesTheRunningCaptureAlone) {
  CaptureOptions options;
  options.path = TempPath("running.pcapng");
  options.select = "rejected";
  ASSERT_TRUE(writer.Apply(options, config).ok());
  OfferAsAWorker(tap, {FrameBuilder().Ports(1000, 5001).Build()}, config);
  writer.Flush();
  EXPECT_TRUE(writer.TryOpen(options).ok());  // the running one: not reopened (truncated)
  CaptureOptions resampled = options;  // the same file with other limits: not reopened either
  resampled.sample = 2;
  EXPECT_TRUE(writer.TryOpen(resampled).ok());
  EXPECT_TRUE(writer.TryOpen({}).ok());
  CaptureOptions full = options;
  full.path = "/dev/full";
  EXPECT_EQ(writer.TryOpen(full).message(),
            "cannot write capture /dev/full: No space left on device");
  CaptureOptions missing = options;
  missing.path = "/nonexistent-dir/x.pcapng";
  EXPECT_EQ(writer.TryOpen(missing).message(),
            "cannot write capture /nonexistent-dir/x.pcapng: No such file or directory");
  OfferAsAWorker(tap, {FrameBuilder().Ports(1000, 5002).Build()}, config);  // still captured
  ASSERT_TRUE(writer.Apply({}, config).ok());
  EXPECT_EQ(Comments(options.path).size(), 2u);
}

TEST_F(CaptureWriterTest, TheSizeBoundStopsTheSourcesWithANotice) {
  CaptureOptions options;
  options.path = TempPath("size.pcapng");
  options.max_bytes = 400;  // the headers and one frame
  ASSERT_TRUE(writer.Apply(options, config).ok());
  const std::vector<uint8_t> rejected = FrameBuilder().Ports(1000, 5001).Build();
  OfferAsAWorker(tap, {rejected, rejected, rejected}, config);
  writer.Flush();
  EXPECT_EQ(writer.TakeNotice(),
            absl::StrCat("capture: ", options.path,
                         " reached its size bound of 400 bytes (capture_size); capture stopped"));
  EXPECT_EQ(writer.TakeNotice(), std::nullopt);  // once
  rf_capture_config local = {};
  uint64_t seen = 0;
  tap.Refresh(local, seen);
  EXPECT_EQ(local.enabled, 0) << "the sources go on taking frames for a closed file";
  ASSERT_TRUE(writer.Apply(options, config).ok());  // unchanged: stays stopped
  tap.Refresh(local, seen);
  EXPECT_EQ(local.enabled, 0);
  ASSERT_TRUE(writer.Apply({}, config).ok());
  EXPECT_EQ(writer.stats().captured, 1u);
  EXPECT_EQ(writer.stats().bounded, 2u);
  EXPECT_EQ(Comments(options.path).size(), 1u);
}

}  // namespace
}  // namespace reflector::engine::capture
