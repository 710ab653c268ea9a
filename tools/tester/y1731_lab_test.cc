// ito-tester --protocol=y1731-dmm / y1731-slm against reflectord's Y.1731 responder in the
// SPEC §7 lab, once per data path: reflectord with the y1731 profile at MEG level 4 in one
// namespace, the tester's packet socket in the other. 5,000 requests at 10 kfps must all be
// answered: DMM with a positive two-way delay and raw round trip and a responder dwell no
// longer than the round trip of the same DMR; SLM with no loss either way by the §8.4 counters.
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
#include "reflector/packet/config.h"
#include "reflector/packet/testing/frame_builder.h"
#include "testing/lab/lab_process.h"
#include "testing/lab/reflector_lab.h"
#include "testing/lab/require_root.h"

namespace reflector::tester {
namespace {

namespace lab = ::reflector::testing::lab;

constexpr absl::Duration kDeadline = absl::Seconds(30);
constexpr int kFrames = 5000;
constexpr int kLevel = 4;

class Y1731LabTest : public ::testing::TestWithParam<std::tuple<std::string, std::string>> {};

TEST_P(Y1731LabTest, EveryRequestIsAnsweredWithPlausibleFigures) {
  REFLECTOR_REQUIRE_ROOT();
  const auto& [datapath, protocol] = GetParam();
  lab::ReflectorLabOptions options;
  // A veth delivers XDP_TX frames only to a peer with an XDP program (its NAPI): the lab's
  // XDP_PASS one, since ito-tester attaches none for a packet socket.
  options.tester_xdp_pass = true;
  options.tester_socket = false;
  absl::StatusOr<std::unique_ptr<lab::ReflectorLab>> created = lab::ReflectorLab::Create(options);
  ASSERT_TRUE(created.ok()) << created.status();
  std::unique_ptr<lab::ReflectorLab> the_lab = *std::move(created);
  absl::StatusOr<lab::LabProcess> daemon = the_lab->StartReflectord(
      {"--datapath=" + datapath, "--profile=y1731", absl::StrCat("--y1731_level=", kLevel)});
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  std::optional<lab::LabProcess> reflectord;
  reflectord.emplace(*std::move(daemon));

  absl::StatusOr<lab::LabProcess> tester = the_lab->StartItoTester(
      {"--protocol=" + protocol,
       "--dst_mac=" + packet::FormatMac(packet::testing::kReflectorMac),
       absl::StrCat("--y1731_level=", kLevel), "--rate=10k", absl::StrCat("--count=", kFrames),
       "--duration=5s", "--json"});
  ASSERT_TRUE(tester.ok()) << tester.status();
  const absl::StatusOr<int> code = tester->Wait(kDeadline);
  ASSERT_TRUE(code.ok()) << code.status();
  const std::string out = tester->Stdout();
  std::printf("%s %s: %s", datapath.c_str(), protocol.c_str(), out.c_str());
  EXPECT_EQ(*code, 0) << out << tester->Stderr() << "\nreflectord:\n"
                      << reflectord->Stdout() << reflectord->Stderr();
  const nlohmann::json r = nlohmann::json::parse(out, nullptr, false);
  ASSERT_FALSE(r.is_discarded()) << out;
  EXPECT_EQ(r["protocol"], protocol) << out;
  EXPECT_EQ(r["level"].get<int>(), kLevel) << out;
  EXPECT_EQ(r["sent"].get<int64_t>(), kFrames) << out;
  EXPECT_EQ(r["received"].get<int64_t>(), kFrames) << out;
  EXPECT_EQ(r["lost"].get<int64_t>(), 0) << out;
  EXPECT_EQ(r["duplicates"].get<int64_t>(), 0) << out;
  EXPECT_EQ(r["unknown"].get<int64_t>(), 0) << out;
  EXPECT_EQ(r["malformed"].get<int64_t>(), 0) << out;
  if (protocol == "y1731-dmm") {
    // One clock on both ends: every figure is positive, and no DMR's dwell exceeds its raw
    // round trip (the two-way delay is never negative).
    EXPECT_EQ(r["dwell"]["count"].get<int64_t>(), kFrames) << out;
    EXPECT_GE(r["dwell"]["min_ns"].get<int64_t>(), 0) << out;
    EXPECT_GT(r["dwell"]["max_ns"].get<int64_t>(), 0) << out;
    EXPECT_GT(r["raw_round_trip"]["min_ns"].get<int64_t>(), 0) << out;
    EXPECT_EQ(r["dwell_beyond_round_trip"].get<int64_t>(), 0) << out;
    EXPECT_GT(r["round_trip_us"]["max"].get<double>(), 0) << out;
    EXPECT_GT(r["forward"]["min_ns"].get<int64_t>(), 0) << out;
    EXPECT_GT(r["backward"]["min_ns"].get<int64_t>(), 0) << out;
  } else {
    EXPECT_EQ(r["tx_fcf"].get<int64_t>(), kFrames) << out;
    EXPECT_EQ(r["tx_fcb"].get<int64_t>(), kFrames) << out;
    EXPECT_EQ(r["rx_fcl"].get<int64_t>(), kFrames) << out;
    EXPECT_EQ(r["lost_forward"].get<int64_t>(), 0) << out;
    EXPECT_EQ(r["lost_backward"].get<int64_t>(), 0) << out;
    EXPECT_EQ(r["lost_unattributed"].get<int64_t>(), 0) << out;
    EXPECT_FALSE(r["responder_count_preceded"].get<bool>()) << out;
  }
}

INSTANTIATE_TEST_SUITE_P(
    DataPaths, Y1731LabTest,
    ::testing::Combine(::testing::Values("xdp", "afxdp", "afpacket"),
                       ::testing::Values("y1731-dmm", "y1731-slm")),
    [](const ::testing::TestParamInfo<std::tuple<std::string, std::string>>& info) {
      std::string name = std::get<0>(info.param) + "_" + std::get<1>(info.param);
      for (char& c : name) {
        if (c == '-') c = '_';
      }
      return name;
    });

}  // namespace
}  // namespace reflector::tester
