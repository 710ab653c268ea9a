// The lab itself: what each option of ReflectorLabOptions builds, read back from the kernel
// with ip/sysctl, and the processes it starts (namespace and CPU). Needs root.
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "reflector/packet/config.h"
#include "reflector/packet/testing/frame_builder.h"
#include "testing/lab/command.h"
#include "testing/lab/hosts.h"
#include "testing/lab/ping.h"
#include "testing/lab/reflector_lab.h"
#include "testing/lab/require_root.h"

namespace reflector::testing::lab {
namespace {

using packet::FormatMac;
using ::testing::HasSubstr;
using ::testing::Not;

// `ip -d link show` of one end: MAC, MTU, queue counts, an XDP program.
std::string Link(const ReflectorLab& lab, End end) {
  absl::StatusOr<std::string> out = RunCommandOutput(
      {"ip", "-n", lab.ns(end).name(), "-d", "-o", "link", "show", lab.interface(end)});
  EXPECT_TRUE(out.ok()) << out.status();
  return out.ok() ? *out : "";
}

std::string Addresses(const ReflectorLab& lab, End end) {
  absl::StatusOr<std::string> out = RunCommandOutput(
      {"ip", "-n", lab.ns(end).name(), "-o", "address", "show", "dev", lab.interface(end)});
  EXPECT_TRUE(out.ok()) << out.status();
  return out.ok() ? *out : "";
}

std::string InNamespace(const ReflectorLab& lab, End end, const std::vector<std::string>& argv) {
  std::vector<std::string> command = {"ip", "netns", "exec", lab.ns(end).name()};
  command.insert(command.end(), argv.begin(), argv.end());
  absl::StatusOr<std::string> out = RunCommandOutput(command);
  EXPECT_TRUE(out.ok()) << out.status();
  return out.ok() ? std::string(absl::StripAsciiWhitespace(*out)) : "";
}

// The names `ip netns list` shows.
std::vector<std::string> Namespaces() {
  absl::StatusOr<std::string> out = RunCommandOutput({"ip", "netns", "list"});
  EXPECT_TRUE(out.ok()) << out.status();
  std::vector<std::string> names;
  for (absl::string_view line : absl::StrSplit(out.ok() ? *out : "", '\n', absl::SkipEmpty())) {
    names.emplace_back(line.substr(0, line.find(' ')));
  }
  return names;
}

// The queues the interface uses: "rx-0 tx-0".
std::string Queues(const ReflectorLab& lab, End end) {
  return absl::StrJoin(
      absl::StrSplit(InNamespace(lab, end,
                                 {"ls", absl::StrCat("/sys/class/net/", lab.interface(end),
                                                     "/queues")}),
                     '\n', absl::SkipEmpty()),
      " ");
}

TEST(ReflectorLabTest, DefaultsAreTheDaemonsLab) {
  REFLECTOR_REQUIRE_ROOT();
  absl::StatusOr<std::unique_ptr<ReflectorLab>> lab = ReflectorLab::Create();
  ASSERT_TRUE(lab.ok()) << lab.status();
  const ReflectorLab& l = **lab;
  EXPECT_EQ(l.ns(End::kTester).name(), l.tester_ns().name());
  EXPECT_EQ(l.interface(End::kReflector), l.reflector_if());

  const std::string reflector = Link(l, End::kReflector);
  EXPECT_THAT(reflector, HasSubstr(FormatMac(packet::testing::kReflectorMac)));
  EXPECT_THAT(reflector, HasSubstr("mtu 1500 "));
  EXPECT_EQ(Queues(l, End::kReflector), "rx-0 tx-0");
  EXPECT_THAT(reflector, Not(HasSubstr("xdp")));
  EXPECT_THAT(Addresses(l, End::kReflector),
              HasSubstr(" " + Ipv4Cidr(packet::testing::kReflectorIpv4) + " "));
  EXPECT_THAT(Addresses(l, End::kReflector),
              HasSubstr(" " + Ipv6Cidr(packet::testing::kReflectorIpv6) + " "));

  const std::string tester = Link(l, End::kTester);
  EXPECT_THAT(tester, HasSubstr(FormatMac(packet::testing::kTesterMac)));
  EXPECT_THAT(tester, HasSubstr("prog/xdp id "));  // the XDP_PASS program
  EXPECT_EQ(Addresses(l, End::kTester), "");        // no stack address, IPv6 off
  EXPECT_EQ(InNamespace(l, End::kReflector, {"sysctl", "-n", "net.ipv4.icmp_ratelimit"}),
            "1000");

  // The tester's socket sends and receives: a test frame to a closed port of the reflector's
  // stack makes it look for the tester's address (ARP, to send port unreachable), which the
  // socket sees as the reflector host's own traffic.
  ASSERT_TRUE((*lab)->Send(packet::testing::FrameBuilder().Build()).ok());
  absl::StatusOr<Capture> capture = (*lab)->Collect(0, absl::Seconds(3));
  ASSERT_TRUE(capture.ok()) << capture.status();
  bool arp = false;
  for (const Frame& frame : capture->host) {
    arp = arp || (frame.size() >= 14 && frame[12] == 0x08 && frame[13] == 0x06 &&
                  std::equal(frame.begin() + 6, frame.begin() + 12,
                             packet::testing::kReflectorMac.begin()));
  }
  EXPECT_TRUE(arp) << capture->host.size() << " host frames, none an ARP from the reflector";
  EXPECT_TRUE(capture->returned.empty());
}

TEST(ReflectorLabTest, OptionsShapeTheLinkAddressesAndNeighbours) {
  REFLECTOR_REQUIRE_ROOT();
  if (sysconf(_SC_NPROCESSORS_ONLN) < 2) GTEST_SKIP() << "two queues need two CPUs";
  ReflectorLabOptions options;
  options.mtu = 9000;
  options.queues = 2;
  options.ipv6 = false;
  options.tester_addresses = true;
  options.static_neighbours = true;
  options.icmp_rate_limit = false;
  options.tester_mac = packet::testing::kNicMac;
  options.tester_xdp_pass = false;  // native XDP refuses an MTU above a page
  options.tester_socket = false;
  absl::StatusOr<std::unique_ptr<ReflectorLab>> lab = ReflectorLab::Create(options);
  ASSERT_TRUE(lab.ok()) << lab.status();
  const ReflectorLab& l = **lab;

  for (End end : {End::kTester, End::kReflector}) {
    const std::string link = Link(l, end);
    EXPECT_THAT(link, HasSubstr("mtu 9000 "));
    EXPECT_EQ(Queues(l, end), "rx-0 rx-1 tx-0 tx-1");
    EXPECT_THAT(link, Not(HasSubstr("xdp")));
    EXPECT_THAT(Addresses(l, end), Not(HasSubstr("inet6")));
  }
  EXPECT_THAT(Link(l, End::kTester), HasSubstr(FormatMac(packet::testing::kNicMac)));
  EXPECT_THAT(Addresses(l, End::kTester),
              HasSubstr(" " + Ipv4Cidr(packet::testing::kTesterIpv4) + " "));
  // XPS: the tester's tx queue q serves CPU q.
  for (int q = 0; q < 2; ++q) {
    const std::string mask = InNamespace(
        l, End::kTester,
        {"cat", absl::StrCat("/sys/class/net/", l.tester_if(), "/queues/tx-", q, "/xps_cpus")});
    uint32_t cpus = 0;
    ASSERT_TRUE(absl::SimpleHexAtoi(mask, &cpus)) << mask;
    EXPECT_EQ(cpus, 1u << q) << "tx-" << q;
  }

  absl::StatusOr<std::string> neighbours =
      RunCommandOutput({"ip", "-n", l.tester_ns().name(), "neigh", "show", "dev", l.tester_if()});
  ASSERT_TRUE(neighbours.ok()) << neighbours.status();
  EXPECT_THAT(*neighbours, HasSubstr(absl::StrCat(Ipv4Text(packet::testing::kReflectorIpv4),
                                                  " lladdr ",
                                                  FormatMac(packet::testing::kReflectorMac),
                                                  " PERMANENT")));
  neighbours = RunCommandOutput(
      {"ip", "-n", l.reflector_ns().name(), "neigh", "show", "dev", l.reflector_if()});
  ASSERT_TRUE(neighbours.ok()) << neighbours.status();
  EXPECT_THAT(*neighbours, HasSubstr(absl::StrCat(Ipv4Text(packet::testing::kTesterIpv4),
                                                  " lladdr ", FormatMac(packet::testing::kNicMac),
                                                  " PERMANENT")));
  EXPECT_EQ(InNamespace(l, End::kReflector, {"sysctl", "-n", "net.ipv4.icmp_ratelimit"}), "0");

  // The tester's stack reaches the reflector's.
  {
    absl::StatusOr<NetnsEntry> inside = l.Enter(End::kTester);
    ASSERT_TRUE(inside.ok()) << inside.status();
    EXPECT_TRUE(PingIpv4(Ipv4Text(packet::testing::kReflectorIpv4), absl::Seconds(3)).ok());
  }
  // No socket asked for, none to send on.
  EXPECT_EQ((*lab)->Send(packet::testing::FrameBuilder().Build()).code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(ReflectorLabTest, ProcessesRunInTheirEndsNamespaceOnTheirCpu) {
  REFLECTOR_REQUIRE_ROOT();
  cpu_set_t cpus;
  ASSERT_EQ(sched_getaffinity(0, sizeof(cpus), &cpus), 0);
  if (!CPU_ISSET(1, &cpus)) GTEST_SKIP() << "needs CPU 1";
  ReflectorLabOptions options;
  options.tester_socket = false;
  absl::StatusOr<std::unique_ptr<ReflectorLab>> lab = ReflectorLab::Create(options);
  ASSERT_TRUE(lab.ok()) << lab.status();
  for (End end : {End::kTester, End::kReflector}) {
    // sysfs in the process's mount namespace shows its network namespace's devices.
    absl::StatusOr<LabProcess> shell = (*lab)->Spawn(
        end, {"/bin/sh", "-c",
              absl::StrCat("grep Cpus_allowed_list /proc/self/status; cat /sys/class/net/",
                           (*lab)->interface(end), "/address")},
        /*cpu=*/1);
    ASSERT_TRUE(shell.ok()) << shell.status();
    absl::StatusOr<int> code = shell->Wait(absl::Seconds(10));
    ASSERT_TRUE(code.ok()) << code.status();
    EXPECT_EQ(*code, 0) << shell->Describe();
    EXPECT_EQ(shell->Stdout(),
              absl::StrCat("Cpus_allowed_list:\t1\n",
                           FormatMac(end == End::kTester ? packet::testing::kTesterMac
                                                         : packet::testing::kReflectorMac),
                           "\n"));
  }
}

TEST(ReflectorLabTest, NamesAreUniqueAndEverythingGoesWithTheLab) {
  REFLECTOR_REQUIRE_ROOT();
  absl::StatusOr<std::unique_ptr<ReflectorLab>> first = ReflectorLab::Create();
  ASSERT_TRUE(first.ok()) << first.status();
  absl::StatusOr<std::unique_ptr<ReflectorLab>> second = ReflectorLab::Create();
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_NE((*first)->tester_ns().name(), (*second)->tester_ns().name());
  EXPECT_NE((*first)->reflector_if(), (*second)->reflector_if());
  EXPECT_LE((*first)->reflector_if().size(), 15u);  // IFNAMSIZ - 1
  const std::vector<std::string> names = {(*first)->tester_ns().name(),
                                          (*first)->reflector_ns().name()};
  EXPECT_THAT(Namespaces(), ::testing::IsSupersetOf(names));
  first->reset();
  for (const std::string& name : names) {
    EXPECT_THAT(Namespaces(), Not(::testing::Contains(name)));
  }
  EXPECT_THAT(Namespaces(), ::testing::Contains((*second)->tester_ns().name()));
}

}  // namespace
}  // namespace reflector::testing::lab
