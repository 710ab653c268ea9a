// reflectord@.service run the way systemd would run it, on a machine without systemd as PID 1:
// the command line is the unit's own ExecStart= (specifiers expanded, installed paths mapped to
// the built files), as the user its sysusers.d snippet creates, with the unit's ambient and
// bounding capabilities and NoNewPrivileges= through setpriv, a clean environment with
// $RUNTIME_DIRECTORY, $WATCHDOG_USEC from WatchdogSec=, $NOTIFY_SOCKET naming a datagram
// socket this test reads as systemd would, and stdout and stderr as one stream named by
// $JOURNAL_STREAM, as the journal's would be. What it cannot emulate: the unit's namespaces and
// filters (ProtectSystem=, SystemCallFilter=, RestrictAddressFamilies=, ...); those are checked
// by `systemd-analyze verify` and `security` (service_unit_test.sh).
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <functional>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "reflector/base/unique_fd.h"
#include "reflector/base/version.h"
#include "testing/lab/command.h"
#include "testing/lab/read_file.h"
#include "testing/lab/reflections.h"
#include "testing/lab/reflector_lab.h"
#include "testing/lab/require_root.h"
#include "testing/lab/runfiles.h"
#include "testing/service/systemd_unit.h"

namespace reflector::testing::service {
namespace {

constexpr absl::Duration kTimeout = absl::Seconds(10);
// Where the package installs what the unit names.
constexpr char kInstalledBinary[] = "/usr/sbin/reflectord";
constexpr char kInstalledConfigDir[] = "/etc/reflector/";

// systemd's end of $NOTIFY_SOCKET: a datagram socket that also learns each sender's PID, as
// NotifyAccess=main needs.
class FakeSystemd {
 public:
  static absl::StatusOr<std::unique_ptr<FakeSystemd>> Listen(const std::string& path) {
    auto systemd = std::unique_ptr<FakeSystemd>(new FakeSystemd(path));
    sockaddr_un address = {};
    address.sun_family = AF_UNIX;
    if (path.size() >= sizeof(address.sun_path)) return absl::InvalidArgumentError("long path");
    std::memcpy(address.sun_path, path.data(), path.size());
    const int on = 1;
    if (!systemd->fd_.valid() ||
        bind(systemd->fd_.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
        setsockopt(systemd->fd_.get(), SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)) != 0 ||
        chmod(path.c_str(), 0777) != 0) {  // the service's user must be able to send
      return absl::ErrnoToStatus(errno, "notify socket " + path);
    }
    return systemd;
  }
  ~FakeSystemd() { unlink(path_.c_str()); }

  struct Message {
    std::string text;
    pid_t sender = 0;
  };
  // Messages until one has the line `line` (returned last), or DeadlineExceeded with what came.
  absl::StatusOr<std::vector<Message>> WaitFor(absl::string_view line, absl::Duration timeout) {
    return WaitFor([line](absl::string_view l) { return l == line; }, line, timeout);
  }
  // The same for the first line `match` accepts; `what` describes it in the error.
  absl::StatusOr<std::vector<Message>> WaitFor(const std::function<bool(absl::string_view)>& match,
                                               absl::string_view what, absl::Duration timeout) {
    std::vector<Message> seen;
    const absl::Time deadline = absl::Now() + timeout;
    while (absl::Now() < deadline) {
      const timeval wait = absl::ToTimeval(absl::Milliseconds(100));
      setsockopt(fd_.get(), SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof(wait));
      char buffer[4096];
      alignas(cmsghdr) char control[CMSG_SPACE(sizeof(ucred))];
      iovec io = {buffer, sizeof(buffer)};
      msghdr header = {};
      header.msg_iov = &io;
      header.msg_iovlen = 1;
      header.msg_control = control;
      header.msg_controllen = sizeof(control);
      const ssize_t n = recvmsg(fd_.get(), &header, 0);
      if (n < 0) continue;
      Message message{std::string(buffer, static_cast<size_t>(n))};
      for (cmsghdr* c = CMSG_FIRSTHDR(&header); c != nullptr; c = CMSG_NXTHDR(&header, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
          ucred credentials;
          std::memcpy(&credentials, CMSG_DATA(c), sizeof(credentials));
          message.sender = credentials.pid;
        }
      }
      seen.push_back(message);
      for (absl::string_view l : absl::StrSplit(message.text, '\n')) {
        if (match(l)) return seen;
      }
    }
    std::string texts;
    for (const Message& m : seen) absl::StrAppend(&texts, "[", m.text, "] ");
    return absl::DeadlineExceededError(absl::StrCat("no \"", what, "\"; got ", texts));
  }

 private:
  explicit FakeSystemd(std::string path) : path_(std::move(path)) {}
  std::string path_;
  UniqueFd fd_{socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)};
};

// A scratch directory for what systemd and the package would provide.
class Scratch {
 public:
  Scratch() {
    char pattern[] = "/tmp/reflectord-unit.XXXXXX";
    dir_ = mkdtemp(pattern) != nullptr ? pattern : "";
  }
  ~Scratch() {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
};

// The uid and gid the sysusers.d snippet gives the unit's User=, in a scratch root.
absl::StatusOr<std::pair<uid_t, gid_t>> SysusersAccount(const std::string& root,
                                                        const std::string& snippet,
                                                        const std::string& user) {
  std::filesystem::create_directories(root + "/etc");
  if (absl::Status made = lab::RunCommand({"systemd-sysusers", "--root=" + root, snippet});
      !made.ok()) {
    return made;
  }
  for (absl::string_view line : absl::StrSplit(lab::ReadFile(root + "/etc/passwd"), '\n')) {
    const std::vector<std::string> fields = absl::StrSplit(line, ':');
    uint32_t uid = 0, gid = 0;
    if (fields.size() >= 4 && fields[0] == user && absl::SimpleAtoi(fields[2], &uid) &&
        absl::SimpleAtoi(fields[3], &gid)) {
      return std::make_pair(static_cast<uid_t>(uid), static_cast<gid_t>(gid));
    }
  }
  return absl::NotFoundError(absl::StrCat(snippet, " does not create User=", user));
}

size_t Reflections(lab::ReflectorLab& lab, uint16_t id) {
  absl::StatusOr<size_t> count = lab::CountReflections(lab, id);
  EXPECT_TRUE(count.ok()) << count.status();
  return count.value_or(0);
}

TEST(ReflectordUnit, StartsAsSystemdWouldAndTellsItReadyOnlyOnceReflecting) {
  REFLECTOR_REQUIRE_ROOT();
  absl::StatusOr<std::string> unit_path = lab::RunfilePath("tools/service/reflectord@.service");
  absl::StatusOr<std::string> sysusers = lab::RunfilePath("tools/service/reflectord.sysusers");
  absl::StatusOr<std::string> config = lab::RunfilePath("tools/service/default.toml");
  absl::StatusOr<std::string> binary = lab::RunfilePath("reflector/reflectord");
  ASSERT_TRUE(unit_path.ok() && sysusers.ok() && config.ok() && binary.ok())
      << unit_path.status() << sysusers.status() << config.status() << binary.status();
  absl::StatusOr<std::unique_ptr<lab::ReflectorLab>> lab = lab::ReflectorLab::Create();
  ASSERT_TRUE(lab.ok()) << lab.status();
  const std::string interface = (*lab)->reflector_if();
  absl::StatusOr<SystemdUnit> unit = SystemdUnit::Parse(lab::ReadFile(*unit_path), interface);
  ASSERT_TRUE(unit.ok()) << unit.status();

  // The files the package installs, at scratch paths the service's user can read.
  Scratch scratch;
  ASSERT_FALSE(scratch.dir().empty());
  ASSERT_EQ(chmod(scratch.dir().c_str(), 0755), 0);
  const std::string installed_binary = scratch.dir() + "/reflectord";
  const std::string config_dir = scratch.dir() + "/etc-reflector/";
  std::filesystem::copy_file(*binary, installed_binary);
  std::filesystem::create_directories(config_dir);
  // The package's default config, copied to the instance's name as the README says.
  std::filesystem::copy_file(*config, config_dir + interface + ".toml");
  ASSERT_EQ(chmod(installed_binary.c_str(), 0755), 0);
  ASSERT_EQ(chmod(config_dir.c_str(), 0755), 0);
  ASSERT_EQ(chmod((config_dir + interface + ".toml").c_str(), 0644), 0);

  // User=, from the sysusers.d snippet; RuntimeDirectory= owned by it.
  absl::StatusOr<std::string> user = unit->Value("Service", "User");
  ASSERT_TRUE(user.ok()) << user.status();
  absl::StatusOr<std::pair<uid_t, gid_t>> account =
      SysusersAccount(scratch.dir() + "/root", *sysusers, *user);
  ASSERT_TRUE(account.ok()) << account.status();
  const auto [uid, gid] = *account;
  absl::StatusOr<std::string> runtime = unit->Value("Service", "RuntimeDirectory");
  ASSERT_TRUE(runtime.ok()) << runtime.status();
  const std::string runtime_dir = scratch.dir() + "/run/" + *runtime;
  std::filesystem::create_directories(runtime_dir);
  ASSERT_EQ(chown(runtime_dir.c_str(), uid, gid), 0);

  // Type=notify with WatchdogSec=: systemd's socket and the watchdog interval.
  ASSERT_EQ(unit->Value("Service", "Type").value_or(""), "notify");
  absl::StatusOr<absl::Duration> watchdog =
      SystemdUnit::TimeSpan(unit->Value("Service", "WatchdogSec").value_or("missing"));
  ASSERT_TRUE(watchdog.ok()) << watchdog.status();
  absl::StatusOr<std::unique_ptr<FakeSystemd>> systemd =
      FakeSystemd::Listen(scratch.dir() + "/notify");
  ASSERT_TRUE(systemd.ok()) << systemd.status();

  absl::StatusOr<std::vector<std::string>> exec_start = unit->ExecStart();
  ASSERT_TRUE(exec_start.ok()) << exec_start.status();
  ASSERT_EQ((*exec_start)[0], kInstalledBinary);
  (*exec_start)[0] = installed_binary;
  for (std::string& word : *exec_start) {
    const size_t at = word.find(kInstalledConfigDir);
    if (at != std::string::npos) word.replace(at, strlen(kInstalledConfigDir), config_dir);
  }
  const std::string ambient =
      SystemdUnit::SetprivCaps(unit->Value("Service", "AmbientCapabilities").value_or(""));
  const std::string bounding =
      SystemdUnit::SetprivCaps(unit->Value("Service", "CapabilityBoundingSet").value_or(""));
  ASSERT_FALSE(ambient.empty());
  ASSERT_FALSE(bounding.empty());
  std::vector<std::string> argv = {
      "/usr/bin/setpriv",  absl::StrCat("--reuid=", uid),   absl::StrCat("--regid=", gid),
      "--clear-groups",    "--inh-caps=" + ambient,         "--ambient-caps=" + ambient,
      "--bounding-set=-all," + bounding};
  if (unit->Value("Service", "NoNewPrivileges").value_or("no") == "yes") {
    argv.push_back("--no-new-privs");
  }
  for (const std::string& word :
       {std::string("/usr/bin/env"), std::string("-i"), std::string("PATH=/usr/bin:/bin"),
        "USER=" + *user, "NOTIFY_SOCKET=" + scratch.dir() + "/notify",
        absl::StrCat("WATCHDOG_USEC=", absl::ToInt64Microseconds(*watchdog)),
        "RUNTIME_DIRECTORY=" + runtime_dir}) {
    argv.push_back(word);
  }
  // StandardOutput=journal (the default): stdout and stderr are one stream, which systemd
  // names in $JOURNAL_STREAM (device:inode). Here the stream is the file the lab collects.
  for (const std::string& word :
       {std::string("/bin/sh"), std::string("-c"),
        std::string("exec 1>&2; export JOURNAL_STREAM=$(stat -L -c %d:%i /proc/self/fd/2); "
                    "exec \"$@\""),
        std::string("sh")}) {
    argv.push_back(word);
  }
  argv.insert(argv.end(), exec_start->begin(), exec_start->end());

  absl::StatusOr<lab::LabProcess> daemon = (*lab)->Spawn(lab::End::kReflector, argv);
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  absl::StatusOr<std::vector<FakeSystemd::Message>> ready =
      (*systemd)->WaitFor("READY=1", kTimeout);
  ASSERT_TRUE(ready.ok()) << ready.status() << daemon->Describe();
  // NotifyAccess=main: systemd takes notifications from the main process only.
  EXPECT_EQ(ready->back().sender, daemon->pid());
  EXPECT_EQ(ready->back().text, "READY=1\nSTATUS=" + interface + " xdp: reflecting");
  // Ready means reflecting: a frame sent right now comes back, no banner waited for.
  EXPECT_EQ(Reflections(**lab, 1), 1u) << daemon->Describe();
  // Running as the unit's user with what reflectord keeps: CAP_NET_ADMIN (12), CAP_BPF (39).
  EXPECT_EQ(lab::EffectiveCapabilities(daemon->pid()), (1ull << 12) | (1ull << 39));

  absl::StatusOr<std::vector<FakeSystemd::Message>> alive =
      (*systemd)->WaitFor("WATCHDOG=1", *watchdog / 2 + absl::Seconds(1));
  ASSERT_TRUE(alive.ok()) << alive.status();
  EXPECT_EQ(alive->back().sender, daemon->pid());
  // The rates of the last second (the lab's own traffic may count in rx), and the total.
  const std::string rates = "STATUS=" + interface + " xdp: rx ";
  absl::StatusOr<std::vector<FakeSystemd::Message>> status = (*systemd)->WaitFor(
      [&rates](absl::string_view line) {
        return absl::StartsWith(line, rates) && absl::StrContains(line, " fps ") &&
               absl::EndsWith(line, " Mbps; 1 reflected in total");
      },
      rates + "... Mbps; 1 reflected in total", absl::Seconds(5));
  ASSERT_TRUE(status.ok()) << status.status();

  // ExecReload=: SIGHUP to the main PID re-reads the config file.
  absl::StatusOr<std::string> reload = unit->Value("Service", "ExecReload");
  ASSERT_TRUE(reload.ok()) << reload.status();
  EXPECT_EQ(*reload, "/bin/kill -HUP $MAINPID");
  ASSERT_TRUE(daemon->Signal(SIGHUP).ok());
  ASSERT_TRUE((*systemd)->WaitFor("RELOADING=1", kTimeout).ok());
  ASSERT_TRUE((*systemd)->WaitFor("READY=1", kTimeout).ok());
  EXPECT_TRUE(daemon->WaitForStderr("reflectord: reloaded: mode all", kTimeout).ok())
      << daemon->Describe();
  EXPECT_EQ(Reflections(**lab, 2), 1u) << daemon->Describe();

  // systemctl stop: SIGTERM, STOPPING=1, exit 0, nothing left on the interface.
  ASSERT_TRUE(daemon->Signal(SIGTERM).ok());
  ASSERT_TRUE((*systemd)->WaitFor("STOPPING=1", kTimeout).ok());
  absl::StatusOr<int> code = daemon->Wait(kTimeout);
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 0) << daemon->Describe();
  EXPECT_TRUE((*lab)->CheckNothingAttached().ok()) << (*lab)->CheckNothingAttached();
  // In the journal every line carries its syslog priority: banner, reload and summary at info.
  const std::string journal = daemon->Stderr();
  EXPECT_TRUE(absl::StartsWith(journal, "<6>reflectord " + std::string(base::kVersion) + " on " +
                                            interface))
      << journal;
  EXPECT_TRUE(absl::StrContains(journal, "\n<6>reflectord: reloaded: mode all")) << journal;
  EXPECT_TRUE(absl::StrContains(journal, "\n<6>summary after ")) << journal;
  for (absl::string_view line : absl::StrSplit(journal, '\n', absl::SkipEmpty())) {
    EXPECT_TRUE(absl::StartsWith(line, "<6>") || absl::StartsWith(line, "<4>")) << line;
  }
}

}  // namespace
}  // namespace reflector::testing::service
