#include "reflector/engine/queue_datapath.h"

#include "absl/strings/str_cat.h"
#include "reflector/base/status_macros.h"

namespace reflector::engine {

QueueDataPath::QueueDataPath(DataPathKind kind, std::string description,
                             std::unique_ptr<KernelSide> kernel, std::vector<Queue> queues,
                             const rf_config& config, bool monitor, bool count_sessions)
    : kind_(kind),
      description_(std::move(description)),
      kernel_(kernel ? std::move(kernel) : std::make_unique<KernelSide>()),
      config_(config),
      engine_(std::make_unique<Engine>(std::move(queues), config_, monitor, count_sessions)) {}

QueueDataPath::~QueueDataPath() {
  Stop();
  kernel_->BeforeQueuesClose();
}

std::string QueueDataPath::DescribeQueues() const {
  return absl::StrCat(engine_->size(),
                      engine_->size() == 1 ? " queue: " : " queues: ", engine_->Describe());
}

absl::Status QueueDataPath::Start() { return engine_->Start(); }

void QueueDataPath::Stop() { engine_->Stop(); }

absl::Status QueueDataPath::Reconfigure(const rf_config& config) {
  // Userspace re-classifies every frame the kernel lets up, so during the switch each frame
  // is judged by one complete config or the other, never by a mix.
  REFLECTOR_RETURN_IF_ERROR(kernel_->Reconfigure(config));
  config_.Set(config);
  return absl::OkStatus();
}

Counters QueueDataPath::ReadCounters() const { return kernel_->Combine(engine_->ReadCounters()); }

}  // namespace reflector::engine
