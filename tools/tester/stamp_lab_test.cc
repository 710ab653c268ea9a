// ito-tester --protocol=stamp / twamp-light against reflectord in the SPEC §7 lab, once per
// data path: reflectord with the stamp and twamp-light profiles in one namespace, the tester's
// UDP socket in the other. 10,000 packets at 10 kfps must all come back, with a plausible
// round trip and reflector dwell, the sender's TTL echoed, the reflector's error estimate and,
// for STAMP, its answer to an RFC 8972 Timestamp Information TLV.
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
#include "testing/lab/lab_process.h"
#include "testing/lab/reflector_lab.h"
#include "testing/lab/require_root.h"

namespace reflector::tester {
namespace {

namespace lab = ::reflector::testing::lab;

constexpr absl::Duration kDeadline = absl::Seconds(30);
constexpr int kTwampPort = 5862;

class StampLabTest
    : public ::testing::TestWithParam<std::tuple<std::string, std::string>> {};

TEST_P(StampLabTest, EveryPacketComesBackWithPlausibleTimes) {
  REFLECTOR_REQUIRE_ROOT();
  const auto& [datapath, protocol] = GetParam();
  lab::ReflectorLabOptions options;
  options.tester_mac = packet::testing::kNicMac;
  options.tester_addresses = true;
  // A veth delivers XDP_TX frames only to a peer with an XDP program (its NAPI): the lab's
  // XDP_PASS one, since ito-tester attaches none for a UDP socket.
  options.tester_xdp_pass = true;
  options.tester_socket = false;
  absl::StatusOr<std::unique_ptr<lab::ReflectorLab>> created = lab::ReflectorLab::Create(options);
  ASSERT_TRUE(created.ok()) << created.status();
  std::unique_ptr<lab::ReflectorLab> the_lab = *std::move(created);
  // A veth hands the peer's XDP program a UDP checksum left to offload (only the
  // pseudo-header's part); a NIC puts the complete one on the wire. The tester's kernel then
  // drops the reflected packets as corrupt, so its end computes checksums itself, as on a wire.
  ASSERT_TRUE(the_lab->tester_ns().Run({"ethtool", "-K", the_lab->tester_if(), "tx", "off"}).ok());
  absl::StatusOr<lab::LabProcess> daemon = the_lab->StartReflectord(
      {"--datapath=" + datapath, "--profile=ito,stamp,twamp-light",
       absl::StrCat("--twamp_light_ports=", kTwampPort)});
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  std::optional<lab::LabProcess> reflectord;
  reflectord.emplace(*std::move(daemon));

  std::vector<std::string> flags = {"--dst_ip=198.18.0.2", "--protocol=" + protocol,
                                    "--rate=10k", "--count=10000", "--duration=5s", "--json"};
  if (protocol == "twamp-light") flags.push_back(absl::StrCat("--dst_port=", kTwampPort));
  // STAMP packets carry an RFC 8972 Timestamp Information TLV (stamp_tlv.h answers it).
  if (protocol == "stamp") flags.push_back("--stamp_tlv=timestamp-info");
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
  if (protocol == "stamp") {
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
}

INSTANTIATE_TEST_SUITE_P(
    DataPaths, StampLabTest,
    ::testing::Combine(::testing::Values("xdp", "afxdp", "afpacket"),
                       ::testing::Values("stamp", "twamp-light")),
    [](const ::testing::TestParamInfo<std::tuple<std::string, std::string>>& info) {
      std::string name = std::get<0>(info.param) + "_" + std::get<1>(info.param);
      for (char& c : name) {
        if (c == '-') c = '_';
      }
      return name;
    });

}  // namespace
}  // namespace reflector::tester
