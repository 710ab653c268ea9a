// The data paths that bring frames up to userspace (afxdp, afpacket): one engine worker per
// FrameIo queue, plus whatever kernel-side state the backend needs (an XDP program feeding
// the sockets, a tc filter) kept alive for as long as the queues run.
#ifndef REFLECTOR_ENGINE_QUEUE_DATAPATH_H_
#define REFLECTOR_ENGINE_QUEUE_DATAPATH_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "reflector/engine/datapath.h"
#include "reflector/engine/engine.h"
#include "reflector/engine/shared_config.h"

namespace reflector::engine {

// Kernel-side pieces of a queue data path. Destroyed after the queues.
class KernelSide {
 public:
  virtual ~KernelSide() = default;
  // Pushes a new classifier config to the kernel (map update), if the kernel classifies too.
  virtual absl::Status Reconfigure(const rf_config&) { return absl::OkStatus(); }
  // The data path's counters from the workers' and the kernel's: the kernel may have seen
  // frames that never went up (rejected ones passed to the stack). Default: the workers'.
  virtual Counters Combine(const Counters& workers) const { return workers; }
  // Called once the workers stopped, just before the queues close: lets go of what must not
  // outlive the sockets.
  virtual void BeforeQueuesClose() {}
  // Adds the kernel program's capture ring, if it classifies (issue 21).
  virtual void AddCaptureSources(capture::CaptureSources*) {}
};

class QueueDataPath : public DataPath {
 public:
  QueueDataPath(DataPathKind kind, std::string description, std::unique_ptr<KernelSide> kernel,
                std::vector<Queue> queues, const rf_config& config, bool monitor,
                bool count_sessions = true);
  ~QueueDataPath() override;

  DataPathKind kind() const override { return kind_; }
  std::string Describe() const override { return description_; }
  std::string DescribeQueues() const override;
  absl::Status Start() override;
  void Stop() override;
  absl::Status Reconfigure(const rf_config& config) override;
  Counters ReadCounters() const override;
  std::vector<rf_session_slot> ReadSessions() const override { return engine_->ReadSessions(); }
  void SetSessionIdle(absl::Duration idle) override { engine_->SetSessionIdle(idle); }
  absl::Status Health() const override { return engine_->error(); }
  capture::CaptureSources capture_sources() override {
    capture::CaptureSources sources;
    sources.taps = engine_->capture_taps();
    kernel_->AddCaptureSources(&sources);
    return sources;
  }

 private:
  const DataPathKind kind_;
  const std::string description_;
  // Declared first so that it is destroyed last, after the queues that depend on it.
  std::unique_ptr<KernelSide> kernel_;
  SharedConfig config_;
  std::unique_ptr<Engine> engine_;
};

}  // namespace reflector::engine

#endif  // REFLECTOR_ENGINE_QUEUE_DATAPATH_H_
