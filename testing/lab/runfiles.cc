#include "testing/lab/runfiles.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace reflector::testing::lab {
namespace {

// The workspace name of WORKSPACE, the directory our files have under the runfiles root.
constexpr char kWorkspace[] = "reflector";

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

}  // namespace

absl::StatusOr<std::string> RunfilePath(absl::string_view path) {
  const std::string workspace = Env("TEST_WORKSPACE").empty() ? kWorkspace : Env("TEST_WORKSPACE");
  std::vector<std::string> tried;
  for (const char* root : {"TEST_SRCDIR", "RUNFILES_DIR"}) {
    if (Env(root).empty()) continue;
    tried.push_back(absl::StrCat(Env(root), "/", workspace, "/", path));
    if (access(tried.back().c_str(), F_OK) == 0) return tried.back();
  }
  // A binary started by hand (bazel-bin/tools/bench/bench) has its runfiles beside it.
  std::error_code error;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
  if (!error) {
    tried.push_back(absl::StrCat(self.string(), ".runfiles/", workspace, "/", path));
    if (access(tried.back().c_str(), F_OK) == 0) return tried.back();
  }
  return absl::NotFoundError(absl::StrCat(
      path, " is not among the runfiles (is it in the target's data?); looked at: ",
      absl::StrJoin(tried, ", ")));
}

}  // namespace reflector::testing::lab
