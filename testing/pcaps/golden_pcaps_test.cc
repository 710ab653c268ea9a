#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "reflector/packet/config.h"
#include "reflector/packet/packet.h"
#include "testing/lab/frame_compare.h"
#include "testing/lab/read_file.h"
#include "testing/lab/runfiles.h"
#include "testing/golden/golden_fixtures.h"
#include "testing/golden/golden_writer.h"
#include "platform/pcap/capture_file.h"
#include "reflector/engine/offline_reflect.h"

namespace reflector::testing {
namespace {

using testing::golden::GoldenFixture;
using testing::golden::GoldenFixtures;

constexpr char kRegenerate[] = "regenerate with: bazel run //tools:make_golden_pcaps";

std::string CheckedIn(const std::string& name) {
  absl::StatusOr<std::string> path = lab::RunfilePath("testing/pcaps/" + name);
  return path.ok() ? *path : "";
}

std::vector<lab::Frame> FramesOf(const std::string& path) {
  absl::StatusOr<std::vector<reflector::platform::pcap::CapturedFrame>> frames =
      reflector::platform::pcap::ReadCaptureFile(path);
  EXPECT_TRUE(frames.ok()) << frames.status();
  std::vector<lab::Frame> bytes;
  if (frames.ok()) {
    for (const auto& frame : *frames) bytes.push_back(frame.bytes);
  }
  return bytes;
}

TEST(GoldenPcapsTest, CheckedInFilesEqualFreshlyGeneratedOnes) {
  const std::string fresh = std::getenv("TEST_TMPDIR");
  std::vector<std::string> written;
  ASSERT_TRUE(testing::golden::WriteGoldenPcaps(fresh, &written).ok());
  ASSERT_GT(written.size(), 10u);
  for (const std::string& name : written) {
    SCOPED_TRACE(name);
    const std::string checked_in = CheckedIn(name);
    ASSERT_FALSE(checked_in.empty()) << "testing/pcaps/" << name << " is missing; " << kRegenerate;
    EXPECT_TRUE(lab::ReadFile(checked_in) == lab::ReadFile(absl::StrCat(fresh, "/", name)))
        << "testing/pcaps/" << name << " is stale; " << kRegenerate;
  }
}

TEST(GoldenPcapsTest, OfflineReflectionOfEachInputGivesEachExpectedOutput) {
  for (const GoldenFixture& fixture : GoldenFixtures()) {
    absl::StatusOr<std::vector<reflector::platform::pcap::CapturedFrame>> input =
        reflector::platform::pcap::ReadCaptureFile(CheckedIn(InputPcapName(fixture)));
    ASSERT_TRUE(input.ok()) << input.status();
    for (packet::Mode mode : packet::kAllModes) {
      SCOPED_TRACE(OutputPcapName(fixture, mode));
      const reflector::engine::OfflineResult result =
          reflector::engine::ReflectFrames(*input, fixture.ConfigFor(mode));
      std::vector<lab::Frame> reflected;
      for (const auto& frame : result.reflected) reflected.push_back(frame.bytes);
      const absl::Status same = lab::CompareFrameSequences(
          FramesOf(CheckedIn(OutputPcapName(fixture, mode))), reflected);
      EXPECT_TRUE(same.ok()) << same;
    }
  }
}

// Every reject reason, and every profile rule (by name) reflects some frame. vlan_id is the
// exception: only custom rules check VLAN IDs, and they are not in the flag-driven fixtures.
TEST(GoldenPcapsTest, EveryRejectReasonAndEveryProfileRuleIsCovered) {
  std::vector<bool> verdicts(packet::kVerdictCount);
  std::set<std::string> rules;
  for (const GoldenFixture& fixture : GoldenFixtures()) {
    std::vector<reflector::platform::pcap::CapturedFrame> frames;
    for (const auto& bytes : fixture.Input()) frames.push_back({absl::UnixEpoch(), bytes});
    const auto result = reflector::engine::ReflectFrames(frames, fixture.config);
    for (int v = 0; v < packet::kVerdictCount; ++v) verdicts[v] = verdicts[v] || result.verdicts[v];
    absl::StatusOr<std::vector<packet::Rule>> table = packet::RuleTable(fixture.filter);
    ASSERT_TRUE(table.ok()) << table.status();
    for (size_t r = 0; r < table->size(); ++r) {
      if (result.rules[r] > 0) rules.insert((*table)[r].name);
    }
  }
  for (int v = 0; v < packet::kClassifierVerdictCount; ++v) {
    const auto verdict = static_cast<packet::Verdict>(v);
    EXPECT_EQ(verdicts[v], verdict != packet::Verdict::kVlanId) << packet::VerdictName(verdict);
  }
  for (const char* name : {"probeot", "dataot", "latency", "rfc2544", "y1564", "loopback"}) {
    EXPECT_TRUE(rules.contains(name)) << name;
  }
}

}  // namespace
}  // namespace reflector::testing
