// A two-namespace veth lab for the afpacket integration test (SPEC §7): "reflector" and
// "tester" namespaces joined by one veth pair, with addresses from 198.18.0.0/15 and
// 2001:2::/48, static neighbours, no default route, and ICMP rate limits off. Built on the
// shared lab (testing/lab): unique names, deleted by the destructor and on SIGINT/SIGTERM.
#ifndef REFLECTOR_PLATFORM_AFPACKET_VETH_LAB_H_
#define REFLECTOR_PLATFORM_AFPACKET_VETH_LAB_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "testing/lab/netns.h"

namespace reflector::platform::afpacket {

class VethLab {
 public:
  // The reflector end gets packet::testing::kReflectorMac and the tester end kTesterMac, so
  // the shared frame table is addressed to this lab. Needs root.
  static absl::StatusOr<std::unique_ptr<VethLab>> Create();
  VethLab(const VethLab&) = delete;
  VethLab& operator=(const VethLab&) = delete;

  const std::string& reflector_ns() const { return reflector_.name(); }
  const std::string& tester_ns() const { return tester_.name(); }
  // The interface names equal the namespace names.
  const std::string& reflector_if() const { return reflector_.name(); }
  const std::string& tester_if() const { return tester_.name(); }

  // Runs `fn` on a thread that has joined namespace `ns`. Sockets created there stay in it.
  static absl::Status RunIn(const std::string& ns, const std::function<void()>& fn);

  // Runs a command line with `ip`/`tc` and returns its output.
  static absl::StatusOr<std::string> Run(const std::string& command);

 private:
  VethLab(testing::lab::NetNamespace reflector, testing::lab::NetNamespace tester)
      : reflector_(std::move(reflector)), tester_(std::move(tester)) {}

  testing::lab::NetNamespace reflector_;
  testing::lab::NetNamespace tester_;
};

}  // namespace reflector::platform::afpacket

#endif  // REFLECTOR_PLATFORM_AFPACKET_VETH_LAB_H_
