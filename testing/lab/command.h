// Runs a lab command (ip, sysctl) and turns a failure into a Status that carries its output.
#ifndef REFLECTOR_TESTING_LAB_COMMAND_H_
#define REFLECTOR_TESTING_LAB_COMMAND_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace reflector::testing::lab {

// Runs argv[0] (searched in PATH) with the arguments, without a shell, and waits for it.
// Fails unless it exits 0; the message holds the command line and what it printed.
absl::Status RunCommand(const std::vector<std::string>& argv);

// The same, returning what the command printed (stdout and stderr together) when it exits 0.
absl::StatusOr<std::string> RunCommandOutput(const std::vector<std::string>& argv);

}  // namespace reflector::testing::lab

#endif  // REFLECTOR_TESTING_LAB_COMMAND_H_
