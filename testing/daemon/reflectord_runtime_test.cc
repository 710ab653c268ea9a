// reflectord while it runs (issue 4), once per data path: SIGHUP applies a changed config
// file to the running data path (a rejected reload keeps the old one), and the daemon keeps
// only CAP_NET_ADMIN and CAP_BPF after setup. What a killed daemon leaves: reflectord_kill_test.
#include <dirent.h>
#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "reflector/packet/testing/frame_builder.h"
#include "testing/daemon/datapath_lab_test.h"
#include "testing/lab/command.h"
#include "testing/lab/frame_compare.h"
#include "testing/lab/reflector_lab.h"

namespace reflector::testing {
namespace {

using packet::Mode;
using packet::testing::FrameBuilder;

constexpr absl::Duration kTimeout = absl::Seconds(5);

std::string ConfigPath() {
  const char* dir = std::getenv("TEST_TMPDIR");
  return absl::StrCat(dir ? dir : "/tmp", "/reflectord-", getpid(), ".toml");
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
}

// Sends one frame to port 3842 and one to port 5001, and returns what came back.
std::vector<lab::Frame> ExchangeBothPorts(lab::ReflectorLab& lab, size_t expected) {
  EXPECT_TRUE(lab.Send(FrameBuilder().Ports(40000, 3842).Build()).ok());
  EXPECT_TRUE(lab.Send(FrameBuilder().Ports(40001, 5001).Build()).ok());
  absl::StatusOr<lab::Capture> capture = lab.Collect(expected, kTimeout);
  EXPECT_TRUE(capture.ok()) << capture.status();
  return capture.ok() ? capture->returned : std::vector<lab::Frame>{};
}

class ReflectordRuntimeTest : public DataPathLabTest {};

TEST_P(ReflectordRuntimeTest, SighupAppliesTheConfigFileWhileRunning) {
  const std::string config = ConfigPath();
  WriteFile(config, "port = 3842\nmode = \"all\"\n");
  absl::StatusOr<lab::LabProcess> daemon =
      lab_->StartReflectord({"--datapath=" + GetParam(), "--config=" + config});
  ASSERT_TRUE(daemon.ok()) << daemon.status();

  std::vector<lab::Frame> back = ExchangeBothPorts(*lab_, 1);
  ASSERT_EQ(back.size(), 1u);
  // An ITO frame: the ito rules do the ToS handshake by default.
  EXPECT_EQ(back[0],
            FrameBuilder().Ports(40000, 3842).Reflected(Mode::kAll, /*tos_handshake=*/true).Build());

  // Only CAP_NET_ADMIN (12) and CAP_BPF (39) are left once the data path runs.
  EXPECT_EQ(lab::EffectiveCapabilities(daemon->pid()), (1ull << 12) | (1ull << 39));

  WriteFile(config, "port = 5001\nmode = \"mac\"\nlog_level = \"debug\"\n");
  ASSERT_TRUE(daemon->Signal(SIGHUP).ok());
  ASSERT_TRUE(daemon->WaitForStderr("reloaded: mode mac, port 5001", kTimeout).ok())
      << daemon->Describe();
  // Log level and stats settings are applied too, not only the filters.
  EXPECT_NE(daemon->Stderr().find("; stats off, log level debug"), std::string::npos)
      << daemon->Describe();
  back = ExchangeBothPorts(*lab_, 1);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0], FrameBuilder().Ports(40001, 5001).Reflected(Mode::kMac).Build());

  // A broken file is refused and the running config stays.
  WriteFile(config, "port = \"many\"\n");
  ASSERT_TRUE(daemon->Signal(SIGHUP).ok());
  ASSERT_TRUE(daemon
                  ->WaitForStderr("reload failed, still running the previous settings: "
                                  "--port: invalid port \"many\"",
                                  kTimeout)
                  .ok())
      << daemon->Describe();
  back = ExchangeBothPorts(*lab_, 1);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0], FrameBuilder().Ports(40001, 5001).Reflected(Mode::kMac).Build());

  ASSERT_TRUE(daemon->Signal(SIGTERM).ok());
  absl::StatusOr<int> exit_code = daemon->Wait(kTimeout);
  ASSERT_TRUE(exit_code.ok()) << exit_code.status();
  EXPECT_EQ(*exit_code, 0) << daemon->Describe();
  EXPECT_TRUE(lab_->CheckNothingAttached().ok()) << lab_->CheckNothingAttached();
  // The XDP paths turn veth's rx-vlan-offload off while they run; it must be back on.
  absl::StatusOr<std::string> features = lab::RunCommandOutput(
      {"ip", "netns", "exec", lab_->reflector_ns().name(), "ethtool", "-k", lab_->reflector_if()});
  ASSERT_TRUE(features.ok()) << features.status();
  EXPECT_NE(features->find("rx-vlan-offload: on"), std::string::npos) << *features;
  std::remove(config.c_str());
}

INSTANTIATE_TEST_SUITE_P(DataPaths, ReflectordRuntimeTest,
                         ::testing::Values("xdp", "afxdp", "afpacket"),
                         [](const auto& info) { return info.param; });

// --worker_priority and --cpus: the worker runs SCHED_FIFO on its CPU, every other thread of
// the daemon on the CPUs left, and the main thread keeps no CAP_SYS_NICE once it runs.
class ReflectordWorkerPlacementTest : public DataPathLabTest {};

TEST_P(ReflectordWorkerPlacementTest, RealTimeWorkerOnItsCpuTheOtherThreadsBeside) {
  if (sysconf(_SC_NPROCESSORS_ONLN) < 2) GTEST_SKIP() << "needs two CPUs";
  absl::StatusOr<lab::LabProcess> daemon = lab_->StartReflectord(
      {"--datapath=" + GetParam(), "--queues=1", "--cpus=1", "--worker_priority=1"});
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  ASSERT_EQ(ExchangeBothPorts(*lab_, 1).size(), 1u);

  int fifo_threads = 0;
  int other_threads = 0;
  DIR* tasks = opendir(absl::StrCat("/proc/", daemon->pid(), "/task").c_str());
  ASSERT_NE(tasks, nullptr);
  while (const dirent* entry = readdir(tasks)) {
    pid_t tid = 0;
    if (!absl::SimpleAtoi(entry->d_name, &tid)) continue;
    cpu_set_t cpus;
    CPU_ZERO(&cpus);
    ASSERT_EQ(sched_getaffinity(tid, sizeof(cpus), &cpus), 0);
    if (sched_getscheduler(tid) == SCHED_FIFO) {
      ++fifo_threads;
      EXPECT_EQ(CPU_COUNT(&cpus), 1);
      EXPECT_TRUE(CPU_ISSET(1, &cpus));
    } else {
      ++other_threads;
      EXPECT_FALSE(CPU_ISSET(1, &cpus)) << "thread " << tid << " may run on the worker's CPU";
    }
  }
  closedir(tasks);
  EXPECT_EQ(fifo_threads, 1);
  EXPECT_GE(other_threads, 1);
  // CAP_NET_ADMIN (12) and CAP_BPF (39): CAP_SYS_NICE went once the worker ran.
  EXPECT_EQ(lab::EffectiveCapabilities(daemon->pid()), (1ull << 12) | (1ull << 39));

  ASSERT_TRUE(daemon->Signal(SIGTERM).ok());
  absl::StatusOr<int> exit_code = daemon->Wait(kTimeout);
  ASSERT_TRUE(exit_code.ok()) << exit_code.status();
  EXPECT_EQ(*exit_code, 0) << daemon->Describe();
}

INSTANTIATE_TEST_SUITE_P(DataPaths, ReflectordWorkerPlacementTest,
                         ::testing::Values("afxdp", "afpacket"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace reflector::testing
