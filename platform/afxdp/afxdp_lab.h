// The lab the afxdp tests run in: the shared lab (testing/lab/reflector_lab.h) with addresses
// on both ends and no XDP program on the tester's, the reflector's XDP program attached in
// redirect mode on the reflector end, and AfXdpIo sockets opened on its queues. Everything is
// deleted when the lab goes, also after a failed assertion.
#ifndef REFLECTOR_PLATFORM_AFXDP_AFXDP_LAB_H_
#define REFLECTOR_PLATFORM_AFXDP_AFXDP_LAB_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "platform/afxdp/afxdp_io.h"
#include "reflector/packet/packet.h"
#include "testing/lab/reflector_lab.h"
#include "xdp/loader.h"

namespace reflector::platform::afxdp {

class AfXdpLab {
 public:
  // `queues` rx and tx queues on both veth ends; with more than one, a frame sent from CPU q
  // arrives on reflector queue q (ReflectorLabOptions::queues).
  static absl::StatusOr<std::unique_ptr<AfXdpLab>> Create(xdp::AttachMode mode, int queues = 1);

  // AfXdpIo for `queue` of the reflector end; `options` supplies everything but the place.
  absl::StatusOr<std::unique_ptr<AfXdpIo>> Open(uint32_t queue, AfXdpOptions options = {});

  absl::Status Configure(const rf_config& config) {
    return program_->Configure(config, xdp::Action::kRedirect);
  }
  xdp::XdpProgram& program() { return *program_; }
  const std::string& reflector_interface() const { return lab_->reflector_if(); }

  absl::Status Send(absl::Span<const uint8_t> frame) { return lab_->Send(frame); }
  // ICMP echo from the tester to the reflector's stack: ordinary traffic still gets through.
  absl::Status PingReflector();
  // Frames that reach the tester until `quiet` passes without one.
  absl::StatusOr<std::vector<std::vector<uint8_t>>> Collect(absl::Duration quiet) {
    return lab_->ReceiveUntilQuiet(quiet);
  }

 private:
  explicit AfXdpLab(std::unique_ptr<testing::lab::ReflectorLab> lab) : lab_(std::move(lab)) {}

  // Declared first: deleted last, after the program and the sockets that live in it.
  std::unique_ptr<testing::lab::ReflectorLab> lab_;
  std::unique_ptr<xdp::XdpProgram> program_;
};

// What one pass of the test's tiny engine did.
struct PumpResult {
  size_t received = 0;
  size_t transmitted = 0;
  size_t released = 0;
  // Frames that reached the socket although userspace does not reflect them: the kernel and
  // userspace disagree, or a non-test frame got through.
  size_t not_reflect = 0;
};

struct PumpOptions {
  size_t expected = 0;                            // frames to wait for, over all ios
  absl::Duration quiet = absl::Seconds(2);        // give up when nothing arrives for this long
  absl::Duration grace = absl::Milliseconds(50);  // keep reading after `expected`, for extras
  int release_every = 0;  // > 0: release every n-th reflected frame instead of sending it
};

// The test's tiny engine: Receive → ClassifyAndReflect → Transmit (or Release) on every io,
// then Flush.
absl::StatusOr<PumpResult> Pump(const std::vector<AfXdpIo*>& ios, const rf_config& config,
                                const PumpOptions& options);

}  // namespace reflector::platform::afxdp

#endif  // REFLECTOR_PLATFORM_AFXDP_AFXDP_LAB_H_
