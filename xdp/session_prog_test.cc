// The XDP program's per-tester session counts (session_count.h), through test runs: more
// streams than its cache has slots, so sessions keep displacing each other and move their
// counts to the table; every frame is still counted once, to its own session, and the key
// holds what the frame carries.
#include <arpa/inet.h>
#include <linux/bpf.h>

#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "gtest/gtest.h"
#include "reflector/packet/packet.h"
#include "reflector/packet/testing/frame_builder.h"
#include "testing/lab/require_root.h"
#include "xdp/loader.h"
#include "xdp/test_run.h"

namespace reflector::xdp {
namespace {

using packet::testing::DefaultTestConfig;
using packet::testing::FrameBuilder;

class SessionProgramTest : public ::testing::Test {
 protected:
  // Loads reflectord's program with `options`, set to reflect the default test frames.
  void Load(const LoadOptions& options = {}) {
    absl::StatusOr<std::unique_ptr<XdpProgram>> program = XdpProgram::Load(options);
    ASSERT_TRUE(program.ok()) << program.status();
    program_ = std::move(*program);
    ASSERT_TRUE(program_->Configure(DefaultTestConfig(), Action::kReflect).ok());
    absl::StatusOr<XdpTestRunner> runner = XdpTestRunner::Create(program_.get());
    ASSERT_TRUE(runner.ok()) << runner.status();
    runner_.emplace(std::move(*runner));
  }

  std::unique_ptr<XdpProgram> program_;
  std::optional<XdpTestRunner> runner_;
};

TEST_F(SessionProgramTest, CountsEveryFrameToItsSession) {
  REFLECTOR_REQUIRE_ROOT();
  ASSERT_NO_FATAL_FAILURE(Load());

  constexpr int kStreams = 3 * RF_SESSION_CACHE_SLOTS;
  constexpr int kRounds = 3;
  size_t frame_bytes = 0;
  for (int round = 0; round < kRounds; ++round) {
    for (int stream = 0; stream < kStreams; ++stream) {
      const std::vector<uint8_t> frame = FrameBuilder()
                                             .IpId(static_cast<uint16_t>(round))
                                             .Ports(static_cast<uint16_t>(1024 + stream), 3842)
                                             .Build();
      frame_bytes = frame.size();
      absl::StatusOr<TestRunResult> run = runner_->Run(frame);
      ASSERT_TRUE(run.ok()) << run.status();
      ASSERT_EQ(run->action, XDP_TX);
    }
  }
  absl::StatusOr<std::vector<rf_session_slot>> read = program_->ReadSessions();
  ASSERT_TRUE(read.ok()) << read.status();
  std::map<int, rf_session_counts> by_port;
  for (const rf_session_slot& entry : *read) {
    EXPECT_EQ(entry.key.ip_version, 4);
    EXPECT_EQ(ntohs(entry.key.dst_port), 3842);
    EXPECT_EQ(entry.key.src_ip[0], 198);
    by_port[ntohs(entry.key.src_port)].frames += entry.counts.frames;
    by_port[ntohs(entry.key.src_port)].bytes += entry.counts.bytes;
  }
  ASSERT_EQ(by_port.size(), static_cast<size_t>(kStreams));
  for (const auto& [port, counts] : by_port) {
    EXPECT_EQ(counts.frames, static_cast<uint64_t>(kRounds)) << port;
    EXPECT_EQ(counts.bytes, kRounds * frame_bytes) << port;
  }
}

// Streams that share one cache set, more of them than it has ways, in runs of different
// lengths and sizes: they keep taking each other's ways (the one with fewer frames), and every
// frame and byte still counts to its own session.
TEST_F(SessionProgramTest, CountsAreExactAcrossEvictionsInASet) {
  REFLECTOR_REQUIRE_ROOT();
  ASSERT_NO_FATAL_FAILURE(Load());

  const auto frame = [](uint16_t port, size_t size) {
    return FrameBuilder().Ports(port, 3842).FrameSize(size).Build();
  };
  const auto set_of = [](const std::vector<uint8_t>& bytes) {
    const packet::Classification result = packet::Classify(bytes, DefaultTestConfig());
    return rf_session_set_index(rf_session_fingerprint(
        bytes.data(), bytes.data() + bytes.size(), result.where.l3_offset,
        result.where.l4_offset, result.where.ip_version, result.where.vlan_tags,
        result.where.rule));
  };
  std::vector<uint16_t> ports = {1024};
  for (uint16_t port = 1025; ports.size() < 2 * RF_SESSION_CACHE_WAYS + 1; ++port) {
    if (set_of(frame(port, 64)) == set_of(frame(1024, 64))) ports.push_back(port);
  }
  std::map<int, rf_session_counts> sent;
  for (int round = 0; round < 12; ++round) {
    for (size_t i = 0; i < ports.size(); ++i) {
      const int run = 1 + static_cast<int>((round * 7 + i * 3) % 5);
      for (int r = 0; r < run; ++r) {
        const std::vector<uint8_t> bytes = frame(ports[i], static_cast<size_t>(64 + 8 * r));
        absl::StatusOr<TestRunResult> run_result = runner_->Run(bytes);
        ASSERT_TRUE(run_result.ok()) << run_result.status();
        ASSERT_EQ(run_result->action, XDP_TX);
        ++sent[ports[i]].frames;
        sent[ports[i]].bytes += bytes.size();
      }
    }
  }
  absl::StatusOr<std::vector<rf_session_slot>> read = program_->ReadSessions();
  ASSERT_TRUE(read.ok()) << read.status();
  std::map<int, rf_session_counts> counted;
  for (const rf_session_slot& entry : *read) {
    counted[ntohs(entry.key.src_port)].frames += entry.counts.frames;
    counted[ntohs(entry.key.src_port)].bytes += entry.counts.bytes;
  }
  ASSERT_EQ(counted.size(), ports.size());
  for (const auto& [port, counts] : counted) {
    EXPECT_EQ(counts.frames, sent[port].frames) << port;
    EXPECT_EQ(counts.bytes, sent[port].bytes) << port;
  }
}

// Loaded without sessions (LoadOptions::count_sessions, for the bench): frames are reflected
// and counted as before, no session is.
TEST_F(SessionProgramTest, OffCountsNoSessionButReflects) {
  REFLECTOR_REQUIRE_ROOT();
  LoadOptions options;
  options.count_sessions = false;
  ASSERT_NO_FATAL_FAILURE(Load(options));
  for (int stream = 0; stream < 3; ++stream) {
    absl::StatusOr<TestRunResult> run =
        runner_->Run(FrameBuilder().Ports(static_cast<uint16_t>(1024 + stream), 3842).Build());
    ASSERT_TRUE(run.ok()) << run.status();
    EXPECT_EQ(run->action, XDP_TX);
  }
  absl::StatusOr<rf_xdp_counters> counted = program_->ReadCounters();
  ASSERT_TRUE(counted.ok()) << counted.status();
  EXPECT_EQ(ReflectVerdicts(*counted), 3u);
  absl::StatusOr<std::vector<rf_session_slot>> read = program_->ReadSessions();
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_TRUE(read->empty());
}

}  // namespace
}  // namespace reflector::xdp
