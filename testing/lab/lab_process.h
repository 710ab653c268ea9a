// A program (reflectord) running inside a lab network namespace, the way a host would run
// it: its own mount namespace with the namespace's sysfs on /sys and a bpffs on /sys/fs/bpf
// (libxdp pins there; `ip netns exec` would remount /sys without it). Its stdout and stderr
// go to files the test reads while it runs. The process dies with the test (PDEATHSIG) or
// with the object, so a failing test leaves no program attached.
#ifndef REFLECTOR_TESTING_LAB_LAB_PROCESS_H_
#define REFLECTOR_TESTING_LAB_LAB_PROCESS_H_

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace reflector::testing::lab {

struct LabProcessOptions {
  std::string netns;               // name under /run/netns
  std::vector<std::string> argv;   // argv[0] is the program's path
  std::string output_prefix;       // stdout goes to prefix + ".stdout", stderr to ".stderr"
  int cpu = -1;                    // >= 0: the process (and what it starts) runs on that CPU only
};

class LabProcess {
 public:
  static absl::StatusOr<LabProcess> Start(LabProcessOptions options);

  LabProcess(LabProcess&& other) noexcept;
  LabProcess& operator=(LabProcess&&) = delete;
  ~LabProcess();  // SIGKILL and reap if still running

  pid_t pid() const { return pid_; }
  absl::Status Signal(int signal);
  // The exit code once it has exited (-signal when a signal killed it), nullopt while running.
  std::optional<int> Poll();
  // Waits for the exit; DeadlineExceeded (and the process keeps running) after `timeout`.
  absl::StatusOr<int> Wait(absl::Duration timeout);
  // Waits until stderr contains `text`; fails early, with stderr, when the process exits.
  absl::Status WaitForStderr(absl::string_view text, absl::Duration timeout);
  // Waits until stdout has more than `lines` complete lines.
  absl::Status WaitForStdoutLines(size_t lines, absl::Duration timeout);

  std::string Stdout() const;
  std::string Stderr() const;
  std::string Describe() const;  // command line, exit state, and the tail of stderr

 private:
  LabProcess(pid_t pid, LabProcessOptions options, int cleanup_slot)
      : pid_(pid), options_(std::move(options)), cleanup_slot_(cleanup_slot) {}
  pid_t pid_ = -1;  // -1 once reaped or moved from
  std::optional<int> exit_code_;
  LabProcessOptions options_;
  int cleanup_slot_ = -1;
};

// The effective capability set of process `pid` as the kernel reports it (CapEff in
// /proc/<pid>/status); all ones when it cannot be read.
uint64_t EffectiveCapabilities(pid_t pid);

}  // namespace reflector::testing::lab

#endif  // REFLECTOR_TESTING_LAB_LAB_PROCESS_H_
