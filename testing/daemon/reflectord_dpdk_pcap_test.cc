// reflectord on a DPDK port that has no kernel interface (issue 18), as a NIC bound to
// vfio-pci would be: DPDK's pcap PMD (net_pcap0) reads each golden fixture's input from a pcap
// and writes what the daemon sends to another. --interface names the port, the daemon takes
// its MAC from DPDK, puts no tc filter anywhere, and every reflection comes out byte-exact and
// in order, with counters equal to the offline classifier's. A port name DPDK does not have is
// one line and exit 2. Skips where reflectord is built without DPDK.
//
// The pcap PMD's MAC is its own (02:70:63:61:70:00 in DPDK 22.11), not the fixtures' reflector
// MAC: the test asks the daemon for it first, addresses the fixtures' frames to it, and maps
// it back in the reflections before comparing.
#include <signal.h>

#include <array>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "platform/pcap/capture_file.h"
#include "reflector/engine/offline_reflect.h"
#include "reflector/packet/config.h"
#include "reflector/packet/packet.h"
#include "reflector/packet/testing/frame_builder.h"
#include "testing/golden/classifier_flags.h"
#include "testing/golden/golden_fixtures.h"
#include "testing/lab/daemon_stats.h"
#include "testing/lab/frame_compare.h"
#include "testing/lab/reflector_lab.h"
#include "testing/lab/require_root.h"
#include "testing/lab/runfiles.h"

namespace reflector::testing {
namespace {

using lab::DaemonCounters;
using lab::LabProcess;
using lab::ReflectorLab;
using platform::pcap::CapturedFrame;
using testing::golden::GoldenFixture;

using Mac = packet::MacAddress;

constexpr absl::Duration kStartTimeout = absl::Seconds(10);
constexpr absl::Duration kStatsTimeout = absl::Seconds(5);
constexpr absl::Duration kStopTimeout = absl::Seconds(10);
constexpr char kPort[] = "net_pcap0";

std::string EalArgs(const std::string& in, const std::string& out) {
  return absl::StrCat("-l 0 --no-huge --no-pci --no-shconf --no-telemetry --vdev=", kPort,
                      ",rx_pcap=", in, ",tx_pcap=", out);
}

// Replaces the MAC `from` with `to` wherever a frame's destination or source is `from`.
std::vector<uint8_t> SwapMac(std::vector<uint8_t> frame, const Mac& from, const Mac& to) {
  for (size_t at : {size_t{0}, size_t{6}}) {
    if (frame.size() >= at + 6 && std::equal(from.begin(), from.end(), frame.begin() + at)) {
      std::copy(to.begin(), to.end(), frame.begin() + at);
    }
  }
  return frame;
}

class ReflectordDpdkPcapTest : public ::testing::Test {
 protected:
  void SetUp() override {
    REFLECTOR_REQUIRE_ROOT();
    absl::StatusOr<std::unique_ptr<ReflectorLab>> lab = ReflectorLab::Create();
    ASSERT_TRUE(lab.ok()) << lab.status();
    lab_ = *std::move(lab);
    absl::StatusOr<std::string> binary = lab::RunfilePath("reflector/reflectord");
    ASSERT_TRUE(binary.ok()) << binary.status();
    binary_ = *binary;
    dir_ = std::getenv("TEST_TMPDIR");
  }

  // reflectord on the pcap port reading `in` and writing `out`, its banner out.
  absl::StatusOr<LabProcess> Start(const std::string& in, const std::string& out,
                                   const std::vector<std::string>& flags) {
    std::vector<std::string> argv = {binary_,
                                     absl::StrCat("--interface=", kPort),
                                     "--datapath=dpdk",
                                     "--dpdk_eal_args=" + EalArgs(in, out),
                                     "--http=off",
                                     "--stats_format=json",
                                     "--stats_interval=0",
                                     // The PMD hands the file over in microseconds, and a
                                     // fixture may hold a frame twice (table_default does): the
                                     // loop guard would rightly take the second for a loop.
                                     "--loop_window=0"};
    argv.insert(argv.end(), flags.begin(), flags.end());
    absl::StatusOr<LabProcess> daemon = lab_->Spawn(lab::End::kReflector, argv);
    if (!daemon.ok()) return daemon;
    if (absl::Status up = daemon->WaitForStderr("  data path  ", kStartTimeout); !up.ok()) {
      return absl::Status(up.code(), absl::StrCat(up.message(), ": ", daemon->Describe()));
    }
    return daemon;
  }

  std::unique_ptr<ReflectorLab> lab_;
  std::string binary_;
  std::string dir_;
};

// The port's MAC as the daemon's banner states it ("reflectord 0.1.0 on net_pcap0 (mac)"), from
// a run on an empty capture; skips when reflectord has no DPDK.
TEST_F(ReflectordDpdkPcapTest, ReflectsEveryFixtureByteExactOnAPortWithoutKernelInterface) {
  const std::string empty = dir_ + "/empty.pcap";
  ASSERT_TRUE(platform::pcap::WriteCaptureFile(empty, {}).ok());
  absl::StatusOr<LabProcess> probe = Start(empty, dir_ + "/probe.out.pcap", {});
  if (!probe.ok() && absl::StrContains(probe.status().message(), "not built")) {
    GTEST_SKIP() << "reflectord is built without DPDK: " << probe.status();
  }
  ASSERT_TRUE(probe.ok()) << probe.status();
  const std::string banner = probe->Stderr();
  const std::string on = absl::StrCat(" on ", kPort, " (");
  const size_t at = banner.find(on);
  ASSERT_NE(at, std::string::npos) << banner;
  absl::StatusOr<Mac> port_mac = packet::ParseMac(banner.substr(at + on.size(), 17));
  ASSERT_TRUE(port_mac.ok()) << banner;
  // What the data path says of itself: which port, and no kernel interface to keep quiet.
  EXPECT_TRUE(absl::StrContains(banner, "driver net_pcap")) << banner;
  EXPECT_TRUE(absl::StrContains(banner, "no kernel interface: no tc filter")) << banner;
  ASSERT_TRUE(probe->Signal(SIGTERM).ok());
  absl::StatusOr<int> probe_exit = probe->Wait(kStopTimeout);
  ASSERT_TRUE(probe_exit.ok()) << probe_exit.status();
  EXPECT_EQ(*probe_exit, 0) << probe->Describe();

  const Mac fixture_mac = packet::testing::kReflectorMac;
  for (const GoldenFixture& fixture : golden::GoldenFixtures()) {
    SCOPED_TRACE(fixture.name);
    absl::StatusOr<std::vector<std::string>> flags = golden::ClassifierFlags(fixture.filter);
    ASSERT_TRUE(flags.ok()) << flags.status();
    std::vector<CapturedFrame> input;
    for (const std::vector<uint8_t>& frame : fixture.Input()) {
      input.push_back({absl::UnixEpoch(), SwapMac(frame, fixture_mac, *port_mac)});
    }
    const std::string in = absl::StrCat(dir_, "/", fixture.name, ".in.pcap");
    const std::string out = absl::StrCat(dir_, "/", fixture.name, ".out.pcap");
    ASSERT_TRUE(platform::pcap::WriteCaptureFile(in, input).ok());

    absl::StatusOr<LabProcess> daemon = Start(in, out, *flags);
    ASSERT_TRUE(daemon.ok()) << daemon.status();
    // The PMD reads the whole file at once; the counters say when every frame was handled.
    absl::StatusOr<DaemonCounters> counted;
    const absl::Time deadline = absl::Now() + kStatsTimeout;
    do {
      counted = lab::RequestStats(*daemon, kStatsTimeout);
      ASSERT_TRUE(counted.ok()) << counted.status();
    } while (counted->rx_frames < input.size() && absl::Now() < deadline);
    ASSERT_TRUE(daemon->Signal(SIGTERM).ok());
    absl::StatusOr<int> exit_code = daemon->Wait(kStopTimeout);
    ASSERT_TRUE(exit_code.ok()) << exit_code.status();
    EXPECT_EQ(*exit_code, 0) << daemon->Describe();

    // Counters: what the same classifier says offline of the same frames.
    packet::FilterConfig filter = fixture.filter;
    filter.interface_mac = *port_mac;
    absl::StatusOr<packet::CompiledConfig> compiled = packet::Compile(filter);
    ASSERT_TRUE(compiled.ok()) << compiled.status();
    const engine::OfflineResult offline = engine::ReflectFrames(input, compiled->wire);
    EXPECT_EQ(counted->rx_frames, input.size());
    EXPECT_EQ(counted->reflected_frames, offline.verdicts[0]);
    std::map<std::string, uint64_t> rejected;
    for (int v = 1; v < packet::kVerdictCount; ++v) {
      if (offline.verdicts[v] != 0) {
        rejected[std::string(packet::VerdictName(static_cast<packet::Verdict>(v)))] =
            offline.verdicts[v];
      }
    }
    EXPECT_EQ(absl::StrJoin(counted->rejected, ",", absl::PairFormatter("=")),
              absl::StrJoin(rejected, ",", absl::PairFormatter("=")));
    std::map<std::string, uint64_t> by_rule;
    for (size_t r = 0; r < compiled->rules.size(); ++r) {
      if (offline.rules[r] != 0) by_rule[compiled->rules[r].name] = offline.rules[r];
    }
    EXPECT_EQ(absl::StrJoin(counted->reflected_by_rule, ",", absl::PairFormatter("=")),
              absl::StrJoin(by_rule, ",", absl::PairFormatter("=")));

    // Reflections: the fixture's expected output, byte-exact and in order.
    absl::StatusOr<std::vector<CapturedFrame>> sent = platform::pcap::ReadCaptureFile(out);
    ASSERT_TRUE(sent.ok()) << sent.status();
    std::vector<lab::Frame> returned;
    for (const CapturedFrame& frame : *sent) {
      returned.push_back(SwapMac(frame.bytes, *port_mac, fixture_mac));
    }
    const absl::Status same =
        lab::CompareFrameSequences(fixture.Expected(packet::Mode::kAll), returned);
    EXPECT_TRUE(same.ok()) << same;
  }
}

TEST_F(ReflectordDpdkPcapTest, APortNameDpdkDoesNotHaveIsOneLineAndExit2) {
  const std::string empty = dir_ + "/empty.pcap";
  ASSERT_TRUE(platform::pcap::WriteCaptureFile(empty, {}).ok());
  absl::StatusOr<LabProcess> daemon = lab_->Spawn(
      lab::End::kReflector,
      {binary_, "--interface=0000:03:00.0", "--datapath=dpdk", "--http=off",
       "--dpdk_eal_args=" + EalArgs(empty, dir_ + "/bad.out.pcap")});
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  absl::StatusOr<int> exit_code = daemon->Wait(kStopTimeout);
  ASSERT_TRUE(exit_code.ok()) << exit_code.status();
  const std::string err = daemon->Stderr();
  if (absl::StrContains(err, "not built")) GTEST_SKIP() << err;
  EXPECT_EQ(*exit_code, 2) << daemon->Describe();
  EXPECT_EQ(err,
            "reflectord: --interface=0000:03:00.0: no DPDK port of that name or on that "
            "interface; ports: net_pcap0 (net_pcap)\n");
  EXPECT_EQ(daemon->Stdout(), "");
}

}  // namespace
}  // namespace reflector::testing
