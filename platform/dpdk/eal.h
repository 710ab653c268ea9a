// DPDK's Environment Abstraction Layer, once per process: rte_eal_init with the user's
// --dpdk_eal_args, rte_eal_cleanup when the owner goes. EAL prints its own progress and usage
// to stdout and stderr; Init keeps that out of the daemon's output and turns a failure into one
// line the user can act on.
#ifndef REFLECTOR_PLATFORM_DPDK_EAL_H_
#define REFLECTOR_PLATFORM_DPDK_EAL_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace reflector::platform::dpdk {

class Eal {
 public:
  // `args`: the EAL's command line without the program name, split at spaces
  // ("--no-huge --no-pci -l 0 --vdev=net_af_packet0,iface=eth1"). Fails when the EAL rejects
  // them, or when an Eal was initialised before in this process (DPDK cannot do it twice).
  // The calling thread's CPU affinity is kept: rte_eal_init would pin it to the main lcore,
  // and every thread started later would inherit that.
  static absl::StatusOr<std::unique_ptr<Eal>> Init(absl::string_view args);
  ~Eal();  // rte_eal_cleanup
  Eal(const Eal&) = delete;
  Eal& operator=(const Eal&) = delete;

  // Registers the calling (non-EAL) thread with the EAL, so that it gets an lcore id and the
  // mempool's per-lcore cache. Idempotent per thread.
  static absl::Status RegisterThread();

 private:
  Eal() = default;
};

// The EAL argument vector Init passes (program name first), split at runs of spaces.
std::vector<std::string> EalArgv(absl::string_view args);

}  // namespace reflector::platform::dpdk

#endif  // REFLECTOR_PLATFORM_DPDK_EAL_H_
