#include "reflector/daemon/rule_totals.h"

#include "gtest/gtest.h"

namespace reflector::daemon {
namespace {

using engine::Counters;

// Counters as a data path keeps them: by index, running on across table swaps.
Counters ByIndex(std::initializer_list<uint64_t> frames) {
  Counters c;
  size_t i = 0;
  for (uint64_t n : frames) {
    c.reflected_by_rule[i] = n;
    c.reflected_bytes_by_rule[i] = 100 * n;
    ++i;
  }
  return c;
}

TEST(RuleTotals, CountsByIndexUnderTheFirstTable) {
  RuleTotals totals;
  totals.SetInitialTable({"probeot", "rfc2544"});
  EXPECT_EQ(totals.At(ByIndex({3, 0})),
            (std::vector<RuleCount>{{"probeot", 3, 300}, {"rfc2544", 0, 0}}));
}

TEST(RuleTotals, ARuleKeepsItsCountWhenItMovesAndOthersComeAndGo) {
  RuleTotals totals;
  totals.SetInitialTable({"probeot", "rfc2544", "loopback"});
  // 5 probeot, 2 rfc2544, 7 loopback frames; then a reload puts a custom rule first and drops
  // loopback: index 0 is now "spirent", probeot moves to 1, rfc2544 to 2.
  totals.SetTable({"spirent", "probeot", "rfc2544"}, ByIndex({5, 2, 7}));
  EXPECT_EQ(totals.names(), (std::vector<std::string>{"spirent", "probeot", "rfc2544"}));
  EXPECT_EQ(totals.At(ByIndex({5, 2, 7})),
            (std::vector<RuleCount>{{"spirent", 0, 0},
                                    {"probeot", 5, 500},
                                    {"rfc2544", 2, 200},
                                    {"loopback", 7, 700}}));
  // Then 4 spirent, 1 probeot, 3 rfc2544 frames under the new table.
  EXPECT_EQ(totals.At(ByIndex({9, 3, 10})),
            (std::vector<RuleCount>{{"spirent", 4, 400},
                                    {"probeot", 6, 600},
                                    {"rfc2544", 5, 500},
                                    {"loopback", 7, 700}}));
  // loopback comes back (last); what it counted before adds up with what it counts now.
  totals.SetTable({"probeot", "loopback"}, ByIndex({9, 3, 10}));
  EXPECT_EQ(totals.At(ByIndex({9 + 1, 3 + 2, 10})),
            (std::vector<RuleCount>{{"probeot", 7, 700},
                                    {"loopback", 9, 900},
                                    {"rfc2544", 5, 500},
                                    {"spirent", 4, 400}}));
}

TEST(RuleTotals, TheSameTableIsNoChange) {
  RuleTotals totals;
  totals.SetInitialTable({"probeot", "dataot"});
  totals.SetTable({"probeot", "dataot"}, ByIndex({2, 1}));
  EXPECT_EQ(totals.At(ByIndex({4, 1})),
            (std::vector<RuleCount>{{"probeot", 4, 400}, {"dataot", 1, 100}}));
}

}  // namespace
}  // namespace reflector::daemon
