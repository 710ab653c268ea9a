// --worker_priority's engine side: needs CAP_SYS_NICE, so a lab test (root, no sandbox).
#include <pthread.h>
#include <sched.h>

#include <atomic>
#include <memory>
#include <vector>

#include "gtest/gtest.h"
#include "platform/memory/memory_io.h"
#include "reflector/engine/engine.h"
#include "reflector/packet/config.h"
#include "reflector/packet/testing/frame_builder.h"
#include "testing/lab/require_root.h"

namespace reflector::engine {
namespace {

using packet::testing::DefaultTestConfig;
using packet::testing::FrameBuilder;
using platform::MemoryIo;

// Remembers the scheduling policy of the thread that called Receive.
class PolicyRecordingIo : public MemoryIo {
 public:
  absl::StatusOr<size_t> Receive(absl::Span<platform::Frame> frames,
                                 absl::Duration timeout) override {
    sched_param param = {};
    int policy = 0;
    pthread_getschedparam(pthread_self(), &policy, &param);
    policy_.store(policy);
    priority_.store(param.sched_priority);
    return MemoryIo::Receive(frames, timeout);
  }
  std::atomic<int> policy_{-1};
  std::atomic<int> priority_{-1};
};

TEST(Engine, AWorkerWithAPriorityRunsSchedFifoTheOthersAsBefore) {
  REFLECTOR_REQUIRE_ROOT();  // CAP_SYS_NICE, which the sandbox takes away
  SharedConfig config(DefaultTestConfig());
  std::vector<Queue> queues;
  std::vector<PolicyRecordingIo*> ios;
  for (const int priority : {3, 0}) {
    auto io = std::make_unique<PolicyRecordingIo>();
    io->Inject(FrameBuilder().Build());
    ios.push_back(io.get());
    queues.push_back(Queue{std::move(io), /*cpu=*/-1, /*spin=*/false, priority});
  }
  Engine engine(std::move(queues), config);
  const absl::Status started = engine.Start();
  ASSERT_TRUE(started.ok()) << started;
  EXPECT_NE(engine.Describe().find("at SCHED_FIFO 3"), std::string::npos) << engine.Describe();
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (engine.ReadCounters().rx_frames < 2 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  engine.Stop();
  EXPECT_EQ(engine.ReadCounters().reflected_frames, 2u);
  EXPECT_EQ(ios[0]->policy_.load(), SCHED_FIFO);
  EXPECT_EQ(ios[0]->priority_.load(), 3);
  EXPECT_EQ(ios[1]->policy_.load(), SCHED_OTHER);
}

}  // namespace
}  // namespace reflector::engine
