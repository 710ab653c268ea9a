// The XDP program's capture (issue 21), run in-process over the frame table: with capture on,
// every frame the selection takes comes out of the ring once, as received, with the verdict
// the classifier gave it; frames it does not take, and every frame with capture off, never.
#include <bpf/libbpf.h>
#include <sched.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <set>
#include <vector>

#include "gtest/gtest.h"
#include "reflector/packet/packet.h"
#include "reflector/packet/testing/frame_table.h"
#include "reflector/packet/testing/stamp_frames.h"
#include "testing/lab/require_root.h"
#include "xdp/loader.h"
#include "xdp/test_run.h"

namespace reflector::xdp {
namespace {

using packet::Verdict;
using packet::testing::FrameCase;
using packet::testing::FrameTable;

struct Record {
  rf_capture_record header;
  std::vector<uint8_t> bytes;
};

int OnRecord(void* context, void* data, size_t size) {
  auto* records = static_cast<std::vector<Record>*>(context);
  Record record;
  if (size < sizeof(record.header)) return -1;
  std::memcpy(&record.header, data, sizeof(record.header));
  const auto* bytes = static_cast<const uint8_t*>(data) + sizeof(record.header);
  record.bytes.assign(bytes, bytes + (size - sizeof(record.header)));
  records->push_back(std::move(record));
  return 0;
}

class CaptureProgramTest : public ::testing::Test {
 protected:
  void SetUp() override {
    REFLECTOR_REQUIRE_ROOT();
    absl::StatusOr<std::unique_ptr<XdpProgram>> loaded = XdpProgram::Load();
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    program_ = *std::move(loaded);
    ring_ = ring_buffer__new(program_->capture_ring_fd(), OnRecord, &records_, nullptr);
    ASSERT_NE(ring_, nullptr);
  }
  void TearDown() override {
    if (ring_ != nullptr) ring_buffer__free(ring_);
  }

  // See its definition.
  void ExpectRateBoundCountsOnlySampled(bool guard);

  // Runs `c` and returns the records it put in the ring.
  std::vector<Record> Run(const FrameCase& c, Action action) {
    records_.clear();
    EXPECT_TRUE(program_->Configure(c.config, action).ok());
    absl::StatusOr<XdpTestRunner> runner = XdpTestRunner::Create(program_.get());
    EXPECT_TRUE(runner.ok()) << runner.status();
    EXPECT_TRUE(runner->Run(c.frame).ok());
    ring_buffer__consume(ring_);
    return records_;
  }

  std::unique_ptr<XdpProgram> program_;
  ring_buffer* ring_ = nullptr;
  std::vector<Record> records_;
};

rf_capture_config Everything(uint16_t snap) {
  rf_capture_config capture = {};
  capture.verdicts = (1u << RF_VERDICT_COUNT) - 1;
  capture.rules = RF_CAPTURE_ANY_RULE;
  capture.snap = snap;
  capture.enabled = 1;
  return capture;
}

TEST_F(CaptureProgramTest, EveryFrameOnceAsReceivedWithItsVerdict) {
  program_->ConfigureCapture(Everything(64));
  size_t runs = 0;
  for (const FrameCase& c : FrameTable()) {
    if (c.frame.size() < kMinTestRunFrame || c.frame.size() > 3000) continue;
    const std::vector<Record> records = Run(c, Action::kReflect);
    ASSERT_EQ(records.size(), 1u) << c.name;
    const rf_capture_record& header = records[0].header;
    EXPECT_EQ(header.verdict, static_cast<uint8_t>(c.verdict)) << c.name;
    if (c.verdict == Verdict::kReflect) {
      EXPECT_EQ(header.rule, c.rule) << c.name;
    }
    EXPECT_EQ(header.length, c.frame.size()) << c.name;
    EXPECT_EQ(header.direction, RF_CAPTURE_RECEIVED);
    const size_t captured = std::min<size_t>(64, c.frame.size());
    EXPECT_EQ(header.captured, captured) << c.name;
    EXPECT_EQ(records[0].bytes,
              std::vector<uint8_t>(c.frame.begin(), c.frame.begin() + captured))
        << c.name << ": not the frame as received";
    ++runs;
  }
  EXPECT_GT(runs, 50u);
  absl::StatusOr<rf_capture_state> state = program_->ReadCaptureState();
  ASSERT_TRUE(state.ok()) << state.status();
  EXPECT_EQ(state->taken, runs);
  EXPECT_EQ(state->ring_full, 0u);
}

// With the guard on (the default with datapath xdp) nothing classifies a frame up front:
// rejected frames are captured where they are counted, reflected ones by the guard. Each frame
// is still captured exactly once, as received, with its verdict.
TEST_F(CaptureProgramTest, EveryFrameOnceWithTheGuardOn) {
  program_->ConfigureCapture(Everything(64));
  size_t runs = 0;
  std::set<std::vector<uint8_t>> seen;  // a frame sent twice would be a loop
  for (FrameCase c : FrameTable()) {
    if (c.frame.size() < kMinTestRunFrame || c.frame.size() > 3000) continue;
    if (!seen.insert(c.frame).second) continue;
    c.config.guard.loop_window_ticks = 1;  // on
    const std::vector<Record> records = Run(c, Action::kReflect);
    ASSERT_EQ(records.size(), 1u) << c.name;
    EXPECT_EQ(records[0].header.verdict, static_cast<uint8_t>(c.verdict)) << c.name;
    EXPECT_EQ(records[0].header.direction, RF_CAPTURE_RECEIVED);
    const size_t captured = std::min<size_t>(64, c.frame.size());
    EXPECT_EQ(records[0].bytes,
              std::vector<uint8_t>(c.frame.begin(), c.frame.begin() + captured))
        << c.name << ": not the frame as received";
    ++runs;
  }
  EXPECT_GT(runs, 50u);
}

TEST_F(CaptureProgramTest, OnlyTheSelectedVerdictsAndNothingWhenOff) {
  rf_capture_config rejected = Everything(RF_CAPTURE_SNAP_MAX);
  rejected.verdicts &= ~(1u << RF_REFLECT);
  for (const FrameCase& c : FrameTable()) {
    if (c.frame.size() < kMinTestRunFrame || c.frame.size() > 3000) continue;
    program_->ConfigureCapture(rejected);
    const bool reflect = c.verdict == Verdict::kReflect;
    EXPECT_EQ(Run(c, Action::kReflect).size(), reflect ? 0u : 1u) << c.name;
    // afxdp: the workers capture what they reflect, the program only what it rejects.
    program_->ConfigureCapture(Everything(64));
    EXPECT_EQ(Run(c, Action::kRedirect).size(), reflect ? 0u : 1u) << c.name;
    program_->ConfigureCapture({});
    EXPECT_EQ(Run(c, Action::kReflect).size(), 0u) << c.name;
  }
}

// Where the program's guard stage runs (guard.h), a frame the classifier would reflect gets
// the guard's verdict in the capture: `lease`, `loop`, `rate_limited`, or reflected.
TEST_F(CaptureProgramTest, GuardedFramesCarryTheGuardsVerdict) {
  program_->ConfigureCapture(Everything(64));
  const FrameCase* found = nullptr;
  for (const FrameCase& c : FrameTable()) {
    if (c.verdict == Verdict::kReflect && c.frame.size() >= kMinTestRunFrame) {
      found = &c;
      break;
    }
  }
  ASSERT_NE(found, nullptr);
  FrameCase c = *found;
  const auto verdict_of = [&](const FrameCase& run) -> int {
    const std::vector<Record> records = Run(run, Action::kReflect);
    EXPECT_EQ(records.size(), 1u);
    return records.empty() ? -1 : records[0].header.verdict;
  };
  c.config.guard.loop_window_ticks = 1000;  // about a second
  EXPECT_EQ(verdict_of(c), RF_REFLECT);
  EXPECT_EQ(verdict_of(c), RF_LOOP);  // the same bytes again
  c.config.guard.loop_window_ticks = 0;
  c.config.guard.flags = RF_GUARD_LEASE_EXPIRED;
  EXPECT_EQ(verdict_of(c), RF_LEASE);
  c.config.guard.flags = RF_GUARD_RATE_CAPS;
  c.config.guard.global.all.frame_cost = uint64_t{3600'000'000'000} << RF_RATE_SHIFT;  // 1/hour
  EXPECT_EQ(verdict_of(c), RF_REFLECT);
  EXPECT_EQ(verdict_of(c), RF_RATE_LIMITED);
  // With reflected frames left out of the selection, the guard's drops are still captured.
  rf_capture_config rejected = Everything(64);
  rejected.verdicts &= ~(1u << RF_REFLECT);
  program_->ConfigureCapture(rejected);
  EXPECT_EQ(verdict_of(c), RF_RATE_LIMITED);
  // And the loop guard's, where a frame the guard passes takes the fast path
  // (rf_xdp_reflect_taken): the frame is in the guard's table from the runs above, so this
  // run is a repeat.
  c.config.guard = {};
  c.config.guard.loop_window_ticks = 1000;
  EXPECT_EQ(verdict_of(c), RF_LOOP);
}

// capture_sent: a reflected frame taken also comes out as sent (the program's XDP_TX output),
// right after its received copy; a rejected one only as received.
TEST_F(CaptureProgramTest, ReflectedFramesAlsoAsSent) {
  rf_capture_config capture = Everything(RF_CAPTURE_SNAP_MAX);
  capture.sent = 1;
  program_->ConfigureCapture(capture);
  size_t reflected = 0;
  for (const FrameCase& c : FrameTable()) {
    if (c.frame.size() < kMinTestRunFrame || c.frame.size() > RF_CAPTURE_SNAP_MAX) continue;
    const std::vector<Record> records = Run(c, Action::kReflect);
    if (c.verdict != Verdict::kReflect) {
      ASSERT_EQ(records.size(), 1u) << c.name;
      continue;
    }
    ASSERT_EQ(records.size(), 2u) << c.name;
    EXPECT_EQ(records[0].header.direction, RF_CAPTURE_RECEIVED) << c.name;
    EXPECT_EQ(records[0].bytes, c.frame) << c.name;
    EXPECT_EQ(records[1].header.direction, RF_CAPTURE_SENT) << c.name;
    EXPECT_EQ(records[1].header.verdict, RF_REFLECT) << c.name;
    EXPECT_EQ(records[1].header.rule, c.rule) << c.name;
    EXPECT_EQ(records[1].bytes, ExpectRun(c.frame, c.config, Action::kReflect).frame) << c.name;
    ++reflected;
  }
  EXPECT_GT(reflected, 10u);
}

// capture_sent with STAMP / TWAMP-Light answers (rf_xdp_stamp): the sent copy is the answer
// the program sent, timestamps and all.
TEST_F(CaptureProgramTest, StampAnswersAlsoAsSent) {
  absl::StatusOr<packet::CompiledConfig> compiled =
      packet::Compile(packet::testing::StampTestFilter());
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  rf_capture_config capture = Everything(RF_CAPTURE_SNAP_MAX);
  capture.sent = 1;
  ASSERT_TRUE(program_->Configure(compiled->wire, Action::kReflect).ok());
  program_->ConfigureCapture(capture);
  size_t answered = 0;
  for (const packet::testing::StampCase& c : packet::testing::StampTable()) {
    const std::vector<uint8_t> frame = c.frame();
    if (c.verdict != Verdict::kReflect || frame.size() < kMinTestRunFrame) continue;
    SCOPED_TRACE(c.name);
    records_.clear();
    absl::StatusOr<XdpTestRunner> runner = XdpTestRunner::Create(program_.get());
    ASSERT_TRUE(runner.ok()) << runner.status();
    absl::StatusOr<TestRunResult> run = runner->Run(frame);
    ASSERT_TRUE(run.ok()) << run.status();
    ring_buffer__consume(ring_);
    ASSERT_EQ(records_.size(), 2u);
    EXPECT_EQ(records_[0].header.direction, RF_CAPTURE_RECEIVED);
    EXPECT_EQ(records_[0].bytes, frame);
    EXPECT_EQ(records_[1].header.direction, RF_CAPTURE_SENT);
    EXPECT_EQ(records_[1].bytes, run->frame);
    EXPECT_NE(records_[1].bytes, frame);  // answered, not echoed
    ++answered;
  }
  EXPECT_GT(answered, 3u);
}

TEST_F(CaptureProgramTest, OneInNSampled) {
  rf_capture_config sampled = Everything(64);
  sampled.sample = 3;
  program_->ConfigureCapture(sampled);
  const FrameCase& c = FrameTable().front();
  size_t records = 0;
  for (int i = 0; i < 9; ++i) records += Run(c, Action::kReflect).size();
  EXPECT_EQ(records, 3u);
}

// Keeps the calling thread on one CPU while it lives: the capture's sampling and rate state
// is per CPU, and a test run executes on the caller's.
class OnOneCpu {
 public:
  OnOneCpu() {
    sched_getaffinity(0, sizeof(saved_), &saved_);
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(sched_getcpu(), &one);
    sched_setaffinity(0, sizeof(one), &one);
  }
  ~OnOneCpu() { sched_setaffinity(0, sizeof(saved_), &saved_); }

 private:
  cpu_set_t saved_;
};

// The per-second bound counts only what the sampling picked: of 12 frames, 1 in 2 sampled
// (6), at most 2 a second captured, the other 4 counted as limited. A test's 12 runs take far
// less than a second. `guard`: whether the guard stage runs (the guarded path captures a
// reflected frame in the guard, the other one up front).
void CaptureProgramTest::ExpectRateBoundCountsOnlySampled(bool guard) {
  const OnOneCpu pinned;
  rf_capture_config bounded = Everything(64);
  bounded.sample = 2;
  bounded.per_second = 2;
  program_->ConfigureCapture(bounded);
  FrameCase c = FrameTable().front();
  // With the guard on, repeats of the frame become `loop`: still selected, so the sampling
  // and the bound count them like any other frame.
  c.config.guard.loop_window_ticks = guard ? 1 : 0;
  size_t records = 0;
  for (int i = 0; i < 12; ++i) records += Run(c, Action::kReflect).size();
  const absl::StatusOr<rf_capture_state> state = program_->ReadCaptureState();
  ASSERT_TRUE(state.ok()) << state.status();
  EXPECT_EQ(records, 2u);
  EXPECT_EQ(state->taken, 2u);
  EXPECT_EQ(state->limited, 4u);
}

TEST_F(CaptureProgramTest, TheRateBoundCountsOnlySampledFramesAsLimited) {
  ExpectRateBoundCountsOnlySampled(/*guard=*/false);
}

TEST_F(CaptureProgramTest, TheRateBoundCountsOnlySampledFramesAsLimitedWithTheGuardOn) {
  ExpectRateBoundCountsOnlySampled(/*guard=*/true);
}

}  // namespace
}  // namespace reflector::xdp
