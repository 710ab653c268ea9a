// Regenerates the golden pcaps in testing/pcaps/ from the frame builder:
//   bazel run //tools:make_golden_pcaps
// (bazel run sets BUILD_WORKSPACE_DIRECTORY; --out_dir writes elsewhere.)
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_format.h"
#include "reflector/base/cli.h"
#include "testing/golden/golden_writer.h"

ABSL_FLAG(std::string, out_dir, "",
          "Directory for the pcaps; default: testing/pcaps of the workspace (bazel run).");

int main(int argc, char** argv) {
  constexpr reflector::base::ProgramInfo kProgram = {
      "make_golden_pcaps",
      "regenerates the golden pcaps of testing/pcaps/ from the frame builder.\n"
      "  bazel run //tools:make_golden_pcaps [-- --out_dir=DIR]",
      __FILE__, ""};
  if (const std::optional<int> done = reflector::base::ParseCommandLine(kProgram, argc, argv)) {
    return *done;
  }
  std::string directory = absl::GetFlag(FLAGS_out_dir);
  if (directory.empty()) {
    const char* workspace = std::getenv("BUILD_WORKSPACE_DIRECTORY");
    if (workspace == nullptr) {
      absl::FPrintF(stderr, "make_golden_pcaps: give --out_dir, or run it with bazel run\n");
      return 2;
    }
    directory = std::string(workspace) + "/testing/pcaps";
  }
  std::vector<std::string> written;
  const absl::Status status = reflector::testing::golden::WriteGoldenPcaps(directory, &written);
  if (!status.ok()) {
    absl::FPrintF(stderr, "make_golden_pcaps: %s\n", status.message());
    return 1;
  }
  absl::PrintF("wrote %d files to %s\n", written.size(), directory);
  return 0;
}
