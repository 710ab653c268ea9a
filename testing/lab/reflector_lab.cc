#include "testing/lab/reflector_lab.h"

#include <net/if.h>

#include <cstdlib>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "reflector/base/status_macros.h"
#include "testing/lab/command.h"
#include "testing/lab/host_traffic.h"
#include "testing/lab/runfiles.h"
#include "testing/lab/veth.h"
#include "xdp/bpf_link.h"

namespace reflector::testing::lab {
namespace {

// The frame builder's MACs (reflector/packet/testing/frame_builder.h), so table frames are
// addressed to this reflector and come from a NetAlly tester.
constexpr char kTesterMac[] = "00:c0:17:54:05:98";
constexpr char kReflectorMac[] = "02:00:5e:10:00:02";

constexpr absl::Duration kStartTimeout = absl::Seconds(20);

std::string OutputDirectory() {
  const char* outputs = std::getenv("TEST_UNDECLARED_OUTPUTS_DIR");
  if (outputs != nullptr) return outputs;
  const char* tmp = std::getenv("TEST_TMPDIR");
  return tmp != nullptr ? tmp : "/tmp";
}

}  // namespace

ReflectorLab::ReflectorLab(NetNamespace tester, NetNamespace reflector, std::string base)
    : tester_ns_(std::move(tester)),
      reflector_ns_(std::move(reflector)),
      tester_if_(base + "t"),
      reflector_if_(base + "r"),
      output_dir_(OutputDirectory()) {}

ReflectorLab::~ReflectorLab() {
  // The socket and program hold references to the tester namespace; close them first.
  tester_socket_.reset();
  tester_program_.reset();
}

absl::StatusOr<std::unique_ptr<ReflectorLab>> ReflectorLab::Create(ReflectorLabOptions options) {
  const std::string base = UniqueLabName("rflab");
  REFLECTOR_ASSIGN_OR_RETURN(NetNamespace tester, NetNamespace::Create(base + "-tester"));
  REFLECTOR_ASSIGN_OR_RETURN(NetNamespace reflector, NetNamespace::Create(base + "-reflector"));
  std::unique_ptr<ReflectorLab> lab(
      new ReflectorLab(std::move(tester), std::move(reflector), base));
  // The tester end has no stack addresses (the test frames carry the tester's 198.18.0.1
  // and 2001:2::1): with them, its kernel would answer reflected frames with ICMP port
  // unreachable and send MLD reports, which the daemon would count, and the tests compare the
  // daemon's counters exactly with what they sent.
  REFLECTOR_RETURN_IF_ERROR(CreateVethPair(
      {.ns = &lab->tester_ns_,
       .name = lab->tester_if_,
       .mac = kTesterMac,
       .addresses = {},
       .mtu = options.mtu},
      {.ns = &lab->reflector_ns_,
       .name = lab->reflector_if_,
       .mac = kReflectorMac,
       .addresses = {kReflectorIpv4, kReflectorIpv6},
       .mtu = options.mtu}));

  REFLECTOR_ASSIGN_OR_RETURN(XdpPassProgram program, XdpPassProgram::Load());
  lab->tester_program_.emplace(std::move(program));
  REFLECTOR_ASSIGN_OR_RETURN(NetnsEntry inside, NetnsEntry::Enter(lab->tester_ns_.name()));
  const int ifindex = static_cast<int>(if_nametoindex(lab->tester_if_.c_str()));
  if (ifindex == 0) return absl::NotFoundError(absl::StrCat(lab->tester_if_, " is missing"));
  REFLECTOR_RETURN_IF_ERROR(lab->tester_program_->Attach(ifindex));
  REFLECTOR_ASSIGN_OR_RETURN(PacketSocket socket, PacketSocket::Open(lab->tester_if_));
  lab->tester_socket_.emplace(std::move(socket));
  return lab;
}

absl::StatusOr<LabProcess> ReflectorLab::SpawnReflectord(const std::vector<std::string>& args) {
  REFLECTOR_ASSIGN_OR_RETURN(const std::string binary, RunfilePath("reflector/reflectord"));
  std::vector<std::string> argv = {binary};
  argv.insert(argv.end(), args.begin(), args.end());
  return SpawnInReflectorNs(std::move(argv));
}

absl::StatusOr<LabProcess> ReflectorLab::SpawnInReflectorNs(std::vector<std::string> argv) {
  return LabProcess::Start({.netns = reflector_ns_.name(),
                            .argv = std::move(argv),
                            .output_prefix = absl::StrCat(output_dir_, "/reflectord.", getpid(),
                                                          ".", processes_started_++)});
}

absl::StatusOr<LabProcess> ReflectorLab::StartReflectord(const std::vector<std::string>& flags) {
  std::vector<std::string> args = {"--interface=" + reflector_if_, "--stats_format=json",
                                   "--stats_interval=0"};
  args.insert(args.end(), flags.begin(), flags.end());
  REFLECTOR_ASSIGN_OR_RETURN(LabProcess daemon, SpawnReflectord(args));
  // The banner comes after the data path has started: from then on frames are handled.
  REFLECTOR_RETURN_IF_ERROR(daemon.WaitForStderr("  data path  ", kStartTimeout));
  return daemon;
}

absl::StatusOr<LabProcess> ReflectorLab::RunReflectordToExit(const std::vector<std::string>& args,
                                                             absl::Duration timeout) {
  REFLECTOR_ASSIGN_OR_RETURN(LabProcess daemon, SpawnReflectord(args));
  REFLECTOR_RETURN_IF_ERROR(daemon.Wait(timeout).status());
  return daemon;
}

absl::Status ReflectorLab::Send(absl::Span<const uint8_t> frame) {
  return tester_socket_->Send(frame);
}

absl::StatusOr<Capture> ReflectorLab::Collect(size_t reflections, absl::Duration timeout,
                                              absl::Duration quiet) {
  Capture capture;
  const absl::Time give_up = absl::Now() + timeout;
  while (true) {
    const absl::Time deadline =
        capture.returned.size() >= reflections ? std::min(give_up, absl::Now() + quiet) : give_up;
    REFLECTOR_ASSIGN_OR_RETURN(std::optional<Frame> frame, tester_socket_->Receive(deadline));
    if (!frame.has_value()) return capture;
    (CouldBeReflection(*frame) ? capture.returned : capture.host).push_back(*std::move(frame));
  }
}

absl::Status ReflectorLab::AddClsactQdisc() {
  REFLECTOR_RETURN_IF_ERROR(RunCommand(
      {"tc", "-n", reflector_ns_.name(), "qdisc", "add", "dev", reflector_if_, "clsact"}));
  test_clsact_ = true;
  return absl::OkStatus();
}

absl::Status ReflectorLab::CheckNothingAttached() const {
  REFLECTOR_ASSIGN_OR_RETURN(
      const std::string link,
      RunCommandOutput({"ip", "-n", reflector_ns_.name(), "-o", "link", "show", reflector_if_}));
  if (absl::StrContains(link, "xdp")) {
    return absl::FailedPreconditionError(absl::StrCat("an XDP program is still attached: ", link));
  }
  {
    // tcx programs hang on no qdisc, and bpftool 7.1 (Debian 12) does not list them.
    REFLECTOR_ASSIGN_OR_RETURN(NetnsEntry inside, NetnsEntry::Enter(reflector_ns_.name()));
    const int ifindex = static_cast<int>(if_nametoindex(reflector_if_.c_str()));
    if (ifindex == 0) return absl::NotFoundError(absl::StrCat(reflector_if_, " is missing"));
    REFLECTOR_ASSIGN_OR_RETURN(const std::vector<uint32_t> tcx,
                               xdp::TcxIngressProgramIds(ifindex));
    if (!tcx.empty()) {
      return absl::FailedPreconditionError(
          absl::StrCat("a tcx ingress program is still attached: id ", absl::StrJoin(tcx, ", ")));
    }
  }
  for (const char* hook : {"ingress", "egress"}) {
    REFLECTOR_ASSIGN_OR_RETURN(const std::string filters,
                               RunCommandOutput({"tc", "-n", reflector_ns_.name(), "filter",
                                                 "show", "dev", reflector_if_, hook}));
    if (!filters.empty()) {
      return absl::FailedPreconditionError(
          absl::StrCat("a tc ", hook, " filter is left: ", filters));
    }
  }
  REFLECTOR_ASSIGN_OR_RETURN(
      const std::string qdiscs,
      RunCommandOutput({"tc", "-n", reflector_ns_.name(), "qdisc", "show", "dev", reflector_if_}));
  const bool clsact = absl::StrContains(qdiscs, "clsact");
  if (test_clsact_ && !clsact) {
    return absl::FailedPreconditionError(
        absl::StrCat("the clsact qdisc the test added is gone: ", qdiscs));
  }
  if ((clsact && !test_clsact_) || absl::StrContains(qdiscs, "qdisc ingress")) {
    return absl::FailedPreconditionError(absl::StrCat("a tc qdisc is left: ", qdiscs));
  }
  return absl::OkStatus();
}

}  // namespace reflector::testing::lab
