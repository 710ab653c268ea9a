// Runs the loaded XDP program on one frame with bpf_prog_test_run_opts (no NIC, no attach) and
// reports what it did: the XDP action, the frame as the program left it, and which counters
// moved, from which the verdict follows. Used by the program's table and differential tests,
// and by anything else that wants the kernel's answer for a frame (fuzzers, "explain this
// frame" tools).
#ifndef REFLECTOR_XDP_TEST_RUN_H_
#define REFLECTOR_XDP_TEST_RUN_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "reflector/packet/packet.h"
#include "xdp/abi.h"
#include "xdp/loader.h"

namespace reflector::xdp {

// The kernel refuses test runs on frames shorter than an Ethernet header (EINVAL): such
// frames never reach an XDP program on a real interface either.
inline constexpr size_t kMinTestRunFrame = 14;

struct TestRunResult {
  uint32_t action = 0;         // XDP_PASS, XDP_TX, XDP_REDIRECT ...
  std::vector<uint8_t> frame;  // the bytes after the run
  rf_xdp_counters counted = {};  // what this run added to the counters
  // The verdict whose counter moved, if exactly one did.
  std::optional<packet::Verdict> verdict;
};

class XdpTestRunner {
 public:
  // `program` must outlive the runner; nothing else may run it meanwhile (counters).
  static absl::StatusOr<XdpTestRunner> Create(const XdpProgram* program);

  // One run over a copy of `frame` (at least kMinTestRunFrame bytes), as received on rx
  // queue 0 of no particular interface.
  absl::StatusOr<TestRunResult> Run(absl::Span<const uint8_t> frame);

 private:
  XdpTestRunner(const XdpProgram* program, const rf_xdp_counters& counters)
      : program_(program), last_(counters) {}
  const XdpProgram* program_;
  rf_xdp_counters last_;
};

// What the kernel program must do with `frame` under `config` and `action`, according to the
// userspace classifier and reflector (reflector/packet): the oracle of the differential tests.
struct ExpectedRun {
  uint32_t action = 0;
  std::vector<uint8_t> frame;
  packet::Verdict verdict = packet::Verdict::kTooShort;
};
ExpectedRun ExpectRun(absl::Span<const uint8_t> frame, const rf_config& config, Action action);

}  // namespace reflector::xdp

#endif  // REFLECTOR_XDP_TEST_RUN_H_
