// The package as a user gets it (issue 16): `apt install` of the .deb that
// `bazel build //tools/package:deb` makes, `reflectord --version` equal to the package's
// version, the unit accepted by systemd-analyze where it was installed, a lab reflection by
// the installed reflectord with the installed default config, and `apt purge` leaving
// nothing behind. It installs into this machine, so it refuses to run where reflector is
// installed already (or anything it would create exists) instead of replacing it.
#include <signal.h>
#include <sys/stat.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gtest/gtest.h"
#include "testing/lab/command.h"
#include "testing/lab/reflections.h"
#include "testing/lab/reflector_lab.h"
#include "testing/lab/require_root.h"
#include "testing/lab/runfiles.h"

namespace reflector::testing {
namespace {

constexpr absl::Duration kTimeout = absl::Seconds(10);

bool Exists(const std::string& path) {
  struct stat info;
  return lstat(path.c_str(), &info) == 0;
}

bool UserExists(const std::string& name) {
  return lab::RunCommand({"getent", "passwd", name}).ok() ||
         lab::RunCommand({"getent", "group", name}).ok();
}

// apt as the README has users run it; it waits for another apt or dpkg to finish (the machine
// is shared) instead of failing on the lock.
std::vector<std::string> Apt(std::vector<std::string> args) {
  std::vector<std::string> argv = {"apt-get", "--yes", "--quiet", "--option",
                                   "DPkg::Lock::Timeout=600"};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

// Purges the package when the test ends, however it ends.
class Installed {
 public:
  ~Installed() {
    if (installed_) (void)lab::RunCommand(Apt({"purge", "reflector"}));
  }
  absl::Status Install(const std::string& deb) {
    installed_ = true;
    return lab::RunCommand(Apt({"install", "--no-install-recommends", deb}));
  }
  absl::Status Purge() {
    installed_ = false;
    return lab::RunCommand(Apt({"purge", "reflector"}));
  }

 private:
  bool installed_ = false;
};

TEST(DebInstall, InstallsRunsReflectsAndPurgesWithoutATrace) {
  REFLECTOR_REQUIRE_ROOT();
  absl::StatusOr<std::string> deb = lab::RunfilePath("tools/package/reflector_amd64.deb");
  ASSERT_TRUE(deb.ok()) << deb.status();
  for (const std::string path :
       {"/usr/sbin/reflectord", "/etc/reflector", "/lib/systemd/system/reflectord@.service"}) {
    ASSERT_FALSE(Exists(path)) << path << " exists: reflector is installed on this machine; "
                               << "this test installs and purges the package, so it does not "
                               << "run here (dpkg --purge reflector first)";
  }
  ASSERT_FALSE(lab::RunCommand({"dpkg-query", "--status", "reflector"}).ok())
      << "the reflector package is known to dpkg here: dpkg --purge reflector first";
  ASSERT_FALSE(UserExists("reflectord")) << "a user or group reflectord exists already";

  Installed package;
  ASSERT_TRUE(package.Install(*deb).ok()) << "apt-get install " << *deb;
  absl::StatusOr<std::string> version =
      lab::RunCommandOutput({"dpkg-query", "--show", "--showformat=${Version}", "reflector"});
  ASSERT_TRUE(version.ok()) << version.status();
  absl::StatusOr<std::string> files = lab::RunCommandOutput({"dpkg", "--listfiles", "reflector"});
  ASSERT_TRUE(files.ok()) << files.status();

  // --version of every installed binary is the package's version.
  for (const std::string binary : {"/usr/sbin/reflectord", "/usr/bin/ito-tester",
                                   "/usr/bin/pcap-reflect"}) {
    absl::StatusOr<std::string> line = lab::RunCommandOutput({binary, "--version"});
    ASSERT_TRUE(line.ok()) << binary << ": " << line.status();
    const std::string name = binary.substr(binary.rfind('/') + 1);
    EXPECT_TRUE(absl::StartsWith(*line, absl::StrCat(name, " ", *version, " (")))
        << *line << " vs package " << *version;
  }
  // What postinst made, and nothing started: no reflectord runs.
  EXPECT_TRUE(UserExists("reflectord"));
  EXPECT_TRUE(Exists("/etc/reflector/default.toml"));
  // (Other tests may run reflectord from their runfiles meanwhile: only the installed one counts.)
  EXPECT_FALSE(lab::RunCommand({"pgrep", "-f", "^/usr/sbin/reflectord"}).ok());
  EXPECT_TRUE(lab::RunCommand({"systemd-analyze", "verify", "--man=no",
                               "/lib/systemd/system/reflectord@.service"})
                  .ok());
  // The installed pages and the dissector work where they are: man finds the page, tshark
  // loads the plugin by itself.
  EXPECT_TRUE(lab::RunCommand({"mandoc", "-T", "lint", "-W", "warning",
                               "/usr/share/man/man8/reflectord.8.gz"})
                  .ok());
  absl::StatusOr<std::string> pcap = lab::RunfilePath("testing/pcaps/table_default.out.all.pcap");
  ASSERT_TRUE(pcap.ok()) << pcap.status();
  absl::StatusOr<std::string> dissected = lab::RunCommandOutput(
      {"tshark", "-n", "-r", *pcap, "-Y", "frame.number == 1", "-T", "fields", "-e",
       "ito.signature"});
  ASSERT_TRUE(dissected.ok()) << dissected.status();
  EXPECT_TRUE(absl::StrContains(*dissected, "PROBEOT\n")) << *dissected;

  {
    absl::StatusOr<std::unique_ptr<lab::ReflectorLab>> lab = lab::ReflectorLab::Create();
    ASSERT_TRUE(lab.ok()) << lab.status();
    absl::StatusOr<lab::LabProcess> daemon = (*lab)->Spawn(
        lab::End::kReflector,
        {"/usr/sbin/reflectord", "--interface=" + (*lab)->reflector_if(),
         "--config=/etc/reflector/default.toml", "--stats_interval=0", "--stats_format=json"});
    ASSERT_TRUE(daemon.ok()) << daemon.status();
    ASSERT_TRUE(daemon->WaitForStderr("  data path  ", kTimeout).ok()) << daemon->Describe();
    absl::StatusOr<size_t> reflections = lab::CountReflections(**lab, 1);
    ASSERT_TRUE(reflections.ok()) << reflections.status();
    EXPECT_EQ(*reflections, 1u) << daemon->Describe();
    ASSERT_TRUE(daemon->Signal(SIGINT).ok());
    absl::StatusOr<int> code = daemon->Wait(kTimeout);
    ASSERT_TRUE(code.ok()) << code.status();
    EXPECT_EQ(*code, 0) << daemon->Describe();
  }

  ASSERT_TRUE(package.Purge().ok());
  for (absl::string_view path : absl::StrSplit(*files, '\n', absl::SkipEmpty())) {
    if (std::filesystem::is_directory(std::string(path))) continue;  // shared: /usr/bin, ...
    EXPECT_FALSE(Exists(std::string(path))) << path << " is left after purge";
  }
  for (const std::string path : {"/etc/reflector", "/var/lib/dpkg/info/reflector.list"}) {
    EXPECT_FALSE(Exists(path)) << path << " is left after purge";
  }
  // Not checked: /run/reflectord (tmpfiles.d), which every reflectord run as root uses,
  // package or not, and which other tests may be using right now (tmpfs, gone at reboot).
  EXPECT_FALSE(UserExists("reflectord")) << "the reflectord user or group is left after purge";
  EXPECT_FALSE(lab::RunCommand({"dpkg-query", "--status", "reflector"}).ok());
}

}  // namespace
}  // namespace reflector::testing
