#include "tools/bench/clock_cost.h"

#include <linux/bpf.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

#include "absl/strings/str_format.h"
#include "reflector/base/status_macros.h"
#include "reflector/base/unique_fd.h"
#include "testing/lab/xdp_pass.h"

namespace reflector::bench {
namespace {

// call bpf_ktime_get_tai_ns; r0 = XDP_PASS; exit. Raw instructions, as the lab's XDP_PASS
// program: the two then differ by exactly the helper call.
absl::StatusOr<UniqueFd> LoadClockReadProgram() {
  const bpf_insn program[] = {
      {.code = BPF_JMP | BPF_CALL, .dst_reg = 0, .src_reg = 0, .off = 0,
       .imm = BPF_FUNC_ktime_get_tai_ns},
      {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .src_reg = 0, .off = 0,
       .imm = XDP_PASS},
      {.code = BPF_JMP | BPF_EXIT, .dst_reg = 0, .src_reg = 0, .off = 0, .imm = 0},
  };
  return testing::lab::LoadRawXdpProgram(program, "rf_bench_clock",
                                         "the bench's clock-read program");
}

}  // namespace

absl::StatusOr<ClockCost> MeasureClockCost(const ProgCostOptions& options) {
  REFLECTOR_ASSIGN_OR_RETURN(const testing::lab::XdpPassProgram empty,
                             testing::lab::XdpPassProgram::Load());
  REFLECTOR_ASSIGN_OR_RETURN(const UniqueFd clock, LoadClockReadProgram());
  const std::vector<uint8_t> frame(64, 0);
  ProgCostOptions one_round = options;
  one_round.rounds = 1;
  ClockCost cost = {std::numeric_limits<double>::infinity(),
                    std::numeric_limits<double>::infinity()};
  for (int round = 0; round < std::max(1, options.rounds); ++round) {
    REFLECTOR_ASSIGN_OR_RETURN(const ProgCost loop,
                               MeasureProgCost(empty.program_fd(), frame, one_round));
    REFLECTOR_ASSIGN_OR_RETURN(const ProgCost read, MeasureProgCost(clock.get(), frame, one_round));
    cost.empty_ns = std::min(cost.empty_ns, loop.ns_per_frame);
    cost.read_ns = std::min(cost.read_ns, read.ns_per_frame);
  }
  return cost;
}

std::string FormatClockCost(const ClockCost& cost, bool markdown) {
  const char* bold = markdown ? "**" : "";
  return absl::StrFormat(
      "%sSTAMP's clock%s: one bpf_ktime_get_tai_ns costs %.0f ns here (a program with one read "
      "%.0f ns, the empty one %.0f ns, best rounds). A STAMP answer reads it twice (T2 on "
      "arrival, T3 before the checksum), so %.0f ns of the STAMP row above are the clock's, "
      "whatever the reflector does.\n",
      bold, bold, cost.read_ns - cost.empty_ns, cost.read_ns, cost.empty_ns,
      2 * (cost.read_ns - cost.empty_ns));
}

}  // namespace reflector::bench
