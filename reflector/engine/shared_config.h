// The classifier config shared by all workers and replaced while they run (SIGHUP). Workers
// check a version number once per batch and copy the config only when it changed, so the hot
// path never takes the lock.
#ifndef REFLECTOR_ENGINE_SHARED_CONFIG_H_
#define REFLECTOR_ENGINE_SHARED_CONFIG_H_

#include <atomic>
#include <cstdint>

#include "absl/synchronization/mutex.h"
#include "reflector/packet/wire.h"

namespace reflector::engine {

class SharedConfig {
 public:
  explicit SharedConfig(const rf_config& config) : config_(config) {}

  void Set(const rf_config& config) {
    absl::MutexLock lock(&mu_);
    config_ = config;
    version_.fetch_add(1, std::memory_order_release);
  }

  rf_config Get() const {
    absl::MutexLock lock(&mu_);
    return config_;
  }

  uint64_t version() const { return version_.load(std::memory_order_acquire); }

  // Copies the config into `local` when it changed since `*seen`; cheap when it did not.
  void Refresh(rf_config& local, uint64_t& seen) const {
    const uint64_t now = version();
    if (now == seen) return;
    absl::MutexLock lock(&mu_);
    local = config_;
    seen = version_.load(std::memory_order_relaxed);
  }

 private:
  mutable absl::Mutex mu_;
  rf_config config_ ABSL_GUARDED_BY(mu_);
  std::atomic<uint64_t> version_{1};
};

}  // namespace reflector::engine

#endif  // REFLECTOR_ENGINE_SHARED_CONFIG_H_
