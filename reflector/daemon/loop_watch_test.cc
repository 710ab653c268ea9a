#include "reflector/daemon/loop_watch.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace reflector::daemon {
namespace {

using ::testing::HasSubstr;
using ::testing::Optional;

engine::Counters WithLoops(uint64_t loops, uint64_t peer) {
  engine::Counters counters;
  counters.rejected_by_reason[static_cast<size_t>(packet::Verdict::kLoop)] = loops;
  counters.loop_peer = peer;
  return counters;
}

TEST(LoopWatch, OneLinePerEpisodeNamingThePeer) {
  LoopWatch watch;
  EXPECT_EQ(watch.Check(WithLoops(0, 0)), std::nullopt);
  EXPECT_THAT(watch.Check(WithLoops(3, 0x02bb0000000b)),
              Optional(HasSubstr("loop: 3 frames from 02:bb:00:00:00:0b came back")));
  // The same loop going on: no new line.
  EXPECT_EQ(watch.Check(WithLoops(9, 0x02bb0000000b)), std::nullopt);
  // A quiet check ends the episode; the next frames start a new one.
  EXPECT_EQ(watch.Check(WithLoops(9, 0x02bb0000000b)), std::nullopt);
  EXPECT_THAT(watch.Check(WithLoops(10, 0x02bb0000000b)), Optional(HasSubstr("loop: 1 frame from")));
}

TEST(LoopWatch, AnotherPeerGetsItsOwnLine) {
  LoopWatch watch;
  EXPECT_NE(watch.Check(WithLoops(1, 0x02bb0000000b)), std::nullopt);
  EXPECT_THAT(watch.Check(WithLoops(2, 0x02cc0000000c)), Optional(HasSubstr("02:cc:00:00:00:0c")));
}

TEST(LoopWatch, FormatsMacNumbers) {
  EXPECT_EQ(FormatMacNumber(0x00c017000001), "00:c0:17:00:00:01");
}

}  // namespace
}  // namespace reflector::daemon
