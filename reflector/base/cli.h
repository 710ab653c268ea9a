// The command line every binary of the project shares: -h/--help lists the program's own flags
// and --version prints its version (version.h), both on stdout with exit code 0; a flag that
// does not exist or a value that does not parse is one line on stderr and exit code 2.
//
// Abseil's own handling does not serve here: in Debian's abseil (20220623) --help lists only
// flags defined in a file named after the binary (so "main.cc" gives "No flags matched") and
// exits 1, -h is an unknown flag, --version prints "Debug build (NDEBUG not #defined)", and a
// bad flag exits 1, which the tester uses for a failed test. Abseil's usage config is still
// pointed at the program, so its other usage flags (--help=substring, ...) agree.
//
//   int main(int argc, char** argv) {
//     if (const std::optional<int> done = reflector::base::ParseCommandLine(kProgram, argc, argv))
//       return *done;
//     ...
#ifndef REFLECTOR_BASE_CLI_H_
#define REFLECTOR_BASE_CLI_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace reflector::base {

inline constexpr int kExitUsage = 2;  // bad input: an unknown flag, a bad value

struct ProgramInfo {
  absl::string_view name;        // "ito-tester": error prefix, help and version
  absl::string_view usage;       // what it does, then example command lines
  absl::string_view flags_file;  // __FILE__ of the file that defines its flags
  absl::string_view epilogue;    // after the flags in --help, as written (exit codes, ...)
  // A file whose ABSL_FLAGs the program expands into flags_file (reflectord's settings.inc):
  // abseil records the included file's name for those flags.
  absl::string_view included_flags_file = {};
};

struct HelpFilter {
  bool all_flags = false;  // --helpfull: abseil's own flags (--flagfile, ...) too
  std::string matching;    // --help=WORD: only flags whose name or help has WORD
};
// The text of --help: usage, the program's flags with defaults, the epilogue.
std::string HelpText(const ProgramInfo& program, const HelpFilter& filter = {});

// Points abseil's usage reporting at `program` and answers -h/-help/--help[=WORD]/
// --helpshort/--helpfull and --version, looking at the arguments before "--". Returns the exit code when
// it answered one (0), nullopt otherwise. Call it first in main, once. For a program that
// checks its own arguments and then calls absl::ParseCommandLine itself (reflectord).
std::optional<int> HandleHelpAndVersion(const ProgramInfo& program, int argc, char** argv);

// HandleHelpAndVersion, then a check of every flag and value with one line on stderr and
// kExitUsage for the first bad one, then absl::ParseCommandLine. Positional arguments go to
// `positional` (argv[0] left out); without it any is bad input. Returns the exit code to end
// main with, or nullopt to run.
std::optional<int> ParseCommandLine(const ProgramInfo& program, int argc, char** argv,
                                    std::vector<std::string>* positional = nullptr);

}  // namespace reflector::base

#endif  // REFLECTOR_BASE_CLI_H_
