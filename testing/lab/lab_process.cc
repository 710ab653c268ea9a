#include "testing/lab/lab_process.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "reflector/base/unique_fd.h"
#include "testing/lab/read_file.h"
#include "testing/lab/signal_cleanup.h"

namespace reflector::testing::lab {
namespace {

constexpr absl::Duration kPollInterval = absl::Milliseconds(20);

// Runs in the forked child: only system calls from here on (the parent may have threads, so
// the child must not allocate). Exits 127 with a word on stderr when a step fails.
[[noreturn]] void BecomeProgram(int netns_fd, int stdout_fd, int stderr_fd, int parent,
                                const cpu_set_t* cpus, char* const* argv) {
  auto fail = [&](const char* step) {
    const char prefix[] = "lab process: cannot ";
    (void)!write(stderr_fd, prefix, sizeof(prefix) - 1);
    (void)!write(stderr_fd, step, __builtin_strlen(step));
    (void)!write(stderr_fd, "\n", 1);
    _exit(127);
  };
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) fail("set PDEATHSIG");
  if (getppid() != parent) _exit(127);  // the parent died before prctl took effect
  if (cpus != nullptr && sched_setaffinity(0, sizeof(*cpus), cpus) != 0) fail("pin to the CPU");
  if (setns(netns_fd, CLONE_NEWNET) != 0) fail("enter the network namespace");
  if (unshare(CLONE_NEWNS) != 0) fail("unshare the mount namespace");
  // Our mounts must not propagate back to the host's mount namespace.
  if (mount(nullptr, "/", nullptr, MS_SLAVE | MS_REC, nullptr) != 0) fail("make / a slave");
  // sysfs shows the network devices of the namespace that mounts it.
  umount2("/sys", MNT_DETACH);
  if (mount("sysfs", "/sys", "sysfs", 0, nullptr) != 0) fail("mount sysfs");
  if (mount("bpf", "/sys/fs/bpf", "bpf", 0, "mode=0700") != 0) fail("mount bpffs");
  if (dup2(stdout_fd, STDOUT_FILENO) < 0 || dup2(stderr_fd, STDERR_FILENO) < 0) fail("dup2");
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);  // the test may block signals; the child must not
  execv(argv[0], argv);
  fail("exec the program");
  _exit(127);
}

}  // namespace

absl::StatusOr<LabProcess> LabProcess::Start(LabProcessOptions options) {
  if (options.argv.empty()) return absl::InvalidArgumentError("no program to start");
  const std::string netns_path = absl::StrCat("/run/netns/", options.netns);
  UniqueFd netns(open(netns_path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!netns.valid()) return absl::ErrnoToStatus(errno, absl::StrCat("open ", netns_path));
  UniqueFd out(open((options.output_prefix + ".stdout").c_str(),
                    O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  UniqueFd err(open((options.output_prefix + ".stderr").c_str(),
                    O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!out.valid() || !err.valid()) {
    return absl::ErrnoToStatus(errno, absl::StrCat("create ", options.output_prefix, ".std*"));
  }
  std::vector<char*> argv;
  for (std::string& arg : options.argv) argv.push_back(arg.data());
  argv.push_back(nullptr);
  cpu_set_t cpus;
  CPU_ZERO(&cpus);
  if (options.cpu >= 0) {
    if (options.cpu >= CPU_SETSIZE) {
      return absl::InvalidArgumentError(absl::StrCat("no CPU ", options.cpu));
    }
    CPU_SET(options.cpu, &cpus);
  }

  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) return absl::ErrnoToStatus(errno, "fork");
  if (pid == 0) {
    BecomeProgram(netns.get(), out.get(), err.get(), parent, options.cpu >= 0 ? &cpus : nullptr,
                  argv.data());
  }
  const int slot = RememberChild(pid);
  return LabProcess(pid, std::move(options), slot);
}

LabProcess::LabProcess(LabProcess&& other) noexcept
    : pid_(other.pid_),
      exit_code_(other.exit_code_),
      options_(std::move(other.options_)),
      cleanup_slot_(other.cleanup_slot_) {
  other.pid_ = -1;
  other.cleanup_slot_ = -1;
}

LabProcess::~LabProcess() {
  if (pid_ > 0 && !Poll().has_value()) {
    kill(pid_, SIGKILL);
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
  ForgetChild(cleanup_slot_);
}

absl::Status LabProcess::Signal(int signal) {
  if (pid_ <= 0 || exit_code_.has_value()) {
    return absl::FailedPreconditionError(absl::StrCat("not running: ", Describe()));
  }
  if (kill(pid_, signal) != 0) return absl::ErrnoToStatus(errno, "kill");
  return absl::OkStatus();
}

std::optional<int> LabProcess::Poll() {
  if (exit_code_.has_value() || pid_ <= 0) return exit_code_;
  int status = 0;
  const pid_t done = waitpid(pid_, &status, WNOHANG);
  if (done != pid_) return std::nullopt;
  exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  ForgetChild(cleanup_slot_);
  cleanup_slot_ = -1;
  return exit_code_;
}

absl::StatusOr<int> LabProcess::Wait(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    if (std::optional<int> code = Poll(); code.has_value()) return *code;
    if (absl::Now() >= deadline) {
      return absl::DeadlineExceededError(
          absl::StrCat("still running after ", absl::FormatDuration(timeout), ": ", Describe()));
    }
    absl::SleepFor(kPollInterval);
  }
}

absl::Status LabProcess::WaitForStderr(absl::string_view text, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (!absl::StrContains(Stderr(), text)) {
    if (Poll().has_value()) {
      return absl::FailedPreconditionError(
          absl::StrCat("exited before printing \"", text, "\": ", Describe()));
    }
    if (absl::Now() >= deadline) {
      return absl::DeadlineExceededError(
          absl::StrCat("no \"", text, "\" on stderr within ", absl::FormatDuration(timeout),
                       ": ", Describe()));
    }
    absl::SleepFor(kPollInterval);
  }
  return absl::OkStatus();
}

absl::Status LabProcess::WaitForStdoutLines(size_t lines, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    const std::string out = Stdout();
    if (static_cast<size_t>(std::count(out.begin(), out.end(), '\n')) > lines) {
      return absl::OkStatus();
    }
    if (Poll().has_value() || absl::Now() >= deadline) {
      return absl::DeadlineExceededError(
          absl::StrCat("stdout did not grow past ", lines, " lines: ", Describe()));
    }
    absl::SleepFor(kPollInterval);
  }
}

uint64_t EffectiveCapabilities(pid_t pid) {
  std::ifstream status(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(status, line)) {
    if (!absl::StartsWith(line, "CapEff:")) continue;
    uint64_t caps = 0;
    absl::SimpleHexAtoi(absl::StripAsciiWhitespace(line.substr(7)), &caps);
    return caps;
  }
  return ~0ull;
}

std::string LabProcess::Stdout() const { return ReadFile(options_.output_prefix + ".stdout"); }
std::string LabProcess::Stderr() const { return ReadFile(options_.output_prefix + ".stderr"); }

std::string LabProcess::Describe() const {
  std::string err = Stderr();
  constexpr size_t kTail = 2000;
  if (err.size() > kTail) err = "..." + err.substr(err.size() - kTail);
  return absl::StrCat("`", absl::StrJoin(options_.argv, " "), "` in netns ", options_.netns,
                      exit_code_.has_value() ? absl::StrCat(" exited ", *exit_code_)
                                             : std::string(" running"),
                      "; stderr:\n", err);
}

}  // namespace reflector::testing::lab
