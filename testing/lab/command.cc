#include "testing/lab/command.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "reflector/base/unique_fd.h"

extern char** environ;

namespace reflector::testing::lab {
namespace {

// Bazel's test environment may have a PATH without the sbin directories that hold ip, tc,
// sysctl and ethtool; the command, and what it runs in turn (`ip netns exec ns sysctl`),
// search them too.
std::string SearchPath() {
  const char* path = std::getenv("PATH");
  return absl::StrCat(path != nullptr ? path : "", ":/usr/sbin:/usr/bin:/sbin:/bin");
}

std::string FindProgram(const std::string& program, const std::string& search_path) {
  if (absl::StrContains(program, '/')) return program;
  for (absl::string_view dir : absl::StrSplit(search_path, ':', absl::SkipEmpty())) {
    std::string candidate = absl::StrCat(dir, "/", program);
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return program;  // posix_spawn fails with ENOENT, which the caller reports
}

// This process's environment with PATH replaced by `search_path`.
std::vector<std::string> ChildEnvironment(const std::string& search_path) {
  std::vector<std::string> env = {"PATH=" + search_path};
  for (char** entry = environ; *entry != nullptr; ++entry) {
    if (std::strncmp(*entry, "PATH=", 5) != 0) env.emplace_back(*entry);
  }
  return env;
}

std::vector<char*> Pointers(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (std::string& s : strings) pointers.push_back(s.data());
  pointers.push_back(nullptr);
  return pointers;
}

}  // namespace

absl::StatusOr<std::string> RunCommandOutput(const std::vector<std::string>& argv) {
  const std::string command_line = absl::StrJoin(argv, " ");
  if (argv.empty()) return absl::InvalidArgumentError("empty command");
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) return absl::ErrnoToStatus(errno, "pipe");
  UniqueFd read_end(pipe_fds[0]);
  UniqueFd write_end(pipe_fds[1]);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, write_end.get(), STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, write_end.get(), STDERR_FILENO);
  const std::string search_path = SearchPath();
  const std::string program = FindProgram(argv[0], search_path);
  std::vector<std::string> arg_strings = argv;
  std::vector<std::string> env_strings = ChildEnvironment(search_path);
  const std::vector<char*> args = Pointers(arg_strings);
  const std::vector<char*> env = Pointers(env_strings);
  pid_t pid = 0;
  const int error =
      posix_spawn(&pid, program.c_str(), &actions, nullptr, args.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);
  write_end.reset();
  if (error != 0) return absl::ErrnoToStatus(error, command_line);

  std::string output;
  char buffer[512];
  for (ssize_t n; (n = read(read_end.get(), buffer, sizeof(buffer))) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    output.append(buffer, static_cast<size_t>(n));
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return output;
  return absl::InternalError(absl::StrCat("`", command_line, "` failed (status ", status,
                                          "): ", output));
}

absl::Status RunCommand(const std::vector<std::string>& argv) {
  return RunCommandOutput(argv).status();
}

}  // namespace reflector::testing::lab
