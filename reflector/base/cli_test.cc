#include "reflector/base/cli.h"

#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/time/time.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "reflector/base/version.h"

ABSL_FLAG(int, frames, 10, "Frames to send.");
ABSL_FLAG(bool, loud, false, "Say more.");
ABSL_FLAG(std::string, target, "", "Where to send them.");
ABSL_FLAG(absl::Duration, pause, absl::Seconds(1),
          "How long to wait between one burst of frames and the next one, which is a long "
          "sentence so that the help has to wrap it onto a second line.");

namespace reflector::base {
namespace {

constexpr ProgramInfo kProgram = {"cli-test", "tests the shared command line.\n  cli-test --frames=5",
                                  __FILE__, "Exit codes: 0 done, 2 bad input."};

// Runs `args` (argv[0] added) through ParseCommandLine with stdout and stderr captured.
struct Outcome {
  std::optional<int> exit_code;
  std::string out;
  std::string err;
  std::vector<std::string> positional;
};
Outcome Parse(std::vector<std::string> args, bool allow_positional = false) {
  args.insert(args.begin(), "cli-test");
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  Outcome outcome;
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  outcome.exit_code = ParseCommandLine(kProgram, static_cast<int>(args.size()), argv.data(),
                                       allow_positional ? &outcome.positional : nullptr);
  outcome.out = ::testing::internal::GetCapturedStdout();
  outcome.err = ::testing::internal::GetCapturedStderr();
  return outcome;
}

TEST(CliTest, HelpListsTheProgramsOwnFlagsAndExitsZero) {
  for (const char* help : {"-h", "--help", "-help", "--helpshort"}) {
    const Outcome o = Parse({"--frames=3", help});
    ASSERT_EQ(o.exit_code, 0) << help;
    EXPECT_TRUE(absl::StartsWith(o.out, "cli-test: tests the shared command line.\n")) << o.out;
    EXPECT_TRUE(absl::StrContains(o.out, "  --frames (default: 10)\n      Frames to send.\n"))
        << o.out;
    EXPECT_TRUE(absl::StrContains(o.out, "  --loud (default: false)\n")) << o.out;
    // No default shown for an empty one.
    EXPECT_TRUE(absl::StrContains(o.out, "  --target\n      Where to send them.\n")) << o.out;
    EXPECT_TRUE(absl::StrContains(o.out, "Exit codes: 0 done, 2 bad input.")) << o.out;
    EXPECT_FALSE(absl::StrContains(o.out, "--flagfile")) << o.out;
    EXPECT_EQ(o.err, "");
  }
}

TEST(CliTest, HelpWrapsLongLines) {
  const Outcome o = Parse({"--help"});
  ASSERT_EQ(o.exit_code, 0);
  EXPECT_TRUE(absl::StrContains(o.out,
                                "  --pause (default: 1s)\n"
                                "      How long to wait between one burst of frames and the next "
                                "one, which is a long sentence so\n"
                                "      that the help has to wrap it onto a second line.\n"))
      << o.out;
}

TEST(CliTest, HelpWithAWordListsTheFlagsThatMentionIt) {
  const Outcome o = Parse({"--help=send"});
  ASSERT_EQ(o.exit_code, 0);
  EXPECT_TRUE(absl::StrContains(o.out, "--frames")) << o.out;
  EXPECT_TRUE(absl::StrContains(o.out, "--target")) << o.out;
  EXPECT_FALSE(absl::StrContains(o.out, "--loud")) << o.out;
  EXPECT_TRUE(absl::StrContains(Parse({"--help=nothing-like-it"}).out,
                                "none matching \"nothing-like-it\""));
}

TEST(CliTest, HelpfullAddsAbseilsFlags) {
  const Outcome o = Parse({"--helpfull"});
  ASSERT_EQ(o.exit_code, 0);
  EXPECT_TRUE(absl::StrContains(o.out, "--frames")) << o.out;
  EXPECT_TRUE(absl::StrContains(o.out, "--flagfile")) << o.out;
}

TEST(CliTest, VersionPrintsTheProjectVersionAndBuild) {
  const Outcome o = Parse({"--version"});
  ASSERT_EQ(o.exit_code, 0);
  EXPECT_EQ(o.out, VersionLine("cli-test") + "\n");
  EXPECT_TRUE(absl::StartsWith(o.out, absl::StrCat("cli-test ", kVersion, " ("))) << o.out;
  EXPECT_TRUE(absl::StrContains(o.out, " build, ")) << o.out;
}

TEST(CliTest, AValueThatLooksLikeHelpIsAValue) {
  const Outcome o = Parse({"--target", "-h"});
  EXPECT_EQ(o.exit_code, std::nullopt) << o.err;
  EXPECT_EQ(absl::GetFlag(FLAGS_target), "-h");
}

TEST(CliTest, GoodFlagsRun) {
  const Outcome o = Parse({"--frames=7", "--loud", "--target", "198.18.0.2"});
  EXPECT_EQ(o.exit_code, std::nullopt) << o.err;
  EXPECT_EQ(absl::GetFlag(FLAGS_frames), 7);
  EXPECT_TRUE(absl::GetFlag(FLAGS_loud));
  EXPECT_EQ(absl::GetFlag(FLAGS_target), "198.18.0.2");
  EXPECT_EQ(Parse({"--noloud"}).exit_code, std::nullopt);
  EXPECT_FALSE(absl::GetFlag(FLAGS_loud));
}

TEST(CliTest, BadFlagsAreOneLineAndExitTwo) {
  const struct {
    std::vector<std::string> args;
    const char* says;
  } cases[] = {
      {{"--bogus=1"}, "cli-test: unknown flag \"--bogus=1\""},
      {{"-x"}, "cli-test: unknown flag \"-x\""},
      {{"--notarget"}, "cli-test: unknown flag \"--notarget\""},
      {{"--frames=many"}, "cli-test: --frames: bad value \"many\" (want a whole number)"},
      {{"--loud=maybe"}, "cli-test: --loud: bad value \"maybe\" (want true or false)"},
      {{"--pause", "5x"}, "cli-test: --pause: bad value \"5x\" (want a duration such as 5s"},
      {{"--frames"}, "cli-test: flag \"--frames\" needs a value (--frames=VALUE)"},
      {{"stray"}, "cli-test: unexpected argument \"stray\""},
  };
  for (const auto& c : cases) {
    const Outcome o = Parse(c.args);
    EXPECT_EQ(o.exit_code, kExitUsage) << c.args[0];
    EXPECT_TRUE(absl::StartsWith(o.err, c.says)) << o.err;
    EXPECT_EQ(std::count(o.err.begin(), o.err.end(), '\n'), 1) << o.err;
    EXPECT_EQ(o.out, "");
  }
}

TEST(CliTest, PositionalArgumentsWhereTheProgramTakesThem) {
  const Outcome o = Parse({"corpus", "--frames=2", "--", "--not-a-flag"}, true);
  EXPECT_EQ(o.exit_code, std::nullopt) << o.err;
  EXPECT_EQ(o.positional, (std::vector<std::string>{"corpus", "--not-a-flag"}));
}

}  // namespace
}  // namespace reflector::base
