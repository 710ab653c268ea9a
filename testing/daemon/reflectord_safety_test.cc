// reflectord on a production host (issue 11), once per data path: one reflector per
// interface, the interface going away, a closed stdout, a run by an unprivileged user with
// exactly the documented file capabilities, monitor mode's wording and SIGHUP without a file.
// (What SIGKILL leaves and the next start undoes: reflectord_kill_test.cc.)
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "gtest/gtest.h"
#include "testing/daemon/datapath_lab_test.h"
#include "testing/lab/command.h"
#include "testing/lab/netns.h"
#include "testing/lab/xdp_pass.h"
#include "testing/lab/reflections.h"
#include "testing/lab/reflector_lab.h"
#include "testing/lab/runfiles.h"

namespace reflector::testing {
namespace {


constexpr absl::Duration kTimeout = absl::Seconds(10);
constexpr char kFileCapabilities[] = "cap_net_admin,cap_net_raw,cap_bpf,cap_perfmon,cap_ipc_lock";
constexpr uid_t kNobody = 65534;

// Sends one test frame and returns how many reflections of it came back.
size_t Reflections(lab::ReflectorLab& lab, uint16_t id) {
  absl::StatusOr<size_t> count = lab::CountReflections(lab, id);
  EXPECT_TRUE(count.ok()) << count.status();
  return count.value_or(0);
}

absl::Status StopAndExpectCleanExit(lab::LabProcess& daemon) {
  if (absl::Status sent = daemon.Signal(SIGINT); !sent.ok()) return sent;
  absl::StatusOr<int> code = daemon.Wait(kTimeout);
  if (!code.ok()) return code.status();
  if (*code != 0) return absl::InternalError(daemon.Describe());
  return absl::OkStatus();
}

class ReflectordSafetyTest : public DataPathLabTest {
 protected:
  std::string datapath_flag() const { return "--datapath=" + GetParam(); }
};

TEST_P(ReflectordSafetyTest, SecondInstanceIsRefusedAndChangesNothing) {
  absl::StatusOr<lab::LabProcess> first = lab_->StartReflectord({datapath_flag()});
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(Reflections(*lab_, 1), 1u);

  // Whatever data path the second one asks for: auto used to fall back to afpacket beside xdp.
  for (const std::string& datapath : {GetParam(), std::string("auto")}) {
    absl::StatusOr<lab::LabProcess> second = lab_->RunReflectordToExit(
        {"--interface=" + lab_->reflector_if(), "--datapath=" + datapath}, kTimeout);
    ASSERT_TRUE(second.ok()) << second.status();
    EXPECT_EQ(second->Poll(), 2) << second->Describe();
    EXPECT_TRUE(absl::StrContains(
        second->Stderr(), absl::StrCat(lab_->reflector_if(), " is already served by pid ",
                                       first->pid(), " (reflectord)")))
        << second->Describe();
    // One line, and nothing else happened.
    const std::string stderr_text = second->Stderr();
    EXPECT_EQ(std::count(stderr_text.begin(), stderr_text.end(), '\n'), 1)
        << second->Describe();
  }
  // Each frame still comes back exactly once, from the first instance, whose filters the
  // second did not take away.
  EXPECT_EQ(Reflections(*lab_, 2), 1u);
  ASSERT_TRUE(StopAndExpectCleanExit(*first).ok());
  EXPECT_TRUE(lab_->CheckNothingAttached().ok()) << lab_->CheckNothingAttached();

  // The lock went with the first instance.
  absl::StatusOr<lab::LabProcess> third = lab_->StartReflectord({datapath_flag()});
  ASSERT_TRUE(third.ok()) << third.status();
  EXPECT_EQ(Reflections(*lab_, 3), 1u);
}

TEST_P(ReflectordSafetyTest, InterfaceGoingAwayStopsTheDaemon) {
  absl::StatusOr<lab::LabProcess> daemon = lab_->StartReflectord({datapath_flag()});
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  ASSERT_TRUE(lab::RunCommand({"ip", "-n", lab_->reflector_ns().name(), "link", "del",
                               lab_->reflector_if()})
                  .ok());
  absl::StatusOr<int> code = daemon->Wait(kTimeout);
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 1) << daemon->Describe();
  EXPECT_TRUE(absl::StrContains(daemon->Stderr(), lab_->reflector_if() + " (ifindex "))
      << daemon->Describe();
  EXPECT_TRUE(absl::StrContains(daemon->Stderr(), ") went away; stopping")) << daemon->Describe();
  EXPECT_TRUE(absl::StrContains(daemon->Stderr(), "summary after")) << daemon->Describe();
}

TEST_P(ReflectordSafetyTest, ClosedStdoutStopsCleanly) {
  absl::StatusOr<std::string> binary = lab::RunfilePath("reflector/reflectord");
  ASSERT_TRUE(binary.ok()) << binary.status();
  // `reflectord | head -n 1`: head exits after the banner's first line. reflectord must then
  // detach and exit 0 instead of dying of SIGPIPE with everything still attached.
  absl::StatusOr<lab::LabProcess> pipeline = lab_->Spawn(
      lab::End::kReflector,
      {"/bin/bash", "-c", "\"$0\" \"$@\" | head -n 1 >/dev/null; exit \"${PIPESTATUS[0]}\"",
       *binary, "--interface=" + lab_->reflector_if(), datapath_flag(), "--stats_interval=0.1"});
  ASSERT_TRUE(pipeline.ok()) << pipeline.status();
  absl::StatusOr<int> code = pipeline->Wait(absl::Seconds(20));
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 0) << pipeline->Describe();
  EXPECT_TRUE(absl::StrContains(pipeline->Stderr(), "stdout was closed; stopping"))
      << pipeline->Describe();
  EXPECT_TRUE(absl::StrContains(pipeline->Stderr(), "summary after")) << pipeline->Describe();
  EXPECT_TRUE(lab_->CheckNothingAttached().ok()) << lab_->CheckNothingAttached();
}

// A copy of reflectord that user nobody may run, carrying exactly the documented capabilities.
class UnprivilegedCopy {
 public:
  static absl::StatusOr<UnprivilegedCopy> Make(const std::string& binary) {
    char pattern[] = "/tmp/reflectord-unprivileged.XXXXXX";
    if (mkdtemp(pattern) == nullptr) return absl::ErrnoToStatus(errno, "mkdtemp");
    UnprivilegedCopy copy(pattern);
    std::error_code error;
    std::filesystem::copy_file(binary, copy.binary(), error);
    if (error) return absl::InternalError(absl::StrCat("copy ", binary, ": ", error.message()));
    if (chmod(copy.dir_.c_str(), 0755) != 0 || chmod(copy.binary().c_str(), 0755) != 0 ||
        mkdir(copy.runtime_dir().c_str(), 0700) != 0 ||
        chown(copy.runtime_dir().c_str(), kNobody, kNobody) != 0) {
      return absl::ErrnoToStatus(errno, "prepare the unprivileged copy");
    }
    if (absl::Status set = lab::RunCommand(
            {"setcap", absl::StrCat(kFileCapabilities, "+ep"), copy.binary()});
        !set.ok()) {
      return set;
    }
    return copy;
  }
  UnprivilegedCopy(UnprivilegedCopy&& other) noexcept : dir_(std::exchange(other.dir_, "")) {}
  ~UnprivilegedCopy() {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  std::string binary() const { return dir_ + "/reflectord"; }
  // As systemd's RuntimeDirectory= would give a unit running as User=nobody.
  std::string runtime_dir() const { return dir_ + "/run"; }

 private:
  explicit UnprivilegedCopy(std::string dir) : dir_(std::move(dir)) {}
  std::string dir_;
};

TEST_P(ReflectordSafetyTest, UnprivilegedUserWithTheDocumentedFileCapabilitiesReflects) {
  absl::StatusOr<std::string> binary = lab::RunfilePath("reflector/reflectord");
  ASSERT_TRUE(binary.ok()) << binary.status();
  absl::StatusOr<UnprivilegedCopy> copy = UnprivilegedCopy::Make(*binary);
  ASSERT_TRUE(copy.ok()) << copy.status();
  // setpriv changes the user and execs env, which execs the file-capability binary: the
  // capabilities come from the file alone, as with `setcap` on an installed reflectord.
  absl::StatusOr<lab::LabProcess> daemon = lab_->Spawn(
      lab::End::kReflector,
      {"/usr/bin/setpriv", absl::StrCat("--reuid=", kNobody), absl::StrCat("--regid=", kNobody),
       "--clear-groups", "/usr/bin/env", "RUNTIME_DIRECTORY=" + copy->runtime_dir(),
       copy->binary(), "--interface=" + lab_->reflector_if(), datapath_flag(),
       "--stats_interval=0", "--stats_format=json"});
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  ASSERT_TRUE(daemon->WaitForStderr("  data path  ", kTimeout).ok()) << daemon->Describe();
  EXPECT_EQ(Reflections(*lab_, 7), 1u) << daemon->Describe();
  // What it keeps once running: CAP_NET_ADMIN (12) and CAP_BPF (39).
  EXPECT_EQ(lab::EffectiveCapabilities(daemon->pid()), (1ull << 12) | (1ull << 39));
  ASSERT_TRUE(StopAndExpectCleanExit(*daemon).ok());
  EXPECT_TRUE(lab_->CheckNothingAttached().ok()) << lab_->CheckNothingAttached();

  // With one capability short it refuses in one line that names it and the setcap command.
  ASSERT_TRUE(lab::RunCommand({"setcap", "cap_net_admin,cap_net_raw,cap_bpf,cap_ipc_lock+ep",
                               copy->binary()})
                  .ok());
  absl::StatusOr<lab::LabProcess> short_one = lab_->Spawn(
      lab::End::kReflector,
      {"/usr/bin/setpriv", absl::StrCat("--reuid=", kNobody), absl::StrCat("--regid=", kNobody),
       "--clear-groups", copy->binary(), "--interface=" + lab_->reflector_if(), datapath_flag()});
  ASSERT_TRUE(short_one.ok()) << short_one.status();
  absl::StatusOr<int> code = short_one->Wait(kTimeout);
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 2) << short_one->Describe();
  EXPECT_EQ(short_one->Stderr(),
            absl::StrCat("reflectord: missing capability cap_perfmon: run as root, or grant the "
                         "file capabilities: setcap ",
                         kFileCapabilities, "+ep ", copy->binary(), "\n"));
}

TEST_P(ReflectordSafetyTest, MonitorSendsNothingAndSaysWouldReflect) {
  absl::StatusOr<lab::LabProcess> daemon = lab_->StartReflectord({datapath_flag(), "--monitor"});
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  EXPECT_EQ(Reflections(*lab_, 9), 0u);
  ASSERT_TRUE(StopAndExpectCleanExit(*daemon).ok());
  EXPECT_TRUE(absl::StrContains(daemon->Stderr(),
                                "would reflect (monitor: nothing sent) 1 frames"))
      << daemon->Describe();
  EXPECT_FALSE(absl::StrContains(daemon->Stderr(), "reflected 1 frames")) << daemon->Describe();
  EXPECT_TRUE(absl::StrContains(daemon->Stdout(), "\"monitor\":true")) << daemon->Stdout();
}

TEST_P(ReflectordSafetyTest, SighupWithoutAConfigFileHasNothingToReload) {
  absl::StatusOr<lab::LabProcess> daemon = lab_->StartReflectord({datapath_flag()});
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  ASSERT_TRUE(daemon->Signal(SIGHUP).ok());
  ASSERT_TRUE(daemon->WaitForStderr("SIGHUP: nothing to reload (no --config file)", kTimeout).ok())
      << daemon->Describe();
  EXPECT_FALSE(absl::StrContains(daemon->Stderr(), "reloaded")) << daemon->Describe();
  EXPECT_EQ(Reflections(*lab_, 10), 1u);
  ASSERT_TRUE(StopAndExpectCleanExit(*daemon).ok());
}

// Someone else's XDP program, attached through netlink as `ip link set dev X xdp obj ...`
// does: refused with a command that removes it, or taken over with --xdp_replace.
TEST_P(ReflectordSafetyTest, AnotherXdpProgramIsRefusedUnlessReplaceIsAsked) {
  if (GetParam() == "afpacket") GTEST_SKIP() << "no XDP program on this data path";
  absl::StatusOr<lab::XdpPassProgram> other = lab::XdpPassProgram::Load();
  ASSERT_TRUE(other.ok()) << other.status();
  {
    absl::StatusOr<lab::NetnsEntry> inside = lab::NetnsEntry::Enter(lab_->reflector_ns().name());
    ASSERT_TRUE(inside.ok()) << inside.status();
    const int ifindex = static_cast<int>(if_nametoindex(lab_->reflector_if().c_str()));
    ASSERT_EQ(bpf_xdp_attach(ifindex, other->program_fd(), XDP_FLAGS_DRV_MODE, nullptr), 0);
  }
  absl::StatusOr<lab::LabProcess> refused = lab_->RunReflectordToExit(
      {"--interface=" + lab_->reflector_if(), datapath_flag()}, kTimeout);
  ASSERT_TRUE(refused.ok()) << refused.status();
  EXPECT_EQ(refused->Poll(), 2) << refused->Describe();
  EXPECT_TRUE(absl::StrContains(
      refused->Stderr(), absl::StrCat("detach it with `ip link set dev ", lab_->reflector_if(),
                                      " xdpdrv off` or attach with replace (reflectord: "
                                      "--xdp_replace)")))
      << refused->Describe();

  absl::StatusOr<lab::LabProcess> replacing =
      lab_->StartReflectord({datapath_flag(), "--xdp_replace"});
  ASSERT_TRUE(replacing.ok()) << replacing.status();
  EXPECT_TRUE(absl::StrContains(replacing->Stderr(), "replaced XDP program 'rf_lab_pass'"))
      << replacing->Describe();
  EXPECT_EQ(Reflections(*lab_, 11), 1u);
  ASSERT_TRUE(StopAndExpectCleanExit(*replacing).ok());
  EXPECT_TRUE(lab_->CheckNothingAttached().ok()) << lab_->CheckNothingAttached();
}

INSTANTIATE_TEST_SUITE_P(DataPaths, ReflectordSafetyTest,
                         ::testing::Values("xdp", "afxdp", "afpacket"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace reflector::testing
