#include "reflector/engine/engine.h"

#include <algorithm>
#include <cstring>
#include <functional>
#include <memory>

#include "gtest/gtest.h"
#include "platform/memory/memory_io.h"
#include "reflector/engine/worker.h"
#include "reflector/packet/config.h"
#include "reflector/packet/testing/frame_builder.h"
#include "reflector/packet/testing/frame_table.h"
#include "reflector/packet/testing/stamp_frames.h"

namespace reflector::engine {
namespace {

using packet::Verdict;
using packet::testing::DefaultTestConfig;
using packet::testing::FrameBuilder;
using packet::testing::FrameCase;
using packet::testing::FrameTable;
using platform::MemoryIo;

bool UsesDefaultConfig(const FrameCase& c) {
  const rf_config config = DefaultTestConfig();
  return std::memcmp(&c.config, &config, sizeof(config)) == 0;
}

// Feeds every frame of the shared table that uses the default config through one worker.
TEST(Worker, ReflectsExactlyTheTestFramesAndCountsEveryVerdict) {
  MemoryIo io;
  SharedConfig config(DefaultTestConfig());
  Worker worker(io, config);

  std::vector<std::vector<uint8_t>> expected_sent;
  Counters expected;
  // Twice over, so that the frames span more than one batch.
  for (int round = 0; round < 2; ++round)
    for (const FrameCase& c : FrameTable()) {
      if (!UsesDefaultConfig(c)) continue;
      io.Inject(c.frame);
      ++expected.rx_frames;
      expected.rx_bytes += c.frame.size();
      if (c.verdict == Verdict::kReflect) {
        expected_sent.push_back(c.ExpectedReflection());
        ++expected.reflected_frames;
        expected.reflected_bytes += c.frame.size();
        ++expected.reflected_by_rule[static_cast<size_t>(c.rule)];
        expected.reflected_bytes_by_rule[static_cast<size_t>(c.rule)] += c.frame.size();
      } else {
        ++expected.rejected_by_reason[static_cast<size_t>(c.verdict)];
      }
    }
  ASSERT_GT(expected.rx_frames, platform::kBatchSize) << "want more than one batch";

  size_t batches = 0;
  while (io.pending() > 0) {
    auto received = worker.RunBatch(absl::ZeroDuration());
    ASSERT_TRUE(received.ok()) << received.status();
    EXPECT_LE(*received, platform::kBatchSize);
    ++batches;
  }
  EXPECT_EQ(batches, (expected.rx_frames + platform::kBatchSize - 1) / platform::kBatchSize);
  EXPECT_EQ(io.sent(), expected_sent);
  Counters counted = worker.counters();
  // Every frame sent has its dwell counted once; how long it was is the clock's business.
  EXPECT_EQ(counted.dwell.frames(), expected.reflected_frames);
  counted.dwell = {};
  EXPECT_EQ(counted, expected);
  EXPECT_EQ(io.Outstanding(), 0u);
  EXPECT_EQ(io.bad_returns(), 0u);
  EXPECT_EQ(io.released(), expected.rejected_frames());
}

// STAMP's reflector dwell (issue 15): every answer counted once with the T3 - T2 it carries
// (exactly, with PTP timestamps: an NTP fraction rounds), nothing in monitor mode.
TEST(Worker, StampAnswersCountTheDwellTheyCarry) {
  absl::StatusOr<packet::CompiledConfig> compiled =
      packet::Compile(packet::testing::StampTestFilter());
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  size_t ptp_answers = 0;
  for (const packet::testing::StampCase& c : packet::testing::StampTable()) {
    SCOPED_TRACE(c.name);
    const bool answered = c.verdict == Verdict::kReflect;
    for (const bool monitor : {false, true}) {
      MemoryIo io;
      SharedConfig config(compiled->wire);
      Worker worker(io, config, monitor);
      io.Inject(c.frame());
      ASSERT_TRUE(worker.RunBatch(absl::ZeroDuration()).ok());
      const Dwell dwell = worker.counters().stamp_dwell;
      EXPECT_EQ(dwell.frames(), answered && !monitor ? 1u : 0u);
      if (!answered || monitor) continue;
      ASSERT_EQ(io.sent().size(), 1u);
      EXPECT_EQ(dwell.buckets[rf_dwell_bucket(dwell.sum_ns)], 1u);
      if ((c.payload[12] & 0x40) != 0) {  // Z: PTP seconds and nanoseconds
        const size_t udp = packet::Classify(c.frame(), compiled->wire).where.l4_offset;
        EXPECT_EQ(dwell.sum_ns, packet::testing::StampPtpDwellNs(io.sent()[0], udp));
        ++ptp_answers;
      }
    }
  }
  EXPECT_GT(ptp_answers, 0u);
}

TEST(Worker, EmptyReceiveCountsNothing) {
  MemoryIo io;
  SharedConfig config(DefaultTestConfig());
  Worker worker(io, config);
  EXPECT_EQ(*worker.RunBatch(absl::ZeroDuration()), 0u);
  EXPECT_EQ(worker.counters(), Counters());
}

TEST(Worker, PicksUpANewConfigAtTheNextBatch) {
  MemoryIo io;
  SharedConfig config(DefaultTestConfig());
  Worker worker(io, config);
  const std::vector<uint8_t> frame = FrameBuilder().Ports(1000, 5001).Build();

  io.Inject(frame);
  ASSERT_TRUE(worker.RunBatch(absl::ZeroDuration()).ok());
  EXPECT_EQ(worker.counters().rejected_by_reason[static_cast<size_t>(Verdict::kPort)], 1u);

  packet::FilterConfig filter;
  filter.interface_mac = packet::testing::kReflectorMac;
  filter.port = 5001;
  filter.mode = packet::Mode::kMac;
  config.Set(*packet::ToWire(filter));
  io.Inject(frame);
  ASSERT_TRUE(worker.RunBatch(absl::ZeroDuration()).ok());
  EXPECT_EQ(worker.counters().reflected_frames, 1u);
  ASSERT_EQ(io.sent().size(), 1u);
  EXPECT_EQ(io.sent()[0], FrameBuilder().Ports(1000, 5001).Reflected(packet::Mode::kMac).Build());
}

TEST(Worker, CountsFramesTheBackendCouldNotSend) {
  MemoryIo io(/*tx_capacity=*/2);
  SharedConfig config(DefaultTestConfig());
  Worker worker(io, config);
  for (int i = 0; i < 5; ++i) io.Inject(FrameBuilder().IpId(i).Build());
  ASSERT_TRUE(worker.RunBatch(absl::ZeroDuration()).ok());
  EXPECT_EQ(worker.counters().reflected_frames, 5u);
  EXPECT_EQ(worker.counters().tx_dropped, 3u);
  EXPECT_EQ(io.sent().size(), 2u);
  EXPECT_EQ(io.Outstanding(), 0u);
}

TEST(Engine, RunsOneWorkerPerQueueAndSumsTheirCounters) {
  SharedConfig config(DefaultTestConfig());
  std::vector<Queue> queues;
  std::vector<MemoryIo*> ios;
  for (int q = 0; q < 3; ++q) {
    auto io = std::make_unique<MemoryIo>();
    for (int i = 0; i <= q * 100; ++i) io->Inject(FrameBuilder().IpId(i).Build());
    io->Inject(FrameBuilder().Ports(1, 2).Build());  // rejected: port
    ios.push_back(io.get());
    queues.push_back(Queue{std::move(io), /*cpu=*/q % 2});
  }
  Engine engine(std::move(queues), config);
  ASSERT_TRUE(engine.Start().ok());
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (engine.ReadCounters().rx_frames < 1 + 101 + 201 + 3 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  engine.Stop();
  const Counters total = engine.ReadCounters();
  EXPECT_EQ(total.rx_frames, 306u);
  EXPECT_EQ(total.reflected_frames, 303u);
  EXPECT_EQ(total.rejected_by_reason[static_cast<size_t>(Verdict::kPort)], 3u);
  // Each worker's share, in queue order.
  EXPECT_EQ(total.workers, (std::vector<WorkerCounts>{{2, 1}, {102, 101}, {202, 201}}));
  EXPECT_TRUE(engine.error().ok());
  for (MemoryIo* io : ios) EXPECT_EQ(io->Outstanding(), 0u);
}

// Remembers the longest wait a worker asked Receive for.
class WaitRecordingIo : public MemoryIo {
 public:
  absl::StatusOr<size_t> Receive(absl::Span<platform::Frame> frames,
                                 absl::Duration timeout) override {
    longest_wait_ = std::max(longest_wait_, timeout);  // read only after the worker stopped
    return MemoryIo::Receive(frames, timeout);
  }
  absl::Duration longest_wait() const { return longest_wait_; }

 private:
  absl::Duration longest_wait_ = -absl::InfiniteDuration();
};

TEST(Engine, ASpinningWorkerNeverWaitsInReceive) {
  SharedConfig config(DefaultTestConfig());
  std::vector<Queue> queues;
  std::vector<WaitRecordingIo*> ios;
  for (const bool spin : {true, false}) {
    auto io = std::make_unique<WaitRecordingIo>();
    io->Inject(FrameBuilder().Build());
    ios.push_back(io.get());
    queues.push_back(Queue{std::move(io), /*cpu=*/-1, spin});
  }
  Engine engine(std::move(queues), config);
  ASSERT_TRUE(engine.Start().ok());
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (engine.ReadCounters().rx_frames < 2 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  engine.Stop();
  EXPECT_EQ(engine.ReadCounters().reflected_frames, 2u);
  EXPECT_EQ(ios[0]->longest_wait(), absl::ZeroDuration());
  EXPECT_GT(ios[1]->longest_wait(), absl::ZeroDuration());
}

TEST(Engine, RefusesACpuThatDoesNotExist) {
  SharedConfig config(DefaultTestConfig());
  std::vector<Queue> queues;
  queues.push_back(Queue{std::make_unique<MemoryIo>(), /*cpu=*/1000});
  Engine engine(std::move(queues), config);
  const absl::Status status = engine.Start();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("CPU 1000"), std::string::npos) << status;
}

}  // namespace
}  // namespace reflector::engine

namespace reflector::engine {
namespace {

TEST(Worker, MonitorModeCountsButSendsNothing) {
  platform::MemoryIo io;
  SharedConfig config(packet::testing::DefaultTestConfig());
  Worker worker(io, config, /*monitor=*/true);
  const std::vector<uint8_t> frame = packet::testing::FrameBuilder().Build();
  io.Inject(frame);
  io.Inject(packet::testing::FrameBuilder().Ports(1, 2).Build());
  ASSERT_TRUE(worker.RunBatch(absl::ZeroDuration()).ok());
  EXPECT_EQ(worker.counters().reflected_frames, 1u);
  EXPECT_EQ(worker.counters().rejected_frames(), 1u);
  EXPECT_TRUE(io.sent().empty());
  EXPECT_EQ(io.released(), 2u);
  EXPECT_EQ(io.Outstanding(), 0u);
}

}  // namespace
}  // namespace reflector::engine

namespace reflector::engine {
namespace {

// A backend that reports frames the kernel lost before they reached it.
class LossyIo : public platform::MemoryIo {
 public:
  platform::IoStats stats() const override {
    platform::IoStats stats = MemoryIo::stats();
    stats.rx_dropped = lost;
    return stats;
  }
  uint64_t lost = 0;
};

TEST(Worker, PublishesTheBackendsReceiveDrops) {
  LossyIo io;
  SharedConfig config(packet::testing::DefaultTestConfig());
  Worker worker(io, config);
  io.lost = 7;
  EXPECT_EQ(*worker.RunBatch(absl::ZeroDuration()), 0u);  // idle: drops still show up
  EXPECT_EQ(worker.counters().rx_dropped, 7u);
  io.lost = 9;
  io.Inject(packet::testing::FrameBuilder().Build());
  ASSERT_TRUE(worker.RunBatch(absl::ZeroDuration()).ok());
  EXPECT_EQ(worker.counters().rx_dropped, 9u);
  EXPECT_EQ(worker.counters().reflected_frames, 1u);
}

}  // namespace
}  // namespace reflector::engine

namespace reflector::engine {
namespace {

// A backend whose Receive lets the test change the config while the worker waits in it.
class ReloadDuringReceiveIo : public platform::MemoryIo {
 public:
  absl::StatusOr<size_t> Receive(absl::Span<platform::Frame> frames,
                                 absl::Duration timeout) override {
    if (during_receive) during_receive();
    return MemoryIo::Receive(frames, timeout);
  }
  std::function<void()> during_receive;
};

TEST(Worker, FramesReceivedAfterAReloadUseTheNewConfig) {
  ReloadDuringReceiveIo io;
  SharedConfig config(packet::testing::DefaultTestConfig());
  Worker worker(io, config);
  packet::FilterConfig filter;
  filter.interface_mac = packet::testing::kReflectorMac;
  filter.port = 5001;
  io.during_receive = [&] { config.Set(*packet::ToWire(filter)); };
  io.Inject(packet::testing::FrameBuilder().Ports(1000, 5001).Build());
  ASSERT_TRUE(worker.RunBatch(absl::ZeroDuration()).ok());
  EXPECT_EQ(worker.counters().reflected_frames, 1u);
}

}  // namespace
}  // namespace reflector::engine
