#include "testing/lab/signal_cleanup.h"

#include <signal.h>
#include <sys/mount.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <mutex>

namespace reflector::testing::lab {
namespace {

constexpr int kSlots = 32;
constexpr size_t kPathBytes = 128;

// A slot is published by storing `used` last and retired by clearing it first, so the
// handler never reads a half-written path.
struct NamespaceSlot {
  std::atomic<bool> used{false};
  char path[kPathBytes] = {};
};

NamespaceSlot namespaces[kSlots];
std::atomic<pid_t> children[kSlots];
std::once_flag install_once;

void CleanUpAndReraise(int signal) {
  for (std::atomic<pid_t>& child : children) {
    const pid_t pid = child.load();
    if (pid > 0) kill(pid, SIGKILL);
  }
  for (NamespaceSlot& slot : namespaces) {
    if (!slot.used.load()) continue;
    umount2(slot.path, MNT_DETACH);
    unlink(slot.path);
  }
  struct sigaction action = {};
  action.sa_handler = SIG_DFL;
  sigaction(signal, &action, nullptr);
  raise(signal);
}

void InstallHandlers() {
  std::call_once(install_once, [] {
    struct sigaction action = {};
    action.sa_handler = CleanUpAndReraise;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
  });
}

}  // namespace

int RememberNamespace(absl::string_view name) {
  InstallHandlers();
  static constexpr absl::string_view kDirectory = "/run/netns/";
  if (kDirectory.size() + name.size() >= kPathBytes) return -1;
  static std::mutex claim;  // only between registering threads; the handler takes no lock
  std::lock_guard<std::mutex> lock(claim);
  for (int i = 0; i < kSlots; ++i) {
    if (namespaces[i].used.load()) continue;
    char* path = namespaces[i].path;
    std::memcpy(path, kDirectory.data(), kDirectory.size());
    std::memcpy(path + kDirectory.size(), name.data(), name.size());
    path[kDirectory.size() + name.size()] = '\0';
    namespaces[i].used.store(true);
    return i;
  }
  return -1;
}

void ForgetNamespace(int slot) {
  if (slot >= 0 && slot < kSlots) namespaces[slot].used.store(false);
}

int RememberChild(pid_t pid) {
  InstallHandlers();
  for (int i = 0; i < kSlots; ++i) {
    pid_t expected = 0;
    if (children[i].compare_exchange_strong(expected, pid)) return i;
  }
  return -1;
}

void ForgetChild(int slot) {
  if (slot >= 0 && slot < kSlots) children[slot].store(0);
}

}  // namespace reflector::testing::lab
