#include "platform/dpdk/eal.h"

#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>

#include <atomic>
#include <cerrno>
#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace reflector::platform::dpdk {
namespace {

std::atomic<bool> initialised{false};

// Sends stdout and stderr to a temporary file while it lives; the last line written there is
// the EAL's own account of a failure.
class CapturedOutput {
 public:
  CapturedOutput() {
    fflush(stdout);
    fflush(stderr);
    char path[] = "/tmp/reflectord-eal-XXXXXX";
    file_ = mkstemp(path);
    if (file_ < 0) return;
    unlink(path);
    saved_out_ = dup(STDOUT_FILENO);
    saved_err_ = dup(STDERR_FILENO);
    dup2(file_, STDOUT_FILENO);
    dup2(file_, STDERR_FILENO);
  }
  ~CapturedOutput() { Restore(); }

  // Puts stdout and stderr back and returns the EAL's last word: the last non-empty line
  // written meanwhile, before the usage text it prints after a bad option.
  std::string Restore() {
    if (file_ < 0) return "";
    fflush(stdout);
    fflush(stderr);
    dup2(saved_out_, STDOUT_FILENO);
    dup2(saved_err_, STDERR_FILENO);
    close(saved_out_);
    close(saved_err_);
    std::string text;
    char buffer[4096];
    ssize_t n;
    lseek(file_, 0, SEEK_SET);
    while ((n = read(file_, buffer, sizeof(buffer))) > 0) text.append(buffer, n);
    close(file_);
    file_ = -1;
    std::string last;
    for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipWhitespace())) {
      if (absl::StartsWith(line, "Usage:")) break;
      last = std::string(absl::StripAsciiWhitespace(line));
    }
    // getopt names the program: the daemon's own line says who speaks.
    return std::string(absl::StripPrefix(last, "reflectord: "));
  }

 private:
  int file_ = -1;
  int saved_out_ = -1;
  int saved_err_ = -1;
};

}  // namespace

std::vector<std::string> EalArgv(absl::string_view args) {
  std::vector<std::string> argv = {"reflectord"};
  for (absl::string_view arg : absl::StrSplit(args, ' ', absl::SkipEmpty())) {
    argv.emplace_back(arg);
  }
  return argv;
}

absl::StatusOr<std::unique_ptr<Eal>> Eal::Init(absl::string_view args) {
  if (absl::StripAsciiWhitespace(args).empty()) {
    return absl::InvalidArgumentError(
        "--dpdk_eal_args is empty: give the EAL its devices, e.g. \"-l 0 --vdev=...\" or "
        "\"-l 0 -a 0000:01:00.0\"");
  }
  if (initialised.exchange(true)) {
    return absl::FailedPreconditionError("DPDK's EAL runs once per process");
  }
  std::vector<std::string> argv_text = EalArgv(args);
  std::vector<char*> argv;
  for (std::string& arg : argv_text) argv.push_back(arg.data());
  argv.push_back(nullptr);

  cpu_set_t affinity;
  const bool have_affinity =
      pthread_getaffinity_np(pthread_self(), sizeof(affinity), &affinity) == 0;
  CapturedOutput output;
  const int parsed = rte_eal_init(static_cast<int>(argv.size() - 1), argv.data());
  const int error = rte_errno;
  const std::string last_line = output.Restore();
  if (have_affinity) pthread_setaffinity_np(pthread_self(), sizeof(affinity), &affinity);
  if (parsed < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--dpdk_eal_args=\"", absl::StripAsciiWhitespace(args), "\": the EAL refused them (",
        last_line.empty() ? std::strerror(error) : last_line, ")"));
  }
  if (parsed + 1 < static_cast<int>(argv.size() - 1)) {
    rte_eal_cleanup();
    return absl::InvalidArgumentError(absl::StrCat(
        "--dpdk_eal_args: \"", argv_text[parsed + 1],
        "\" is not an EAL option (application options have no place there)"));
  }
  return std::unique_ptr<Eal>(new Eal());
}

Eal::~Eal() { rte_eal_cleanup(); }

absl::Status Eal::RegisterThread() {
  if (rte_lcore_id() != LCORE_ID_ANY) return absl::OkStatus();
  if (rte_thread_register() != 0) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "DPDK has no lcore id left for a worker (", std::strerror(rte_errno),
        "): name fewer lcores in --dpdk_eal_args (-l 0 is enough)"));
  }
  return absl::OkStatus();
}

}  // namespace reflector::platform::dpdk
