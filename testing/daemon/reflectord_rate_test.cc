// Rate caps (issue 17, SPEC §8), once per data path:
//   * a stream of about 1 Mfps against `--rate_limit=100kfps`: what comes back is 100 kfps
//     within 5 % over the tester's sending time, and the rest is counted as `rate_limited`
//     (dropped: nothing reaches the host stack, which would answer with ICMP);
//   * `--source_rate_limit` holds each source address apart, a `[[rule]]`'s cap holds only that
//     rule's frames, and SIGHUP lifts the caps live.
// The per-source and rule checks use caps of one frame a second with no burst, so the frames
// of a quick burst past the first are over the cap whatever the machine's speed.
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "reflector/packet/testing/frame_builder.h"
#include "testing/daemon/datapath_lab_test.h"
#include "testing/lab/daemon_stats.h"
#include "testing/lab/hosts.h"
#include "testing/lab/reflector_lab.h"
#include "testing/lab/xdp_pass.h"

namespace reflector::testing {
namespace {

namespace pt = packet::testing;
using pt::FrameBuilder;

constexpr absl::Duration kTimeout = absl::Seconds(20);

// With ito-tester on the tester's end: an ordinary NIC's MAC, its stack's addresses, its own
// XDP program.
class ReflectordRateStreamTest : public DataPathLabTest {
 protected:
  lab::ReflectorLabOptions LabOptions() const override {
    lab::ReflectorLabOptions options;
    options.tester_mac = pt::kNicMac;
    options.tester_addresses = true;
    options.tester_xdp_pass = false;
    options.tester_socket = false;
    return options;
  }
};

TEST_P(ReflectordRateStreamTest, AMillionFramesASecondAgainstAHundredThousandCap) {
  // The XDP program takes the full 100 kfps cap. The userspace paths of this build (tests run
  // unoptimised) handle less than 100 kfps on this machine, so there the cap is 20 kfps, still
  // far below what reaches them: a cap that binds is what is tested.
  const bool kernel = DataPath() == "xdp";
  const double cap = kernel ? 100'000 : 20'000;
  std::vector<std::string> flags = DataPathFlags();
  flags.insert(flags.end(), {"--stats_interval=0", kernel ? "--rate_limit=100kfps" : "--rate_limit=20kfps"});
  // The tester on CPU 0, the worker on CPU 1 (as the bench runs them). A bucket does not save
  // up more than its burst allowance of what its owner could not use, and a userspace worker
  // on this VM is sometimes off its CPU for tens of milliseconds (the hypervisor steals it):
  // a 100 ms allowance lets it catch up, and the expected count includes it.
  if (!kernel) flags.push_back("--cpus=1");
  flags.push_back("--rate_burst=100ms");
  std::optional<lab::XdpPassProgram> pass;
  if (DataPath() == "afpacket") {
    // veth hands the line-rate engine's XDP_TX frames only to a peer with XDP on; afpacket
    // has none, so the reflector end gets an XDP_PASS program (as the bench does).
    absl::StatusOr<lab::NetnsEntry> inside = lab_->Enter(lab::End::kReflector);
    ASSERT_TRUE(inside.ok()) << inside.status();
    absl::StatusOr<lab::XdpPassProgram> loaded = lab::XdpPassProgram::Load();
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    pass.emplace(*std::move(loaded));
    ASSERT_TRUE(pass->Attach(lab_->ifindex(lab::End::kReflector)).ok());
  }
  absl::StatusOr<lab::LabProcess> reflector = lab_->StartReflectord(flags);
  ASSERT_TRUE(reflector.ok()) << reflector.status();
  EXPECT_NE(reflector->Stderr().find(kernel ? "rate caps: at most 100 kfps" : "rate caps: at most 20 kfps"),
            std::string::npos)
      << reflector->Describe();
  absl::StatusOr<lab::LabProcess> tester = lab_->StartItoTester(
      {"--dst_ip=" + lab::Ipv4Text(pt::kReflectorIpv4), "--engine=linerate", "--rate=1000000",
       "--duration=2s", "--frame_size=64", "--signature=rfc2544", "--src_mac=interface",
       "--linerate_cpus=0", "--interval=0", "--json"},
      /*cpu=*/0);
  ASSERT_TRUE(tester.ok()) << tester.status();
  absl::StatusOr<int> code = tester->Wait(kTimeout);
  ASSERT_TRUE(code.ok()) << code.status() << tester->Describe();
  const nlohmann::json report =
      nlohmann::json::parse(tester->Stdout(), nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(report.is_discarded()) << tester->Describe() << tester->Stdout();
  const nlohmann::json& result = report["result"];
  const double elapsed = result["elapsed_s"].get<double>();
  const double sent = result["sent"].get<double>();
  const double received = result["received"].get<double>();
  std::printf("%s: sent %.0f frames in %.3f s (%.0f fps), %.0f came back (%.0f fps)\n",
              GetParam().c_str(), sent, elapsed, sent / elapsed, received, received / elapsed);
  // The cap must bind: at least twice the cap offered (the tester reaches far more).
  ASSERT_GT(sent / elapsed, 2 * cap) << tester->Stdout();
  // The cap over the sending time, plus the 100 ms burst allowance, within 5 %.
  const double expected = cap * (elapsed + 0.1);
  EXPECT_NEAR(received, expected, 0.05 * expected) << tester->Stdout() << reflector->Describe();

  absl::StatusOr<lab::DaemonCounters> counted = lab::StopAndCount(*reflector, kTimeout);
  ASSERT_TRUE(counted.ok()) << counted.status();
  std::printf("%s: reflectord received %llu frames, reflected %llu, rate_limited %llu\n",
              GetParam().c_str(), static_cast<unsigned long long>(counted->rx_frames),
              static_cast<unsigned long long>(counted->reflected_frames),
              static_cast<unsigned long long>(counted->Rejected("rate_limited")));
  // What the reflector reflected is what came back; the rest it received is `rate_limited`.
  EXPECT_NEAR(static_cast<double>(counted->reflected_frames), received, 0.01 * received + 10);
  EXPECT_GT(counted->Rejected("rate_limited"), static_cast<uint64_t>(received))
      << reflector->Stdout();
}

// With the lab's packet socket on the tester's end.
class ReflectordRateTest : public DataPathLabTest {
 protected:
  void TearDown() override {
    if (!config_.empty()) std::remove(config_.c_str());
  }
  absl::Status WriteConfig(const std::string& text) {
    if (config_.empty()) {
      const char* dir = std::getenv("TEST_TMPDIR");
      config_ = absl::StrCat(dir ? dir : "/tmp", "/reflectord-rate-", getpid(), ".toml");
    }
    std::ofstream out(config_, std::ios::trunc);
    out << text;
    out.close();
    return out ? absl::OkStatus() : absl::InternalError("cannot write " + config_);
  }
  // Sends `count` frames built by `frame` (given the frame's index) and returns how many
  // frames came back.
  // frames came back (the reflector host's own traffic, such as IPv6 router solicitations,
  // left out).
  size_t SendAndCount(int count, const std::function<std::vector<uint8_t>(int)>& frame) {
    for (int i = 0; i < count; ++i) EXPECT_TRUE(lab_->Send(frame(i)).ok());
    absl::StatusOr<lab::Capture> back = lab_->Collect(count, absl::Seconds(2));
    EXPECT_TRUE(back.ok()) << back.status();
    return back.ok() ? back->returned.size() : 0;
  }
  std::string config_;
};

// An ITO frame from source address 198.18.1.`source`, told apart by its IP ID.
std::vector<uint8_t> FromSource(int source, int id) {
  return FrameBuilder()
      .Ipv4({198, 18, 1, static_cast<uint8_t>(source)}, pt::kReflectorIpv4)
      .IpId(static_cast<uint16_t>(id))
      .Build();
}

TEST_P(ReflectordRateTest, SourceAndRuleCapsHoldApartAndSighupLiftsThem) {
  ASSERT_TRUE(WriteConfig(R"(source_rate_limit = "1fps"
rate_burst = "0"

[[rule]]
name = "commercial"
dst_port = 5001
rate_limit = "1fps"
)")
                  .ok());
  std::vector<std::string> flags = DataPathFlags();
  flags.insert(flags.end(), {"--stats_interval=0", "--config=" + config_});
  absl::StatusOr<lab::LabProcess> reflector = lab_->StartReflectord(flags);
  ASSERT_TRUE(reflector.ok()) << reflector.status();
  EXPECT_NE(reflector->Stderr().find("commercial: port 5001, any payload, oui any -> mode all, "
                                     "at most 1 fps"),
            std::string::npos)
      << reflector->Describe();

  // Three sources, ten frames each at once: one from each comes back.
  EXPECT_EQ(SendAndCount(30, [](int i) { return FromSource(10 + i % 3, i); }), 3u)
      << reflector->Describe();
  // The rule's cap holds its frames as a whole, from whichever source: one back of ten (the
  // sources are new to the per-source cap too, each allowing one).
  EXPECT_EQ(SendAndCount(10,
                         [](int i) {
                           return FrameBuilder()
                               .Ipv4({198, 18, 2, static_cast<uint8_t>(i)}, pt::kReflectorIpv4)
                               .Ports(40000, 5001)
                               .Payload(std::vector<uint8_t>(32, 0xab))
                               .Build();
                         }),
            1u)
      << reflector->Describe();
  absl::StatusOr<lab::DaemonCounters> capped = lab::RequestStats(*reflector, kTimeout);
  ASSERT_TRUE(capped.ok()) << capped.status();
  EXPECT_EQ(capped->reflected_frames, 4u);
  EXPECT_EQ(capped->Rejected("rate_limited"), 36u) << reflector->Stdout();

  // SIGHUP with the caps gone: every frame of the same sources comes back.
  ASSERT_TRUE(WriteConfig("").ok());
  ASSERT_TRUE(reflector->Signal(SIGHUP).ok());
  ASSERT_TRUE(reflector->WaitForStderr("reloaded:", kTimeout).ok()) << reflector->Describe();
  EXPECT_EQ(SendAndCount(30, [](int i) { return FromSource(10 + i % 3, 100 + i); }), 30u)
      << reflector->Describe();
  absl::StatusOr<lab::DaemonCounters> counted = lab::StopAndCount(*reflector, kTimeout);
  ASSERT_TRUE(counted.ok()) << counted.status();
  EXPECT_EQ(counted->reflected_frames, 34u);
  EXPECT_EQ(counted->Rejected("rate_limited"), 36u);
}

INSTANTIATE_TEST_SUITE_P(DataPaths, ReflectordRateStreamTest,
                         ::testing::Values("xdp", "afxdp", "afpacket"),
                         [](const auto& info) { return info.param; });
INSTANTIATE_TEST_SUITE_P(DataPaths, ReflectordRateTest,
                         ::testing::Values("xdp", "afxdp", "afpacket"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace reflector::testing
