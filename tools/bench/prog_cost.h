// Per-frame cost of an XDP program, measured by the kernel: bpf_prog_test_run_opts runs the
// program `repeat` times on one frame (no NIC, no veth, no tester) and reports the average
// duration of a run. The kernel stops that clock while the test run is scheduled out, so
// another process sharing the CPU cannot inflate the figure the way it inflates a veth loop;
// what remains is cache and frequency noise, which the best of a few rounds removes.
#ifndef REFLECTOR_TOOLS_BENCH_PROG_COST_H_
#define REFLECTOR_TOOLS_BENCH_PROG_COST_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace reflector::bench {

struct ProgCostOptions {
  uint32_t repeat = 1000000;  // runs per round
  int rounds = 5;             // the best round counts
};

// Nanoseconds per run of the program `program_fd` on `frame`, with the XDP action it
// returned. The frame is the program's to modify between runs (the kernel reuses one buffer):
// callers choose frames and configurations for which every run does the same work.
struct ProgCost {
  double ns_per_frame = 0;
  uint32_t action = 0;
};
absl::StatusOr<ProgCost> MeasureProgCost(int program_fd, absl::Span<const uint8_t> frame,
                                         const ProgCostOptions& options);

// The frames measured: a 64-byte RFC 2544 test frame, a 512-byte ITO LATENCY test frame, and
// the 64-byte frame with its signature cleared (reflectord rejects it after parsing every
// header, its most expensive rejection).
struct CostFrame {
  std::string name;
  std::vector<uint8_t> bytes;
  bool test_frame = false;  // reflectord reflects it (else passes it)
};
absl::StatusOr<std::vector<CostFrame>> CostFrames();

// One line of the cost table: each program's ns per frame on one frame.
struct CostRow {
  std::string frame;
  double empty_ns = 0;  // an XDP_PASS-only program: the test-run loop's own share
  double baseline_ns = 0;
  double reflector_ns = 0;
  std::string reflector_action;  // "XDP_TX" or "XDP_PASS", as the kernel returned
  // BPF instructions executed on the frame (bpf_interpreter.h); -1 where not counted.
  int64_t baseline_instructions = -1;
  int64_t reflector_instructions = -1;
};

// Loads the baseline and reflectord's XDP program (configured to reflect, see .cc) and
// measures both on CostFrames().
absl::StatusOr<std::vector<CostRow>> MeasureCosts(const ProgCostOptions& options);

// What the loop guard (guard.h, on by default) adds per reflected frame. It remembers every
// frame it lets through, so repeating one frame would measure its `loop` path: each frame
// here is a different one (its IP ID counts up), with one test run per frame, in the
// configuration above with the guard off and on. A run's duration then includes the kernel's
// clock reads around it, the same for both. And the same with rate caps that never bind.
struct GuardCost {
  int frames = 0;
  double off_ns = 0;
  double on_ns = 0;
  double capped_ns = 0;
  // The guard-on frames with a capture of 1 in 1000 reflected frames running (issue 21): the
  // sampling countdown on every frame and the copy of one frame in 1000.
  double captured_ns = 0;
  // Sessions (on in every XDP configuration): the frames above (guard off) all belong to one
  // session, whose cache slot each frame finds (the hit path); here each frame's UDP source
  // port differs, so each is a new session that takes its slot over and moves the previous
  // one's counts into the shared LRU table (the miss path).
  double new_session_ns = 0;
};
absl::StatusOr<GuardCost> MeasureGuardCost(const ProgCostOptions& options);
std::string FormatGuardCost(const GuardCost& cost, bool markdown);

// What per-tester sessions (issue 15: "within 10 % of today's cost per frame") add to a
// reflected frame: the program loaded with sessions (as reflectord runs it) and without them
// (LoadOptions::count_sessions: their code left out), in the configuration above, measured in
// turns so that both see the same moments of a busy machine. One frame repeated is one
// session (its reflection another) that keeps its cache slot: the hit path every frame of a
// tester's stream takes. Per frame of the list, one row per round.
struct SessionCostRound {
  double empty_ns = 0;  // the test-run loop's own share, measured in the same turn
  double off_ns = 0;
  double on_ns = 0;
};
struct SessionCost {
  std::string frame;
  std::vector<SessionCostRound> rounds;
};
absl::StatusOr<std::vector<SessionCost>> MeasureSessionCost(const ProgCostOptions& options);
std::string FormatSessionCost(const std::vector<SessionCost>& costs,
                              const ProgCostOptions& options, bool markdown);

// The table (markdown or aligned text) with the ratio reflectord / baseline, gross and with the
// loop's share (empty_ns) taken off both.
std::string FormatCosts(const std::vector<CostRow>& rows, const ProgCostOptions& options,
                        bool markdown);

}  // namespace reflector::bench

#endif  // REFLECTOR_TOOLS_BENCH_PROG_COST_H_
