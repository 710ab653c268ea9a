// The BPF instructions reflectord's XDP program executes on the bench's frames (the
// per-program table's "reflectord insns", counted by bpf_interpreter.h), held to budgets: the
// fast paths' cost is a reviewed number. At max load on veth each instruction of a reflected
// frame's path costs about 0.06 ns of a ~70 ns loop (BENCHMARKS.md), so a change that adds to
// these paths shows here, deterministically, before any benchmark could see it. A change worth
// its instructions raises its budget here, in the same commit, and says why in its message; a
// change that makes a path cheaper lowers its budget, so that the saving is kept.
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "testing/lab/require_root.h"
#include "tools/bench/prog_cost.h"

namespace reflector::bench {
namespace {

struct Budget {
  std::string row;  // the per-program table's frame column
  int64_t instructions;
};

// The counts at the commit that set them (clang 14, Debian 12), each the budget of its row.
const std::vector<Budget>& Budgets() {
  static const auto* budgets = new std::vector<Budget>{
      {"64 B RFC 2544 test frame", 223},
      {"64 B RFC 2544 test frame, sessions not counted", 188},
      {"64 B RFC 2544 test frame, loop guard on (the daemon's default)", 308},
      {"512 B LATENCY test frame", 294},
      {"64 B UDP without signature (rejected)", 330},
      {"64 B RFC 2544 test frame, capture of rejected on", 234},
  };
  return *budgets;
}

TEST(InstructionBudgetTest, FastPathsWithinTheirBudgets) {
  REFLECTOR_REQUIRE_ROOT();
  // One test run per measurement: only the counts are read, not the times.
  const absl::StatusOr<std::vector<CostRow>> rows = MeasureCosts({.repeat = 1, .rounds = 1});
  ASSERT_TRUE(rows.ok()) << rows.status();
  for (const Budget& budget : Budgets()) {
    const CostRow* found = nullptr;
    for (const CostRow& row : *rows) {
      if (row.frame == budget.row) found = &row;
    }
    ASSERT_NE(found, nullptr) << "no row \"" << budget.row << "\" in the per-program table";
    std::printf("%s: %lld instructions (budget %lld)\n", budget.row.c_str(),
                static_cast<long long>(found->reflector_instructions),
                static_cast<long long>(budget.instructions));
    ASSERT_GE(found->reflector_instructions, 0) << budget.row << ": not counted (see stderr)";
    EXPECT_LE(found->reflector_instructions, budget.instructions)
        << budget.row << ": the path grew; if the change is worth it, raise its budget here";
  }
}

}  // namespace
}  // namespace reflector::bench
