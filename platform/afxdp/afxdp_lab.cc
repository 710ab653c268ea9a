#include "platform/afxdp/afxdp_lab.h"

#include "reflector/base/status_macros.h"
#include "reflector/packet/config.h"
#include "reflector/packet/testing/frame_builder.h"
#include "testing/lab/hosts.h"
#include "testing/lab/ping.h"

namespace reflector::platform::afxdp {

namespace lab = ::reflector::testing::lab;

absl::StatusOr<std::unique_ptr<AfXdpLab>> AfXdpLab::Create(xdp::AttachMode mode, int queues) {
  lab::ReflectorLabOptions options;
  options.queues = queues;
  options.tester_addresses = true;  // PingReflector
  options.tester_xdp_pass = false;  // AF_XDP transmits through the stack, not XDP_TX
  REFLECTOR_ASSIGN_OR_RETURN(std::unique_ptr<lab::ReflectorLab> reflector_lab,
                             lab::ReflectorLab::Create(options));
  std::unique_ptr<AfXdpLab> afxdp_lab(new AfXdpLab(std::move(reflector_lab)));
  REFLECTOR_ASSIGN_OR_RETURN(lab::NetnsEntry inside,
                             afxdp_lab->lab_->Enter(lab::End::kReflector));
  REFLECTOR_ASSIGN_OR_RETURN(afxdp_lab->program_, xdp::XdpProgram::Load());
  REFLECTOR_RETURN_IF_ERROR(afxdp_lab->Configure(packet::testing::DefaultTestConfig()));
  REFLECTOR_RETURN_IF_ERROR(
      afxdp_lab->program_->Attach(afxdp_lab->reflector_interface(), {.mode = mode}).status());
  return afxdp_lab;
}

absl::StatusOr<std::unique_ptr<AfXdpIo>> AfXdpLab::Open(uint32_t queue, AfXdpOptions options) {
  REFLECTOR_ASSIGN_OR_RETURN(lab::NetnsEntry inside, lab_->Enter(lab::End::kReflector));
  options.interface = reflector_interface();
  options.queue = queue;
  options.xsk_map_fd = program_->xsk_map_fd();
  return AfXdpIo::Create(options);
}

absl::Status AfXdpLab::PingReflector() {
  REFLECTOR_ASSIGN_OR_RETURN(lab::NetnsEntry inside, lab_->Enter(lab::End::kTester));
  return lab::PingIpv4(lab::Ipv4Text(packet::testing::kReflectorIpv4), absl::Seconds(3));
}

absl::StatusOr<PumpResult> Pump(const std::vector<AfXdpIo*>& ios, const rf_config& config,
                                const PumpOptions& options) {
  PumpResult result;
  Frame batch[kBatchSize];
  Frame send[kBatchSize];
  Frame release[kBatchSize];
  // With several sockets, none may sleep long while another has frames waiting.
  const absl::Duration wait = absl::Milliseconds(ios.size() == 1 ? 10 : 1);
  absl::Time last_frame = absl::Now();
  absl::Time stop = absl::InfiniteFuture();
  int reflected = 0;
  while (absl::Now() - last_frame < options.quiet && absl::Now() < stop) {
    for (AfXdpIo* io : ios) {
      REFLECTOR_ASSIGN_OR_RETURN(size_t n, io->Receive(absl::MakeSpan(batch), wait));
      if (n > 0) last_frame = absl::Now();
      size_t sends = 0;
      size_t releases = 0;
      for (size_t i = 0; i < n; ++i) {
        const packet::Classification verdict =
            packet::ClassifyAndReflect(absl::MakeSpan(batch[i].data, batch[i].length), config);
        if (!verdict.reflect()) {
          ++result.not_reflect;
          release[releases++] = batch[i];
        } else if (options.release_every > 0 && ++reflected % options.release_every == 0) {
          release[releases++] = batch[i];
        } else {
          send[sends++] = batch[i];
        }
      }
      REFLECTOR_RETURN_IF_ERROR(io->Transmit(absl::MakeConstSpan(send, sends)));
      io->Release(absl::MakeConstSpan(release, releases));
      result.received += n;
      result.transmitted += sends;
      result.released += releases;
    }
    if (result.received >= options.expected && stop == absl::InfiniteFuture()) {
      stop = absl::Now() + options.grace;
    }
  }
  for (AfXdpIo* io : ios) REFLECTOR_RETURN_IF_ERROR(io->Flush());
  return result;
}

}  // namespace reflector::platform::afxdp
