#include "testing/lab/veth.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "reflector/base/status_macros.h"
#include "testing/lab/command.h"

namespace reflector::testing::lab {
namespace {

absl::Status Configure(const VethEnd& end) {
  const NetNamespace& ns = *end.ns;
  // Without IPv6 addresses there is no DAD, router or MLD chatter; with them, skip DAD.
  const bool ipv6 = absl::StrContains(absl::StrJoin(end.addresses, " "), ":");
  REFLECTOR_RETURN_IF_ERROR(ns.Run({"sysctl", "-q", "-w",
                                    absl::StrCat("net.ipv6.conf.", end.name, ".disable_ipv6=",
                                                 ipv6 ? "0" : "1")}));
  if (ipv6) {
    REFLECTOR_RETURN_IF_ERROR(ns.Run(
        {"sysctl", "-q", "-w", absl::StrCat("net.ipv6.conf.", end.name, ".accept_dad=0")}));
  }
  REFLECTOR_RETURN_IF_ERROR(ns.Run({"ip", "link", "set", "dev", end.name, "address", end.mac,
                                    "mtu", absl::StrCat(end.mtu)}));
  for (const std::string& address : end.addresses) {
    REFLECTOR_RETURN_IF_ERROR(
        ns.Run({"ip", "address", "add", address, "dev", end.name, "nodad"}));
  }
  return ns.Run({"ip", "link", "set", "dev", end.name, "up"});
}

}  // namespace

absl::Status CreateVethPair(const VethEnd& a, const VethEnd& b) {
  auto end = [](const VethEnd& e) {
    std::vector<std::string> args = {e.name, "netns", e.ns->name()};
    // One queue is the kernel's default (one in use, room for one per CPU): say nothing then.
    if (e.queues > 1) {
      args.insert(args.end(), {"numrxqueues", absl::StrCat(e.queues), "numtxqueues",
                               absl::StrCat(e.queues)});
    }
    return args;
  };
  std::vector<std::string> command = {"ip", "link", "add"};
  for (std::string& arg : end(a)) command.push_back(std::move(arg));
  command.insert(command.end(), {"type", "veth", "peer", "name"});
  for (std::string& arg : end(b)) command.push_back(std::move(arg));
  REFLECTOR_RETURN_IF_ERROR(RunCommand(command));
  REFLECTOR_RETURN_IF_ERROR(Configure(a));
  return Configure(b);
}

}  // namespace reflector::testing::lab
