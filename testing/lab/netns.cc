#include "testing/lab/netns.h"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "testing/lab/command.h"
#include "testing/lab/signal_cleanup.h"

namespace reflector::testing::lab {

std::string UniqueLabName(absl::string_view prefix) {
  static std::atomic<unsigned> sequence{0};
  // The sequence number in letters ("a".."z", "ba".."zz", ...): after the digits of the pid it
  // cannot make two processes' names equal, as pid 12 lab 34 and pid 123 lab 4 would in digits.
  std::string letters;
  unsigned n = sequence.fetch_add(1);
  do {
    letters.insert(letters.begin(), static_cast<char>('a' + n % 26));
    n /= 26;
  } while (n > 0);
  return absl::StrCat(prefix, getpid(), letters);
}

absl::StatusOr<NetNamespace> NetNamespace::Create(std::string name) {
  if (absl::Status status = RunCommand({"ip", "netns", "add", name}); !status.ok()) {
    return status;
  }
  NetNamespace ns(std::move(name));
  ns.cleanup_slot_ = RememberNamespace(ns.name_);
  // Loopback up, so the stack inside behaves like a host's.
  if (absl::Status status = ns.Run({"ip", "link", "set", "lo", "up"}); !status.ok()) {
    return status;
  }
  return ns;
}

NetNamespace::NetNamespace(NetNamespace&& other) noexcept
    : name_(std::move(other.name_)), cleanup_slot_(other.cleanup_slot_) {
  other.name_.clear();
  other.cleanup_slot_ = -1;
}

NetNamespace::~NetNamespace() {
  if (name_.empty()) return;
  ForgetNamespace(cleanup_slot_);
  if (absl::Status status = RunCommand({"ip", "netns", "delete", name_}); !status.ok()) {
    std::fprintf(stderr, "lab cleanup: %s\n", std::string(status.message()).c_str());
  }
}

absl::Status NetNamespace::Run(const std::vector<std::string>& argv) const {
  std::vector<std::string> command = {"ip", "netns", "exec", name_};
  command.insert(command.end(), argv.begin(), argv.end());
  return RunCommand(command);
}

absl::StatusOr<NetnsEntry> NetnsEntry::Enter(absl::string_view name) {
  UniqueFd original(open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
  if (!original.valid()) return absl::ErrnoToStatus(errno, "open this thread's netns");
  const std::string path = absl::StrCat("/run/netns/", name);
  UniqueFd target(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!target.valid()) return absl::ErrnoToStatus(errno, absl::StrCat("open ", path));
  if (setns(target.get(), CLONE_NEWNET) != 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat("enter netns ", name));
  }
  return NetnsEntry(std::move(original));
}

NetnsEntry::~NetnsEntry() {
  if (original_.valid() && setns(original_.get(), CLONE_NEWNET) != 0) {
    std::perror("lab cleanup: return to the original netns");
  }
}

}  // namespace reflector::testing::lab
