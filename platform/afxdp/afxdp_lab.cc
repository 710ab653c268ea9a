#include "platform/afxdp/afxdp_lab.h"

#include <net/if.h>

#include "absl/strings/str_cat.h"
#include "reflector/base/status_macros.h"
#include "reflector/packet/config.h"
#include "reflector/packet/testing/frame_builder.h"
#include "testing/lab/ping.h"
#include "testing/lab/veth.h"

namespace reflector::platform::afxdp {
namespace {

namespace lab = ::reflector::testing::lab;
using packet::testing::kReflectorMac;
using packet::testing::kTesterMac;

// XPS: tester tx queue q only for CPU q, so a sender pinned to a CPU picks its queue.
absl::Status SteerQueuesByCpu(const lab::NetNamespace& ns, const std::string& interface,
                              int queues) {
  for (int q = 0; q < queues; ++q) {
    REFLECTOR_RETURN_IF_ERROR(
        ns.Run({"sh", "-c",
                absl::StrCat("echo ", absl::Hex(1u << q), " > /sys/class/net/", interface,
                             "/queues/tx-", q, "/xps_cpus")}));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<AfXdpLab>> AfXdpLab::Create(xdp::AttachMode mode, int queues) {
  const std::string name = lab::UniqueLabName("rfxsk");
  REFLECTOR_ASSIGN_OR_RETURN(lab::NetNamespace reflector_ns, lab::NetNamespace::Create(name + "r"));
  REFLECTOR_ASSIGN_OR_RETURN(lab::NetNamespace tester_ns, lab::NetNamespace::Create(name + "t"));
  std::unique_ptr<AfXdpLab> lab(new AfXdpLab(std::move(reflector_ns), std::move(tester_ns)));
  lab->reflector_if_ = name + "r";
  lab->tester_if_ = name + "t";

  REFLECTOR_RETURN_IF_ERROR(lab::CreateVethPair({.ns = &lab->reflector_ns_,
                                                 .name = lab->reflector_if_,
                                                 .mac = packet::FormatMac(kReflectorMac),
                                                 .addresses = {"198.18.0.2/24", "2001:2::2/64"}},
                                                {.ns = &lab->tester_ns_,
                                                 .name = lab->tester_if_,
                                                 .mac = packet::FormatMac(kTesterMac),
                                                 .addresses = {"198.18.0.1/24", "2001:2::1/64"}}));
  if (queues > 1) {
    const std::string n = absl::StrCat(queues);
    REFLECTOR_RETURN_IF_ERROR(
        lab->reflector_ns_.Run({"ethtool", "-L", lab->reflector_if_, "rx", n, "tx", n}));
    REFLECTOR_RETURN_IF_ERROR(
        lab->tester_ns_.Run({"ethtool", "-L", lab->tester_if_, "rx", n, "tx", n}));
    REFLECTOR_RETURN_IF_ERROR(SteerQueuesByCpu(lab->tester_ns_, lab->tester_if_, queues));
  }

  {
    REFLECTOR_ASSIGN_OR_RETURN(lab::NetnsEntry inside,
                               lab::NetnsEntry::Enter(lab->reflector_ns_.name()));
    REFLECTOR_ASSIGN_OR_RETURN(lab->program_, xdp::XdpProgram::Load());
    REFLECTOR_RETURN_IF_ERROR(lab->Configure(packet::testing::DefaultTestConfig()));
    REFLECTOR_RETURN_IF_ERROR(lab->program_->Attach(lab->reflector_if_, {.mode = mode}).status());
  }
  {
    REFLECTOR_ASSIGN_OR_RETURN(lab::NetnsEntry inside,
                               lab::NetnsEntry::Enter(lab->tester_ns_.name()));
    REFLECTOR_ASSIGN_OR_RETURN(lab::PacketSocket tester, lab::PacketSocket::Open(lab->tester_if_));
    lab->tester_.emplace(std::move(tester));
  }
  return lab;
}

absl::StatusOr<std::unique_ptr<AfXdpIo>> AfXdpLab::Open(uint32_t queue, AfXdpOptions options) {
  REFLECTOR_ASSIGN_OR_RETURN(lab::NetnsEntry inside, lab::NetnsEntry::Enter(reflector_ns_.name()));
  options.interface = reflector_if_;
  options.queue = queue;
  options.xsk_map_fd = program_->xsk_map_fd();
  return AfXdpIo::Create(options);
}

absl::Status AfXdpLab::PingReflector() {
  REFLECTOR_ASSIGN_OR_RETURN(lab::NetnsEntry inside, lab::NetnsEntry::Enter(tester_ns_.name()));
  return lab::PingIpv4("198.18.0.2", absl::Seconds(3));
}

absl::StatusOr<std::vector<std::vector<uint8_t>>> AfXdpLab::Collect(absl::Duration quiet) {
  std::vector<std::vector<uint8_t>> frames;
  while (true) {
    REFLECTOR_ASSIGN_OR_RETURN(std::optional<std::vector<uint8_t>> frame,
                               tester_->Receive(absl::Now() + quiet));
    if (!frame.has_value()) return frames;
    frames.push_back(*std::move(frame));
  }
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
