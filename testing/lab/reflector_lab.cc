#include "testing/lab/reflector_lab.h"

#include <net/if.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

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

using packet::testing::kReflectorIpv4;
using packet::testing::kReflectorIpv6;
using packet::testing::kReflectorMac;
using packet::testing::kTesterIpv4;
using packet::testing::kTesterIpv6;

constexpr absl::Duration kStartTimeout = absl::Seconds(20);

std::string DefaultOutputDirectory() {
  const char* outputs = std::getenv("TEST_UNDECLARED_OUTPUTS_DIR");
  if (outputs != nullptr) return outputs;
  const char* tmp = std::getenv("TEST_TMPDIR");
  return tmp != nullptr ? tmp : "/tmp";
}

std::string Address(const std::string& with_prefix) {
  return with_prefix.substr(0, with_prefix.find('/'));
}

bool HasIpv6(const VethEnd& end) {
  return absl::StrContains(absl::StrJoin(end.addresses, " "), ":");
}

// `end` learns the addresses of `peer` for good, in the families `end` has.
absl::Status AddStaticNeighbours(const VethEnd& end, const VethEnd& peer) {
  for (const std::string& address : peer.addresses) {
    if (absl::StrContains(address, ':') && !HasIpv6(end)) continue;
    REFLECTOR_RETURN_IF_ERROR(end.ns->Run({"ip", "neigh", "add", Address(address), "lladdr",
                                           peer.mac, "nud", "permanent", "dev", end.name}));
  }
  return absl::OkStatus();
}

// XPS: tester tx queue q only for CPU q, so a sender pinned to a CPU picks its queue.
absl::Status SteerQueuesByCpu(const VethEnd& end, int queues) {
  if (queues > 64) return absl::InvalidArgumentError("at most 64 queues");
  for (int q = 0; q < queues; ++q) {
    REFLECTOR_RETURN_IF_ERROR(
        end.ns->Run({"sh", "-c",
                     absl::StrCat("echo ", absl::Hex(uint64_t{1} << q), " > /sys/class/net/",
                                  end.name, "/queues/tx-", q, "/xps_cpus")}));
  }
  return absl::OkStatus();
}

std::string Basename(const std::string& path) { return path.substr(path.rfind('/') + 1); }

}  // namespace

ReflectorLab::ReflectorLab(NetNamespace tester, NetNamespace reflector, std::string base,
                           std::string output_dir)
    : tester_ns_(std::move(tester)),
      reflector_ns_(std::move(reflector)),
      tester_if_(base + "t"),
      reflector_if_(base + "r"),
      output_dir_(std::move(output_dir)) {}

ReflectorLab::~ReflectorLab() {
  // The socket and program hold references to the tester namespace; close them first.
  tester_socket_.reset();
  tester_program_.reset();
  ForgetStateRecords();
}

void ReflectorLab::ForgetStateRecords() const {
  // A test that kills an XDP data path leaves its rx-vlan-offload record in reflectord's
  // state directory for a next start that, once the lab is gone, never comes. The lab's
  // interface names are its own, so every record of this interface is this lab's.
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(kStateDirectory, error)) {
    const std::string name = entry.path().filename();
    if (absl::StartsWith(name, reflector_if_ + ".netns-")) std::filesystem::remove(entry, error);
  }
}

absl::StatusOr<std::unique_ptr<ReflectorLab>> ReflectorLab::Create(ReflectorLabOptions options) {
  if (options.queues < 1) return absl::InvalidArgumentError("a lab needs at least one queue");
  const std::string base = UniqueLabName("rflab");
  REFLECTOR_ASSIGN_OR_RETURN(NetNamespace tester, NetNamespace::Create(base + "-tester"));
  REFLECTOR_ASSIGN_OR_RETURN(NetNamespace reflector, NetNamespace::Create(base + "-reflector"));
  std::unique_ptr<ReflectorLab> lab(new ReflectorLab(
      std::move(tester), std::move(reflector), base,
      options.output_dir.empty() ? DefaultOutputDirectory() : options.output_dir));
  REFLECTOR_RETURN_IF_ERROR(lab->Compose(options));
  return lab;
}

absl::Status ReflectorLab::Compose(const ReflectorLabOptions& options) {
  VethEnd tester = {.ns = &tester_ns_,
                    .name = tester_if_,
                    .mac = packet::FormatMac(options.tester_mac),
                    .addresses = {},
                    .mtu = options.mtu,
                    .queues = options.queues};
  VethEnd reflector = {.ns = &reflector_ns_,
                       .name = reflector_if_,
                       .mac = packet::FormatMac(kReflectorMac),
                       .addresses = {Ipv4Cidr(kReflectorIpv4)},
                       .mtu = options.mtu,
                       .queues = options.queues};
  if (options.ipv6) reflector.addresses.push_back(Ipv6Cidr(kReflectorIpv6));
  if (options.tester_addresses) {
    tester.addresses.push_back(Ipv4Cidr(kTesterIpv4));
    if (options.ipv6) tester.addresses.push_back(Ipv6Cidr(kTesterIpv6));
  }
  REFLECTOR_RETURN_IF_ERROR(CreateVethPair(tester, reflector));
  if (options.queues > 1) REFLECTOR_RETURN_IF_ERROR(SteerQueuesByCpu(tester, options.queues));
  if (options.static_neighbours) {
    REFLECTOR_RETURN_IF_ERROR(AddStaticNeighbours(tester, reflector));
    REFLECTOR_RETURN_IF_ERROR(AddStaticNeighbours(reflector, tester));
  }
  if (!options.icmp_rate_limit) {
    REFLECTOR_RETURN_IF_ERROR(
        reflector_ns_.Run({"sysctl", "-q", "-w", "net.ipv4.icmp_ratelimit=0"}));
    REFLECTOR_RETURN_IF_ERROR(
        reflector_ns_.Run({"sysctl", "-q", "-w", "net.ipv6.icmp.ratelimit=0"}));
  }

  {
    REFLECTOR_ASSIGN_OR_RETURN(NetnsEntry inside, Enter(End::kReflector));
    reflector_ifindex_ = static_cast<int>(if_nametoindex(reflector_if_.c_str()));
    if (reflector_ifindex_ == 0) {
      return absl::NotFoundError(absl::StrCat(reflector_if_, " is missing"));
    }
  }
  REFLECTOR_ASSIGN_OR_RETURN(NetnsEntry inside, Enter(End::kTester));
  tester_ifindex_ = static_cast<int>(if_nametoindex(tester_if_.c_str()));
  if (tester_ifindex_ == 0) return absl::NotFoundError(absl::StrCat(tester_if_, " is missing"));
  if (options.tester_xdp_pass) {
    REFLECTOR_ASSIGN_OR_RETURN(XdpPassProgram program, XdpPassProgram::Load());
    tester_program_.emplace(std::move(program));
    REFLECTOR_RETURN_IF_ERROR(tester_program_->Attach(tester_ifindex_));
  }
  if (options.tester_socket) {
    REFLECTOR_ASSIGN_OR_RETURN(PacketSocket socket, PacketSocket::Open(tester_if_));
    tester_socket_.emplace(std::move(socket));
  }
  return absl::OkStatus();
}

absl::StatusOr<NetnsEntry> ReflectorLab::Enter(End end) const {
  return NetnsEntry::Enter(ns(end).name());
}

absl::StatusOr<LabProcess> ReflectorLab::Spawn(End end, std::vector<std::string> argv, int cpu) {
  if (argv.empty()) return absl::InvalidArgumentError("no program to start");
  std::string output_prefix = absl::StrCat(output_dir_, "/", Basename(argv[0]), ".", getpid(),
                                           ".", processes_started_++);
  return LabProcess::Start({.netns = ns(end).name(),
                            .argv = std::move(argv),
                            .output_prefix = std::move(output_prefix),
                            .cpu = cpu});
}

absl::StatusOr<LabProcess> ReflectorLab::StartItoTester(const std::vector<std::string>& flags,
                                                        int cpu) {
  REFLECTOR_ASSIGN_OR_RETURN(const std::string binary, RunfilePath("tools/ito-tester"));
  std::vector<std::string> argv = {binary, "--interface=" + tester_if_};
  argv.insert(argv.end(), flags.begin(), flags.end());
  return Spawn(End::kTester, std::move(argv), cpu);
}

absl::StatusOr<LabProcess> ReflectorLab::SpawnReflectord(const std::vector<std::string>& args) {
  REFLECTOR_ASSIGN_OR_RETURN(const std::string binary, RunfilePath("reflector/reflectord"));
  std::vector<std::string> argv = {binary};
  argv.insert(argv.end(), args.begin(), args.end());
  return Spawn(End::kReflector, std::move(argv));
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

absl::Status ReflectorLab::NeedSocket() const {
  if (tester_socket_.has_value()) return absl::OkStatus();
  return absl::FailedPreconditionError(
      "this lab has no tester socket: create it with ReflectorLabOptions::tester_socket");
}

absl::Status ReflectorLab::Send(absl::Span<const uint8_t> frame) {
  REFLECTOR_RETURN_IF_ERROR(NeedSocket());
  return tester_socket_->Send(frame);
}

absl::StatusOr<std::optional<Frame>> ReflectorLab::Receive(absl::Time deadline) {
  REFLECTOR_RETURN_IF_ERROR(NeedSocket());
  return tester_socket_->Receive(deadline);
}

absl::StatusOr<std::vector<Frame>> ReflectorLab::ReceiveUntilQuiet(absl::Duration quiet) {
  std::vector<Frame> frames;
  while (true) {
    REFLECTOR_ASSIGN_OR_RETURN(std::optional<Frame> frame, Receive(absl::Now() + quiet));
    if (!frame.has_value()) return frames;
    frames.push_back(*std::move(frame));
  }
}

absl::StatusOr<Capture> ReflectorLab::Collect(size_t reflections, absl::Duration timeout,
                                              absl::Duration quiet) {
  Capture capture;
  const absl::Time give_up = absl::Now() + timeout;
  while (true) {
    const absl::Time deadline =
        capture.returned.size() >= reflections ? std::min(give_up, absl::Now() + quiet) : give_up;
    REFLECTOR_ASSIGN_OR_RETURN(std::optional<Frame> frame, Receive(deadline));
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
