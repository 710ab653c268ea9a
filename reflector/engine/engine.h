// Runs one Worker per backend queue, each on its own thread pinned to its CPU, and adds up
// their counters for the stats thread.
#ifndef REFLECTOR_ENGINE_ENGINE_H_
#define REFLECTOR_ENGINE_ENGINE_H_

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "platform/frame_io.h"
#include "reflector/engine/counters.h"
#include "reflector/engine/shared_config.h"
#include "reflector/engine/worker.h"

namespace reflector::engine {

struct Queue {
  std::unique_ptr<platform::FrameIo> io;
  int cpu = -1;  // -1: not pinned
  bool spin = false;  // the worker never sleeps waiting for frames (see Worker::Run)
  // 1-99: the worker runs SCHED_FIFO at this priority (--worker_priority); 0: SCHED_OTHER.
  int priority = 0;
};

class Engine {
 public:
  // `config` must outlive the engine. `monitor`, `count_sessions`: see Worker.
  Engine(std::vector<Queue> queues, const SharedConfig& config, bool monitor = false,
         bool count_sessions = true);
  ~Engine();  // stops and joins

  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Starts one thread per queue. Pinning and priority failures are errors (a wrong --cpus or
  // a --worker_priority the process may not take must not pass).
  absl::Status Start();
  // Asks every worker to stop after its current batch and waits for them.
  void Stop();

  Counters ReadCounters() const;
  // Every worker's published session counts (session_table.h), one after the other.
  std::vector<rf_session_slot> ReadSessions() const;
  // Any thread: every worker drops sessions idle for longer than `idle` (zero: never).
  void SetSessionIdle(absl::Duration idle);
  // The first error a worker stopped with, or OK.
  absl::Status error() const;
  // True while at least one worker runs.
  bool running() const { return running_workers_.load() > 0; }
  size_t size() const { return queues_.size(); }
  std::string Describe() const;
  // Capture (issue 21): one tap per worker, in queue order.
  std::vector<capture::CaptureTap*> capture_taps() const;

 private:
  void RunWorker(size_t index);

  std::vector<Queue> queues_;
  std::vector<std::unique_ptr<capture::CaptureTap>> taps_;  // outlive the workers
  packet::RateBuckets rate_buckets_;  // the rate caps' state, shared by the workers
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stop_{false};
  std::atomic<int> running_workers_{0};
  mutable absl::Mutex mu_;
  absl::Status error_ ABSL_GUARDED_BY(mu_);
};

}  // namespace reflector::engine

#endif  // REFLECTOR_ENGINE_ENGINE_H_
