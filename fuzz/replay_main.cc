// Stands in for libFuzzer's main when a fuzz target is built without it (gcc, or any config but
// --config=fuzz): runs LLVMFuzzerTestOneInput once on each file named on the command line or
// found under a named folder. This is how `bazel test //fuzz/...` replays the corpora, and how a
// crash file can be replayed under a debugger without libFuzzer. Flags (-foo) are ignored, so
// the same command line works for both mains.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);

namespace {

namespace fs = std::filesystem;

// Adds `path` (a file, or every regular file below a folder, sorted for a stable order).
bool CollectInputs(const fs::path& path, std::vector<fs::path>* inputs) {
  std::error_code error;
  if (!fs::is_directory(path, error)) {
    if (!fs::is_regular_file(path, error)) {
      std::fprintf(stderr, "replay: %s: no such file or folder\n", path.c_str());
      return false;
    }
    inputs->push_back(path);
    return true;
  }
  std::vector<fs::path> found;
  for (fs::recursive_directory_iterator
           it(path, fs::directory_options::follow_directory_symlink, error),
       end;
       !error && it != end; it.increment(error)) {
    if (it->is_regular_file(error)) found.push_back(it->path());
  }
  if (error) {
    std::fprintf(stderr, "replay: %s: %s\n", path.c_str(), error.message().c_str());
    return false;
  }
  std::sort(found.begin(), found.end());
  inputs->insert(inputs->end(), found.begin(), found.end());
  return true;
}

bool ReplayOne(const fs::path& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    std::fprintf(stderr, "replay: %s: cannot open\n", path.c_str());
    return false;
  }
  const std::vector<char> bytes((std::istreambuf_iterator<char>(file)),
                                std::istreambuf_iterator<char>());
  // An exact-size heap copy, as libFuzzer gives, so ASan builds catch one-byte overreads.
  std::unique_ptr<uint8_t[]> data(new uint8_t[bytes.size()]);
  std::copy(bytes.begin(), bytes.end(), data.get());
  std::fprintf(stderr, "Running: %s (%zu bytes)\n", path.c_str(), bytes.size());
  LLVMFuzzerTestOneInput(data.get(), bytes.size());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (LLVMFuzzerInitialize != nullptr) LLVMFuzzerInitialize(&argc, &argv);
  std::vector<fs::path> inputs;
  for (int i = 1; i < argc; ++i) {
    if (argv[i][0] == '-') continue;  // a libFuzzer flag
    if (!CollectInputs(argv[i], &inputs)) return 1;
  }
  // An empty corpus would make the test pass without testing anything.
  if (inputs.empty()) {
    std::fprintf(stderr, "replay: no inputs; usage: %s FILE_OR_FOLDER...\n", argv[0]);
    return 1;
  }
  for (const fs::path& input : inputs) {
    if (!ReplayOne(input)) return 1;
  }
  std::fprintf(stderr, "replay: %zu inputs ran without a finding\n", inputs.size());
  return 0;
}
