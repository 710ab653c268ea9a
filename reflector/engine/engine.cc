#include "reflector/engine/engine.h"

#include <pthread.h>
#include <sched.h>

#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "reflector/engine/wakeup_slice.h"

namespace reflector::engine {

Engine::Engine(std::vector<Queue> queues, const SharedConfig& config, bool monitor,
               bool count_sessions)
    : queues_(std::move(queues)) {
  for (size_t i = 0; i < queues_.size(); ++i) {
    taps_.push_back(std::make_unique<capture::CaptureTap>(static_cast<uint32_t>(i)));
    workers_.push_back(
        std::make_unique<Worker>(*queues_[i].io, config, monitor, taps_.back().get(),
                                 &rate_buckets_, count_sessions));
  }
}

std::vector<capture::CaptureTap*> Engine::capture_taps() const {
  std::vector<capture::CaptureTap*> taps;
  for (const auto& tap : taps_) taps.push_back(tap.get());
  return taps;
}

Engine::~Engine() { Stop(); }

absl::Status Engine::Start() {
  stop_.store(false);
  for (size_t i = 0; i < queues_.size(); ++i) {
    running_workers_.fetch_add(1);
    threads_.emplace_back([this, i] { RunWorker(i); });
    if (queues_[i].priority > 0) {
      // From here, not from the worker: the worker never changes its own policy, so it cannot
      // race this call (RunWorker's slice request is for SCHED_OTHER workers only).
      sched_param param = {};
      param.sched_priority = queues_[i].priority;
      const int err = pthread_setschedparam(threads_.back().native_handle(), SCHED_FIFO, &param);
      if (err != 0) {
        Stop();
        return absl::PermissionDeniedError(absl::StrFormat(
            "cannot run worker %d at SCHED_FIFO priority %d: %s (needs CAP_SYS_NICE)", i,
            queues_[i].priority, std::strerror(err)));
      }
    }
    if (queues_[i].cpu < 0) continue;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(queues_[i].cpu, &set);
    const int err = pthread_setaffinity_np(threads_.back().native_handle(), sizeof(set), &set);
    if (err != 0) {
      Stop();
      return absl::InvalidArgumentError(absl::StrFormat("cannot pin worker %d to CPU %d: %s", i,
                                                        queues_[i].cpu, std::strerror(err)));
    }
  }
  return absl::OkStatus();
}

void Engine::RunWorker(size_t index) {
  // For a worker that sleeps between frames (a spinner never wakes up). Best effort: without
  // it (kernels before 6.12) the worker wakes as before.
  // A real-time worker preempts ordinary threads anyway.
  if (!queues_[index].spin && queues_[index].priority == 0) {
    (void)RequestWakeupSlice(kWorkerSliceNs);
  }
  const absl::Status status = workers_[index]->Run(stop_, queues_[index].spin);
  if (!status.ok()) {
    absl::MutexLock lock(&mu_);
    if (error_.ok()) {
      error_ = absl::Status(status.code(),
                            absl::StrCat(queues_[index].io->Describe(), ": ", status.message()));
    }
  }
  running_workers_.fetch_sub(1);
}

void Engine::Stop() {
  stop_.store(true);
  for (std::thread& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
  threads_.clear();
}

std::vector<rf_session_slot> Engine::ReadSessions() const {
  std::vector<rf_session_slot> out;
  for (const auto& worker : workers_) {
    const std::vector<rf_session_slot> read = worker->sessions().Read();
    out.insert(out.end(), read.begin(), read.end());
  }
  return out;
}

void Engine::SetSessionIdle(absl::Duration idle) {
  for (const auto& worker : workers_) worker->SetSessionIdle(idle);
}

Counters Engine::ReadCounters() const {
  Counters total;
  for (const auto& worker : workers_) {
    const Counters counters = worker->counters();
    total += counters;
    total.workers.push_back({counters.rx_frames, counters.reflected_frames});
  }
  return total;
}

absl::Status Engine::error() const {
  absl::MutexLock lock(&mu_);
  return error_;
}

std::string Engine::Describe() const {
  return absl::StrJoin(queues_, ", ", [](std::string* out, const Queue& queue) {
    absl::StrAppend(out, queue.io->Describe());
    if (queue.cpu >= 0) absl::StrAppend(out, " on cpu ", queue.cpu);
    if (queue.priority > 0) absl::StrAppend(out, " at SCHED_FIFO ", queue.priority);
  });
}

}  // namespace reflector::engine
