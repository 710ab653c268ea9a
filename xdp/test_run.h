// Runs a loaded kernel program (the XDP program, or afpacket's tc program) on one frame with
// bpf_prog_test_run_opts (no NIC, no attach) and reports what it did: the program's return
// code, the frame as the program left it, and which counters moved, from which the verdict
// follows. Used by the programs' table and differential tests, and by anything else that wants
// the kernel's answer for a frame (fuzzers, "explain this frame" tools).
#ifndef REFLECTOR_XDP_TEST_RUN_H_
#define REFLECTOR_XDP_TEST_RUN_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "reflector/packet/cfm_responder.h"
#include "reflector/packet/guard_stage.h"
#include "reflector/packet/loop_guard.h"
#include "reflector/packet/packet.h"
#include "reflector/packet/stamp_sessions.h"
#include "xdp/abi.h"
#include "xdp/loader.h"
#include "xdp/tc_drop_filter.h"

namespace reflector::xdp {

// The kernel refuses test runs on frames shorter than an Ethernet header (EINVAL): such
// frames never reach a program on a real interface either.
inline constexpr size_t kMinTestRunFrame = 14;

// Whether the kernel refuses (EINVAL) to test-run a tc program on `frame`: one shorter than an
// Ethernet header, or an untagged IPv4 or IPv6 frame too short for its IP header, which the
// kernel reads while it sets up the skb. On a real interface tc sees the latter.
bool TcTestRunRefuses(absl::Span<const uint8_t> frame);

struct TestRunResult {
  // XDP: XDP_PASS, XDP_TX, XDP_REDIRECT ...; tc: TC_ACT_SHOT, TC_ACT_UNSPEC (as unsigned).
  uint32_t action = 0;
  std::vector<uint8_t> frame;    // the bytes after the run
  rf_xdp_counters counted = {};  // what this run added to the counters
  // The verdict whose counter moved (a reject reason's, or a rule's for reflect), if exactly
  // one did; for reflect, the rule.
  std::optional<packet::Verdict> verdict;
  int rule = -1;
  // The Y.1731 responder's outcome whose counter moved (cfm_xdp.h), if one did.
  std::optional<packet::CfmOutcome> cfm;
};

class TestRunner {
 public:
  using CounterReader = std::function<absl::StatusOr<rf_xdp_counters>()>;

  // `program` must outlive the runner; nothing else may run it meanwhile (counters).
  static absl::StatusOr<TestRunner> Create(const XdpProgram* program);
  // A tc program runs on an skb the kernel builds from the frame: it sees the whole frame from
  // the Ethernet header on, every tag inline (never in skb metadata).
  static absl::StatusOr<TestRunner> Create(const TcDropFilter* program);

  // One run over a copy of `frame` (at least kMinTestRunFrame bytes), as received on rx
  // queue 0 of no particular interface.
  absl::StatusOr<TestRunResult> Run(absl::Span<const uint8_t> frame);

 private:
  static absl::StatusOr<TestRunner> Create(int program_fd, CounterReader read_counters);
  TestRunner(int program_fd, CounterReader read_counters, const rf_xdp_counters& counters)
      : program_fd_(program_fd), read_counters_(std::move(read_counters)), last_(counters) {}
  int program_fd_;
  CounterReader read_counters_;
  rf_xdp_counters last_;
};
// The name the XDP program's users know it by.
using XdpTestRunner = TestRunner;

// What the XDP program must do with `frame` under `config` and `action`, according to the
// userspace classifier and reflector (reflector/packet): the oracle of the differential tests.
struct ExpectedRun {
  uint32_t action = 0;
  std::vector<uint8_t> frame;
  packet::Verdict verdict = packet::Verdict::kTooShort;
  // What the Y.1731 responder does with a frame the classifier rejected (cfm_responder.h).
  packet::CfmOutcome cfm = packet::CfmOutcome::kNotCfm;
};
// With the config's loop guard on (rf_guard), `guard` stands for the program's table on the CPU
// the run takes, at time `now` (ticks); without a guard the frame is taken as new. With rate
// caps, `rates` stands for the program's buckets (at the time of the call); without, caps
// hold nothing back. `slm` stands for the program's SLR counts (a fresh table without), and
// `stamp_sessions` for its stateful STAMP counts (a fresh table without).
ExpectedRun ExpectRun(absl::Span<const uint8_t> frame, const rf_config& config, Action action,
                      packet::LoopGuard* guard = nullptr, uint32_t now = 0,
                      packet::RateBuckets* rates = nullptr, packet::SlmCounters* slm = nullptr,
                      packet::StampSessions* stamp_sessions = nullptr);

// The same for the tc program: TC_ACT_SHOT for a test frame or a Y.1731 request the workers
// answer, TC_ACT_UNSPEC for any other, and the frame never changed.
ExpectedRun ExpectTcRun(absl::Span<const uint8_t> frame, const rf_config& config);

}  // namespace reflector::xdp

#endif  // REFLECTOR_XDP_TEST_RUN_H_
