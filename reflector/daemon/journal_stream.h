// Log lines for systemd's journal. A unit's stdout and stderr are a stream to journald, which
// takes a leading "<N>" on a line as its syslog priority (SyslogLevelPrefix=, on by default).
// systemd names that stream in $JOURNAL_STREAM ("device:inode"); only when a descriptor is that
// very stream do its lines get prefixes, so a terminal, a pipe or a file sees what it always did.
#ifndef REFLECTOR_DAEMON_JOURNAL_STREAM_H_
#define REFLECTOR_DAEMON_JOURNAL_STREAM_H_

#include <cstdio>
#include <memory>
#include <string>

#include "absl/strings/string_view.h"

namespace reflector::daemon {

// syslog(3) priorities, as journald reads them.
enum class Priority { kErr = 3, kWarning = 4, kInfo = 6, kDebug = 7 };

// Whether `fd` is the stream `journal_stream` ($JOURNAL_STREAM: "device:inode") names.
bool IsJournalStream(int fd, const char* journal_stream);

// "<3>" for kErr, ...
std::string PriorityPrefix(Priority priority);

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};

// A line-buffered stream that writes to `base` with "<N>" at the start of every line, for code
// that takes a FILE* (the stats reporter). Closing it flushes it; `base` stays open. A failed
// write to `base` is a failed write to it (a closed pipe still stops the daemon).
std::unique_ptr<std::FILE, FileCloser> OpenPrefixingStream(std::FILE* base, Priority priority);

// The daemon's two output streams as the journal should see them: stdout and stderr
// themselves, or streams that prefix each line when $JOURNAL_STREAM is that descriptor.
class JournalStreams {
 public:
  JournalStreams();  // reads $JOURNAL_STREAM
  // Stats lines (stdout) and the banner and summary (stderr in machine formats): info.
  std::FILE* out() const { return out_ ? out_.get() : stdout; }
  std::FILE* err() const { return err_ ? err_.get() : stderr; }
  // What a log line on stderr at `priority` starts with: "" outside the journal.
  std::string StderrPrefix(Priority priority) const {
    return stderr_is_journal_ ? PriorityPrefix(priority) : std::string();
  }

 private:
  bool stderr_is_journal_ = false;
  std::unique_ptr<std::FILE, FileCloser> out_;
  std::unique_ptr<std::FILE, FileCloser> err_;
};

}  // namespace reflector::daemon

#endif  // REFLECTOR_DAEMON_JOURNAL_STREAM_H_
