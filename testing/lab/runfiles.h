// Finds a Bazel data dependency of the running test or binary.
#ifndef REFLECTOR_TESTING_LAB_RUNFILES_H_
#define REFLECTOR_TESTING_LAB_RUNFILES_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace reflector::testing::lab {

// `path` relative to the workspace root ("reflector/reflectord"), looked up under
// $TEST_SRCDIR/$TEST_WORKSPACE (bazel test), $RUNFILES_DIR (bazel run) or the running
// binary's own <binary>.runfiles (started by hand); fails with the places it looked when the
// file is not there.
absl::StatusOr<std::string> RunfilePath(absl::string_view path);

}  // namespace reflector::testing::lab

#endif  // REFLECTOR_TESTING_LAB_RUNFILES_H_
