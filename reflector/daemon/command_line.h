// Looks at argv before abseil parses it: abseil exits with status 1 and its own wording on an
// unknown flag or a bad boolean, while the daemon promises one clear line and exit code 2. It
// also records which settings the command line gave, because those override the config file.
#ifndef REFLECTOR_DAEMON_COMMAND_LINE_H_
#define REFLECTOR_DAEMON_COMMAND_LINE_H_

#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace reflector::daemon {

struct FlagSpec {
  std::string name;
  bool is_bool = false;
};

// Abseil's own flags (--help, --flagfile, ...), which every binary has besides its own.
std::vector<FlagSpec> AbseilFlags();

// Returns the names of the flags given on the command line. Errors name the bad argument:
// an unknown flag, a boolean with a value other than true/false, a value-taking flag at the
// end of the line without a value. Arguments after "--" are not looked at.
absl::StatusOr<std::set<std::string>> ScanCommandLine(const std::vector<std::string>& args,
                                                      const std::vector<FlagSpec>& flags);

}  // namespace reflector::daemon

#endif  // REFLECTOR_DAEMON_COMMAND_LINE_H_
