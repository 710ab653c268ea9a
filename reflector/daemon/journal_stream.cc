#include "reflector/daemon/journal_stream.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace reflector::daemon {
namespace {

struct PrefixingCookie {
  std::FILE* base;
  std::string prefix;
  bool at_line_start = true;
};

ssize_t WritePrefixed(void* cookie, const char* data, size_t size) {
  auto* state = static_cast<PrefixingCookie*>(cookie);
  const absl::string_view text(data, size);
  size_t done = 0;
  while (done < size) {
    if (state->at_line_start &&
        std::fwrite(state->prefix.data(), 1, state->prefix.size(), state->base) !=
            state->prefix.size()) {
      return -1;
    }
    const size_t newline = text.find('\n', done);
    const size_t end = newline == absl::string_view::npos ? size : newline + 1;
    if (std::fwrite(data + done, 1, end - done, state->base) != end - done) return -1;
    state->at_line_start = newline != absl::string_view::npos;
    done = end;
  }
  return std::fflush(state->base) == 0 ? static_cast<ssize_t>(size) : -1;
}

int ClosePrefixed(void* cookie) {
  delete static_cast<PrefixingCookie*>(cookie);
  return 0;
}

}  // namespace

bool IsJournalStream(int fd, const char* journal_stream) {
  if (journal_stream == nullptr) return false;
  const std::pair<absl::string_view, absl::string_view> parts =
      absl::StrSplit(journal_stream, absl::MaxSplits(':', 1));
  uint64_t device = 0, inode = 0;
  struct stat status = {};
  return absl::SimpleAtoi(parts.first, &device) && absl::SimpleAtoi(parts.second, &inode) &&
         fstat(fd, &status) == 0 && static_cast<uint64_t>(status.st_dev) == device &&
         static_cast<uint64_t>(status.st_ino) == inode;
}

std::string PriorityPrefix(Priority priority) {
  return absl::StrCat("<", static_cast<int>(priority), ">");
}

std::unique_ptr<std::FILE, FileCloser> OpenPrefixingStream(std::FILE* base, Priority priority) {
  auto* cookie = new PrefixingCookie{base, PriorityPrefix(priority)};
  std::FILE* file = fopencookie(cookie, "w",
                                {.read = nullptr, .write = WritePrefixed, .seek = nullptr,
                                 .close = ClosePrefixed});
  if (file == nullptr) {
    delete cookie;
    return nullptr;
  }
  setvbuf(file, nullptr, _IOLBF, 0);
  return std::unique_ptr<std::FILE, FileCloser>(file);
}

JournalStreams::JournalStreams() {
  const char* journal = std::getenv("JOURNAL_STREAM");
  stderr_is_journal_ = IsJournalStream(STDERR_FILENO, journal);
  if (IsJournalStream(STDOUT_FILENO, journal)) out_ = OpenPrefixingStream(stdout, Priority::kInfo);
  if (stderr_is_journal_) err_ = OpenPrefixingStream(stderr, Priority::kInfo);
}

}  // namespace reflector::daemon
