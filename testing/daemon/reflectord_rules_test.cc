// reflectord with a rule table (issue 13), once per data path, driven by ito-tester as a user
// would: a config file with a custom [[rule]] for a commercial test set's stream (no
// signature, UDP port 5001, the reflector's address) before the default profiles. Every
// stream comes back whole and the daemon counts it under its rule's name; then SIGHUP swaps
// the table while a stream runs: nothing of the stream that both tables accept is lost or
// duplicated, and what only the old table accepted is rejected afterwards.
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#define JSON_NOEXCEPTION 1
#include <nlohmann/json.hpp>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "reflector/packet/testing/frame_builder.h"
#include "testing/daemon/datapath_availability.h"
#include "testing/lab/daemon_stats.h"
#include "testing/lab/hosts.h"
#include "testing/lab/lab_process.h"
#include "testing/lab/reflector_lab.h"
#include "testing/lab/require_root.h"

namespace reflector::testing {
namespace {

namespace pt = packet::testing;

constexpr absl::Duration kTimeout = absl::Seconds(20);
constexpr uint64_t kFrames = 1000;        // per stream
constexpr uint64_t kLoadFrames = 6000;    // the stream that runs through the swap, at 1000/s
constexpr uint16_t kCommercialPort = 5001;

// Table A: the commercial test set's stream by port and address, then the default profiles.
std::string TableA() {
  return absl::StrFormat(R"(profile = "ito,rfc2544,y1564"

[[rule]]
name = "commercial"
dst_port = %d
dst_ip = ["%s"]
)",
                         kCommercialPort, lab::Ipv4Text(pt::kReflectorIpv4));
}

// Table B: the same stream under another rule (a port range now), and the ito profile only:
// the RFC 2544 signature is no longer reflected.
std::string TableB() {
  return absl::StrFormat(R"(profile = "ito"

[[rule]]
name = "commercial-b"
dst_port = "%d-%d"
)",
                         kCommercialPort, kCommercialPort + 1);
}

absl::Status WriteFile(const std::string& path, const std::string& text) {
  // Written beside and renamed over: the daemon never reads half a table.
  const std::string temporary = path + ".new";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << text;
    if (!out.good()) return absl::InternalError(absl::StrCat("cannot write ", temporary));
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    return absl::InternalError(absl::StrCat("cannot rename ", temporary, " to ", path));
  }
  return absl::OkStatus();
}

// ito-tester's report of one run (--json) and how it exited.
struct TesterRun {
  int exit_code = -1;
  nlohmann::json report;
  std::string describe;  // for messages
};

TesterRun Finish(lab::LabProcess& tester) {
  TesterRun run;
  const absl::StatusOr<int> code = tester.Wait(kTimeout);
  run.exit_code = code.ok() ? *code : -1;
  run.report = nlohmann::json::parse(tester.Stdout(), nullptr, /*allow_exceptions=*/false);
  run.describe = absl::StrCat(tester.Describe(), "\nstdout: ", tester.Stdout());
  return run;
}

// Every frame sent came back once (the report's own checks, not the exit code alone).
void ExpectWhole(const TesterRun& run, uint64_t frames) {
  ASSERT_EQ(run.exit_code, 0) << run.describe;
  ASSERT_FALSE(run.report.is_discarded()) << run.describe;
  const nlohmann::json& r = run.report["result"];
  EXPECT_EQ(r["sent"].get<uint64_t>(), frames) << run.describe;
  EXPECT_EQ(r["received"].get<uint64_t>(), frames) << run.describe;
  EXPECT_EQ(r["lost"].get<uint64_t>(), 0u) << run.describe;
  EXPECT_EQ(r["duplicates"].get<uint64_t>(), 0u) << run.describe;
  EXPECT_TRUE(r.contains("rtt_us")) << run.describe;
}

class ReflectordRulesTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    REFLECTOR_REQUIRE_ROOT();
    // ito-tester on an ordinary NIC's MAC with its stack's addresses, and its own program.
    lab::ReflectorLabOptions options;
    options.tester_mac = pt::kNicMac;
    options.tester_addresses = true;
    options.tester_xdp_pass = false;
    options.tester_socket = false;
    absl::StatusOr<std::unique_ptr<lab::ReflectorLab>> lab = lab::ReflectorLab::Create(options);
    ASSERT_TRUE(lab.ok()) << lab.status();
    lab_ = *std::move(lab);
    absl::StatusOr<bool> built = DataPathBuilt(*lab_, GetParam());
    ASSERT_TRUE(built.ok()) << built.status();
    if (!*built) GTEST_SKIP() << NotBuiltMessage(GetParam());
    const char* dir = std::getenv("TEST_TMPDIR");
    config_ = absl::StrCat(dir ? dir : "/tmp", "/reflectord-rules-", getpid(), "-", GetParam(),
                           ".toml");
  }

  void TearDown() override {
    if (!config_.empty()) std::remove(config_.c_str());
  }

  // A stream of `frames` frames at `rate` with `flags`, to the reflector's IPv4 address; the
  // count ends it (the duration only bounds it).
  absl::StatusOr<lab::LabProcess> StartStream(std::vector<std::string> flags,
                                              uint64_t frames, const std::string& rate) {
    flags.insert(flags.end(), {"--dst_ip=" + lab::Ipv4Text(pt::kReflectorIpv4),
                               "--count=" + absl::StrCat(frames), "--rate=" + rate, "--duration=60s",
                               "--interval=0", "--json"});
    return lab_->StartItoTester(flags);
  }
  TesterRun RunStream(const std::vector<std::string>& flags) {
    absl::StatusOr<lab::LabProcess> tester = StartStream(flags, kFrames, "2000");
    if (!tester.ok()) return {-1, nlohmann::json(), tester.status().ToString()};
    return Finish(*tester);
  }

  // Asks for stats until rule `rule` has counted more than `above` frames; fails if `tester`
  // ends first (then the condition can no longer come true while it runs).
  absl::StatusOr<lab::DaemonCounters> WaitForRuleCount(lab::LabProcess& daemon,
                                                       const std::string& rule, uint64_t above,
                                                       lab::LabProcess& tester) {
    const absl::Time deadline = absl::Now() + kTimeout;
    while (absl::Now() < deadline) {
      absl::StatusOr<lab::DaemonCounters> counters = lab::RequestStats(daemon, kTimeout);
      if (!counters.ok()) return counters.status();
      if (counters->reflected_by_rule[rule] > above) return counters;
      if (tester.Poll().has_value()) {
        return absl::FailedPreconditionError(
            absl::StrCat("the tester ended before rule ", rule, " counted more than ", above));
      }
      absl::SleepFor(absl::Milliseconds(20));
    }
    return absl::DeadlineExceededError(absl::StrCat("rule ", rule, " never passed ", above));
  }

  std::unique_ptr<lab::ReflectorLab> lab_;
  std::string config_;
};

TEST_P(ReflectordRulesTest, EveryRuleReflectsItsStreamAndSighupSwapsTheTableUnderLoad) {
  ASSERT_TRUE(WriteFile(config_, TableA()).ok());
  absl::StatusOr<lab::LabProcess> daemon =
      lab_->StartReflectord({"--datapath=" + GetParam(), "--config=" + config_});
  ASSERT_TRUE(daemon.ok()) << daemon.status();

  // An ITO tester (NetAlly OUI, by --src_mac=auto): its reflections carry the ToS handshake,
  // and the tester counts them all the same.
  const std::vector<std::string> ito = {"--signature=latency"};
  // A commercial test set's stream: no signature, port 5001.
  const std::vector<std::string> commercial = {"--signature=none",
                                               absl::StrCat("--dst_port=", kCommercialPort)};
  // A software tester on a PC: RFC2544 signature from the NIC's own (non-NetAlly) MAC.
  const std::vector<std::string> software = {"--signature=rfc2544", "--src_mac=interface"};
  ExpectWhole(RunStream(ito), kFrames);
  ExpectWhole(RunStream(commercial), kFrames);
  ExpectWhole(RunStream(software), kFrames);

  absl::StatusOr<lab::DaemonCounters> counted = lab::RequestStats(*daemon, kTimeout);
  ASSERT_TRUE(counted.ok()) << counted.status() << daemon->Describe();
  EXPECT_EQ(counted->reflected_by_rule, (std::map<std::string, uint64_t>{
                                            {"commercial", kFrames},
                                            {"latency", kFrames},
                                            {"rfc2544", kFrames},
                                        }))
      << daemon->Stdout();
  EXPECT_EQ(counted->reflected_frames, 3 * kFrames);

  // Under load: the commercial stream runs while the table is swapped.
  absl::StatusOr<lab::LabProcess> load = StartStream(commercial, kLoadFrames, "1000");
  ASSERT_TRUE(load.ok()) << load.status();
  ASSERT_TRUE(WaitForRuleCount(*daemon, "commercial", kFrames, *load).ok())
      << load->Describe() << daemon->Describe();
  ASSERT_TRUE(WriteFile(config_, TableB()).ok());
  ASSERT_TRUE(daemon->Signal(SIGHUP).ok());
  ASSERT_TRUE(daemon->WaitForStderr("reloaded", kTimeout).ok()) << daemon->Describe();
  // The new table's rule takes over while the stream still runs.
  const absl::StatusOr<lab::DaemonCounters> swapped =
      WaitForRuleCount(*daemon, "commercial-b", 0, *load);
  ASSERT_TRUE(swapped.ok()) << swapped.status() << load->Describe() << daemon->Stdout();
  ExpectWhole(Finish(*load), kLoadFrames);

  absl::StatusOr<lab::DaemonCounters> after = lab::RequestStats(*daemon, kTimeout);
  ASSERT_TRUE(after.ok()) << after.status();
  // Every frame of the stream was reflected once, by one table or the other.
  EXPECT_EQ(after->reflected_frames, counted->reflected_frames + kLoadFrames) << daemon->Stdout();
  EXPECT_EQ(after->reflected_by_rule["commercial"] + after->reflected_by_rule["commercial-b"],
            kFrames + kLoadFrames)
      << daemon->Stdout();

  // Only the old table took the PC's RFC 2544 frames: now each is a reject, and none comes
  // back. Under table B the closest rule is an ito one that gets to its signature check.
  const TesterRun rejected = RunStream(software);
  EXPECT_EQ(rejected.exit_code, 1) << rejected.describe;
  ASSERT_FALSE(rejected.report.is_discarded()) << rejected.describe;
  EXPECT_EQ(rejected.report["result"]["sent"].get<uint64_t>(), kFrames) << rejected.describe;
  EXPECT_EQ(rejected.report["result"]["received"].get<uint64_t>(), 0u) << rejected.describe;
  absl::StatusOr<lab::DaemonCounters> last = lab::RequestStats(*daemon, kTimeout);
  ASSERT_TRUE(last.ok()) << last.status();
  EXPECT_EQ(last->reflected_frames, after->reflected_frames) << daemon->Stdout();
  EXPECT_EQ(last->rejected["signature"], after->rejected["signature"] + kFrames)
      << daemon->Stdout();
  // ITO frames are still reflected by the ito profile of table B.
  ExpectWhole(RunStream(ito), kFrames);

  ASSERT_TRUE(daemon->Signal(SIGTERM).ok());
  const absl::StatusOr<int> code = daemon->Wait(kTimeout);
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 0) << daemon->Describe();
}

INSTANTIATE_TEST_SUITE_P(DataPaths, ReflectordRulesTest,
                         ::testing::Values("xdp", "afxdp", "afpacket"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace reflector::testing
