// ito-tester --protocol=stamp / twamp-light against reflectord in the SPEC §7 lab, once per
// data path: reflectord with the stamp and twamp-light profiles in one namespace, the tester's
// UDP socket in the other. 10,000 packets at 10 kfps must all come back, with a plausible
// round trip and reflector dwell, the sender's TTL echoed, the reflector's error estimate and,
// for STAMP packets of 44 bytes, its answer to an RFC 8972 Timestamp Information TLV (sent as
// 52). Also with 14-byte packets, TWAMP-Light's shortest and nokia/twampy's default (RFC 5357
// §4.1.2), which carry no TLVs: every answer is longer than its request, 41 bytes on the
// twamp-light port (RFC 5357 §4.2.1) and 44 on the stamp one (RFC 8762 §4.6), so each data path
// grows the frame.
#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#define JSON_NOEXCEPTION 1
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "reflector/packet/testing/frame_builder.h"
#include "testing/lab/daemon_stats.h"
#include "testing/lab/lab_process.h"
#include "testing/lab/reflector_lab.h"
#include "testing/lab/require_root.h"

namespace reflector::tester {
namespace {

namespace lab = ::reflector::testing::lab;

constexpr absl::Duration kDeadline = absl::Seconds(30);
constexpr int kTwampPort = 5862;

// Data path, protocol, --stamp_size.
using StampLabCase = std::tuple<std::string, std::string, int>;

// The lab for a tester's UDP socket.
absl::StatusOr<std::unique_ptr<lab::ReflectorLab>> CreateLab() {
  lab::ReflectorLabOptions options;
  options.tester_mac = packet::testing::kNicMac;
  options.tester_addresses = true;
  // A veth delivers XDP_TX frames only to a peer with an XDP program (its NAPI): the lab's
  // XDP_PASS one, since ito-tester attaches none for a UDP socket.
  options.tester_xdp_pass = true;
  options.tester_socket = false;
  absl::StatusOr<std::unique_ptr<lab::ReflectorLab>> created = lab::ReflectorLab::Create(options);
  if (!created.ok()) return created.status();
  // A veth hands the peer's XDP program a UDP checksum left to offload (only the
  // pseudo-header's part); a NIC puts the complete one on the wire. The tester's kernel then
  // drops the reflected packets as corrupt, so its end computes checksums itself, as on a wire.
  if (absl::Status off = (*created)->tester_ns().Run(
          {"ethtool", "-K", (*created)->tester_if(), "tx", "off"});
      !off.ok()) {
    return off;
  }
  return created;
}

class StampLabTest : public ::testing::TestWithParam<StampLabCase> {};

TEST_P(StampLabTest, EveryPacketComesBackWithPlausibleTimes) {
  REFLECTOR_REQUIRE_ROOT();
  const auto& [datapath, protocol, size] = GetParam();
  absl::StatusOr<std::unique_ptr<lab::ReflectorLab>> created = CreateLab();
  ASSERT_TRUE(created.ok()) << created.status();
  std::unique_ptr<lab::ReflectorLab> the_lab = *std::move(created);
  absl::StatusOr<lab::LabProcess> daemon = the_lab->StartReflectord(
      {"--datapath=" + datapath, "--profile=ito,stamp,twamp-light",
       absl::StrCat("--twamp_light_ports=", kTwampPort)});
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  std::optional<lab::LabProcess> reflectord;
  reflectord.emplace(*std::move(daemon));

  std::vector<std::string> flags = {"--dst_ip=198.18.0.2",
                                    "--protocol=" + protocol,
                                    "--rate=10k",
                                    "--count=10000",
                                    "--duration=5s",
                                    "--json",
                                    absl::StrCat("--stamp_size=", size)};
  if (protocol == "twamp-light") flags.push_back(absl::StrCat("--dst_port=", kTwampPort));
  // STAMP packets of the base packet's 44 bytes carry an RFC 8972 Timestamp Information TLV
  // (stamp_tlv.h answers it); shorter ones have no room for TLVs.
  const bool tlv = protocol == "stamp" && size >= 44;
  if (tlv) flags.push_back("--stamp_tlv=timestamp-info");
  absl::StatusOr<lab::LabProcess> tester = the_lab->StartItoTester(flags);
  ASSERT_TRUE(tester.ok()) << tester.status();
  const absl::StatusOr<int> code = tester->Wait(kDeadline);
  ASSERT_TRUE(code.ok()) << code.status();
  const std::string out = tester->Stdout();
  std::printf("%s %s: %s", datapath.c_str(), protocol.c_str(), out.c_str());
  EXPECT_EQ(*code, 0) << out << tester->Stderr() << "\nreflectord:\n"
                      << reflectord->Stdout() << reflectord->Stderr();
  const nlohmann::json r = nlohmann::json::parse(out, nullptr, false);
  ASSERT_FALSE(r.is_discarded()) << out;
  EXPECT_EQ(r["sent"].get<int64_t>(), 10000) << out;
  EXPECT_EQ(r["received"].get<int64_t>(), 10000) << out;
  EXPECT_EQ(r["lost"].get<int64_t>(), 0) << out;
  EXPECT_EQ(r["duplicates"].get<int64_t>(), 0) << out;
  EXPECT_EQ(r["malformed"].get<int64_t>(), 0) << out;
  // Dwell: T3 after T2, and well under a millisecond even for a userspace worker's batch.
  EXPECT_GE(r["dwell"]["min_ns"].get<int64_t>(), 0) << out;
  EXPECT_LT(r["dwell"]["avg_ns"].get<double>(), 1e6) << out;
  // Round trip without the dwell: positive (one host, one clock) and below 50 ms on a veth.
  EXPECT_GT(r["round_trip_us"]["min"].get<double>(), 0) << out;
  EXPECT_LT(r["round_trip_us"]["mean"].get<double>(), 50e3) << out;
  EXPECT_EQ(r["unknown"].get<int64_t>(), 0) << out;
  // One clock on both ends: each one-way delay is positive.
  EXPECT_GT(r["forward"]["min_ns"].get<int64_t>(), 0) << out;
  EXPECT_GT(r["backward"]["min_ns"].get<int64_t>(), 0) << out;
  EXPECT_EQ(r["sender_ttl"].get<int>(), 64) << out;  // the tester's default TTL, one hop
  EXPECT_NE(r["error_estimate"].get<int>() & 0xff, 0) << out;
  if (tlv) {
    // Both times from the kernel clock in software; its sync source what the S bit says.
    const nlohmann::json& info = r["timestamp_info"];
    ASSERT_TRUE(info.is_object()) << out;
    EXPECT_FALSE(info["unrecognized"].get<bool>()) << out;
    EXPECT_FALSE(info["malformed"].get<bool>()) << out;
    EXPECT_EQ(info["method_in"], "software-local") << out;
    EXPECT_EQ(info["method_out"], "software-local") << out;
    const std::string sync = r["synchronised"].get<bool>() ? "ntp" : "local free-running";
    EXPECT_EQ(info["sync_in"], sync) << out;
    EXPECT_EQ(info["sync_out"], sync) << out;
  }
  const int sent = tlv ? std::max(size, 52) : size;  // the TLV makes a 44-byte packet 52
  const int answer = sent >= 44 ? sent : (protocol == "twamp-light" ? 41 : 44);
  EXPECT_EQ(r["packet_bytes"].get<int>(), sent) << out;
  EXPECT_EQ(r["answer_bytes"]["min"].get<int>(), answer) << out;
  EXPECT_EQ(r["answer_bytes"]["max"].get<int>(), answer) << out;
}

// An answer the MTU cannot carry: with the reflector's MTU at IPv4's least, 68 bytes, a
// 14-byte TWAMP-Light packet (a 42-byte IP packet) would get a 69-byte answer. The XDP program,
// which holds the answer's IP packet to the MTU (bpf_check_mtu), sends none and counts each as
// `no_room`. (The userspace paths allow MTU + Ethernet header + two tags, so 68 is no limit
// for them; the worker's no_room is tested in reflector/engine.)
TEST(StampLabMtuTest, XdpCountsAnswersOverTheMtuAsNoRoom) {
  REFLECTOR_REQUIRE_ROOT();
  absl::StatusOr<std::unique_ptr<lab::ReflectorLab>> created = CreateLab();
  ASSERT_TRUE(created.ok()) << created.status();
  std::unique_ptr<lab::ReflectorLab> the_lab = *std::move(created);
  ASSERT_TRUE(the_lab->reflector_ns()
                  .Run({"ip", "link", "set", "dev", the_lab->reflector_if(), "mtu", "68"})
                  .ok());
  absl::StatusOr<lab::LabProcess> daemon = the_lab->StartReflectord(
      {"--datapath=xdp", "--profile=twamp-light", absl::StrCat("--twamp_light_ports=", kTwampPort)});
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  absl::StatusOr<lab::LabProcess> tester = the_lab->StartItoTester(
      {"--dst_ip=198.18.0.2", "--protocol=twamp-light", absl::StrCat("--dst_port=", kTwampPort),
       "--rate=1k", "--count=100", "--duration=5s", "--stamp_size=14", "--json"});
  ASSERT_TRUE(tester.ok()) << tester.status();
  ASSERT_TRUE(tester->Wait(kDeadline).ok());
  const std::string out = tester->Stdout();
  const nlohmann::json r = nlohmann::json::parse(out, nullptr, false);
  ASSERT_FALSE(r.is_discarded()) << out << tester->Stderr();
  EXPECT_EQ(r["sent"].get<int64_t>(), 100) << out;
  EXPECT_EQ(r["received"].get<int64_t>(), 0) << out;
  absl::StatusOr<lab::DaemonCounters> counted = lab::StopAndCount(*daemon, kDeadline);
  ASSERT_TRUE(counted.ok()) << counted.status();
  EXPECT_EQ(counted->Rejected("no_room"), 100u) << daemon->Describe();
  EXPECT_EQ(counted->reflected_frames, 0u) << daemon->Describe();
}

std::string CaseName(const ::testing::TestParamInfo<StampLabCase>& info) {
  std::string name = absl::StrCat(std::get<0>(info.param), "_", std::get<1>(info.param), "_",
                                  std::get<2>(info.param), "_bytes");
  for (char& c : name) {
    if (c == '-') c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(DataPaths, StampLabTest,
                         ::testing::Combine(::testing::Values("xdp", "afxdp", "afpacket"),
                                            ::testing::Values("stamp", "twamp-light"),
                                            ::testing::Values(44)),
                         CaseName);

// Senders shorter than the answer: the frame grows. On xdp over the lab's veth a UDP socket's
// frame comes with little tailroom (veth copies it into a buffer sized to the frame), so the
// program grows these at the front (rf_xdp_stamp_room): all must come back there too.
INSTANTIATE_TEST_SUITE_P(ShortSenders, StampLabTest,
                         ::testing::Combine(::testing::Values("xdp", "afxdp", "afpacket"),
                                            ::testing::Values("twamp-light", "stamp"),
                                            ::testing::Values(14)),
                         CaseName);

}  // namespace
}  // namespace reflector::tester
