#include "reflector/daemon/journal_stream.h"

#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace reflector::daemon {
namespace {

std::string JournalStreamOf(int fd) {
  struct stat status = {};
  if (fstat(fd, &status) != 0) return "";
  return absl::StrCat(status.st_dev, ":", status.st_ino);
}

// Everything written to `file` so far.
std::string Contents(std::FILE* file) {
  std::fflush(file);
  std::rewind(file);
  std::string text;
  char buffer[256];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), file)) > 0) text.append(buffer, n);
  return text;
}

TEST(JournalStream, OnlyTheNamedStreamIsTheJournal) {
  std::FILE* file = std::tmpfile();
  std::FILE* other = std::tmpfile();
  ASSERT_NE(file, nullptr);
  ASSERT_NE(other, nullptr);
  const std::string journal = JournalStreamOf(fileno(file));
  EXPECT_TRUE(IsJournalStream(fileno(file), journal.c_str()));
  EXPECT_FALSE(IsJournalStream(fileno(other), journal.c_str()));
  EXPECT_FALSE(IsJournalStream(fileno(file), nullptr));
  EXPECT_FALSE(IsJournalStream(fileno(file), ""));
  EXPECT_FALSE(IsJournalStream(fileno(file), "garbage"));
  EXPECT_FALSE(IsJournalStream(fileno(file), (journal + "x").c_str()));
  std::fclose(file);
  std::fclose(other);
}

TEST(JournalStream, PrioritiesAreSyslogs) {
  EXPECT_EQ(PriorityPrefix(Priority::kErr), "<3>");
  EXPECT_EQ(PriorityPrefix(Priority::kWarning), "<4>");
  EXPECT_EQ(PriorityPrefix(Priority::kInfo), "<6>");
  EXPECT_EQ(PriorityPrefix(Priority::kDebug), "<7>");
}

TEST(JournalStream, EveryLineGetsThePrefixHoweverItIsWritten) {
  std::FILE* base = std::tmpfile();
  ASSERT_NE(base, nullptr);
  {
    auto prefixed = OpenPrefixingStream(base, Priority::kInfo);
    ASSERT_NE(prefixed, nullptr);
    std::fputs("banner line 1\nbanner line 2\n", prefixed.get());
    std::fputs("a line in ", prefixed.get());
    std::fputs("two writes\n", prefixed.get());
    std::fprintf(prefixed.get(), "rx %d fps\n\n", 12);
  }
  EXPECT_EQ(Contents(base),
            "<6>banner line 1\n<6>banner line 2\n<6>a line in two writes\n<6>rx 12 fps\n<6>\n");
  std::fclose(base);
}

TEST(JournalStream, AFailedWriteUnderneathIsAFailedWrite) {
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  std::FILE* base = fdopen(pipe_fds[1], "w");
  ASSERT_NE(base, nullptr);
  close(pipe_fds[0]);  // the reader went away: EPIPE (SIGPIPE is ignored below)
  signal(SIGPIPE, SIG_IGN);
  auto prefixed = OpenPrefixingStream(base, Priority::kInfo);
  ASSERT_NE(prefixed, nullptr);
  std::fputs("a stats line\n", prefixed.get());  // line-buffered: written here
  std::fflush(prefixed.get());
  EXPECT_TRUE(std::ferror(prefixed.get()));
  prefixed.reset();
  std::fclose(base);
}

TEST(JournalStream, OutsideTheJournalTheStandardStreamsStayAsTheyAre) {
  unsetenv("JOURNAL_STREAM");
  const JournalStreams streams;
  EXPECT_EQ(streams.out(), stdout);
  EXPECT_EQ(streams.err(), stderr);
  EXPECT_EQ(streams.StderrPrefix(Priority::kErr), "");
}

TEST(JournalStream, WhenStderrIsTheJournalItsLinesCarryPriorities) {
  setenv("JOURNAL_STREAM", JournalStreamOf(STDERR_FILENO).c_str(), 1);
  const JournalStreams streams;
  unsetenv("JOURNAL_STREAM");
  EXPECT_NE(streams.err(), stderr);
  EXPECT_EQ(streams.StderrPrefix(Priority::kErr), "<3>");
  EXPECT_EQ(streams.StderrPrefix(Priority::kInfo), "<6>");
  // stdout is another file under Bazel: it stays as it is.
  if (JournalStreamOf(STDOUT_FILENO) != JournalStreamOf(STDERR_FILENO)) {
    EXPECT_EQ(streams.out(), stdout);
  }
}

}  // namespace
}  // namespace reflector::daemon
