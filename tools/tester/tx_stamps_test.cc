#include "tools/tester/tx_stamps.h"

#include "gtest/gtest.h"

namespace reflector::tester {
namespace {

TEST(TxStampBookTest, KeepsTheStampOfEachSequenceUntilItsSlotIsReused) {
  TxStampBook book(/*window_log2=*/2);
  EXPECT_FALSE(book.Get(0).has_value());
  book.Put(1, 111);
  EXPECT_EQ(book.Get(1), 111u);
  EXPECT_FALSE(book.Get(5).has_value());  // same slot, other frame
  book.Put(5, 555);
  EXPECT_EQ(book.Get(5), 555u);
  EXPECT_FALSE(book.Get(1).has_value());
  EXPECT_EQ(book.resolved(), 0u);
  book.Resolve(6);
  EXPECT_EQ(book.resolved(), 6u);
}

TEST(RttResolverTest, WithoutABookEveryRttIsFromTheFrame) {
  StreamStats stats(4, 4);
  RttResolver resolver(nullptr, &stats, nullptr, 8);
  resolver.Add(0, 5000, 1000);
  EXPECT_EQ(resolver.counts().tx_user, 1u);
  EXPECT_EQ(resolver.counts().tx_kernel, 0u);
  const StreamSummary s = stats.Summarize(1);
  ASSERT_TRUE(s.rtt.has_value());
  EXPECT_DOUBLE_EQ(s.rtt->max_us, 4.0);
}

TEST(RttResolverTest, HoldsAReflectionUntilItsStampIsSettledThenUsesTheStamp) {
  TxStampBook book(4);
  StreamStats stats(4, 4);
  StreamStats user_stats(4, 4);
  RttResolver resolver(&book, &stats, &user_stats, 8);
  // The reflection arrives before the sender has read the stamp from its error queue.
  resolver.Add(0, /*rx_ns=*/9000, /*frame_tx_ns=*/1000);
  resolver.Flush(false);
  EXPECT_EQ(resolver.counts().tx_kernel + resolver.counts().tx_user, 0u);
  book.Put(0, 7000);
  book.Resolve(1);
  resolver.Flush(false);
  EXPECT_EQ(resolver.counts().tx_kernel, 1u);
  EXPECT_EQ(resolver.counts().tx_user, 0u);
  const StreamSummary s = stats.Summarize(1);
  const StreamSummary u = user_stats.Summarize(1);
  ASSERT_TRUE(s.rtt.has_value() && u.rtt.has_value());
  EXPECT_DOUBLE_EQ(s.rtt->max_us, 2.0);  // 9000 - 7000
  EXPECT_DOUBLE_EQ(u.rtt->max_us, 8.0);  // 9000 - 1000
  EXPECT_EQ(s.received, u.received);
}

TEST(RttResolverTest, AFrameWithoutAStampFallsBackToItsSendTime) {
  TxStampBook book(4);
  StreamStats stats(4, 4);
  RttResolver resolver(&book, &stats, nullptr, 8);
  resolver.Add(0, 3000, 1000);
  book.Resolve(1);  // sent, but no stamp came
  resolver.Flush(false);
  EXPECT_EQ(resolver.counts().tx_user, 1u);
  EXPECT_EQ(resolver.counts().tx_kernel, 0u);
  EXPECT_DOUBLE_EQ(stats.Summarize(1).rtt->max_us, 2.0);
}

TEST(RttResolverTest, RejectsStampsThatCannotBeRight) {
  TxStampBook book(4);
  StreamStats stats(4, 4);
  RttResolver resolver(&book, &stats, nullptr, 8);
  book.Put(0, 4000);  // after the receive stamp
  book.Put(1, 500);   // before the frame's own send time
  book.Resolve(2);
  resolver.Add(0, 3000, 1000);
  resolver.Add(1, 3000, 1000);
  resolver.Flush(true);
  EXPECT_EQ(resolver.counts().rejected, 2u);
  EXPECT_EQ(resolver.counts().tx_user, 2u);
  EXPECT_EQ(resolver.counts().tx_kernel, 0u);
  const StreamSummary s = stats.Summarize(2);
  EXPECT_DOUBLE_EQ(s.rtt->min_us, 2.0);
  EXPECT_DOUBLE_EQ(s.rtt->max_us, 2.0);
}

TEST(RttResolverTest, RttsAreExactAcrossTheWrapOfThe32BitClock) {
  TxStampBook book(4);
  StreamStats stats(4, 4);
  RttResolver resolver(&book, &stats, nullptr, 8);
  book.Put(0, 0xFFFFF000u);
  book.Resolve(1);
  resolver.Add(0, 0x00000800u, 0xFFFFE000u);
  EXPECT_EQ(resolver.counts().tx_kernel, 1u);
  EXPECT_DOUBLE_EQ(stats.Summarize(1).rtt->max_us, 6.144);  // 0x1800 ns
}

TEST(RttResolverTest, KeepsArrivalOrderAndRecordsTheOldestWhenFull) {
  TxStampBook book(4);
  StreamStats stats(4, 4);
  RttResolver resolver(&book, &stats, nullptr, /*max_held=*/2);
  resolver.Add(2, 9000, 1000);
  resolver.Add(1, 9000, 1000);
  EXPECT_EQ(resolver.counts().tx_user, 0u);
  resolver.Add(0, 9000, 1000);  // no room: seq 2 goes now, unstamped
  EXPECT_EQ(resolver.counts().tx_user, 1u);
  book.Put(0, 8000);
  book.Put(1, 8000);
  book.Resolve(3);
  resolver.Flush(false);
  EXPECT_EQ(resolver.counts().tx_kernel, 2u);
  const StreamSummary s = stats.Summarize(3);
  EXPECT_EQ(s.out_of_order, 2u);  // 1 after 2, 0 after 2: arrival order, not sequence order
  EXPECT_DOUBLE_EQ(s.rtt->min_us, 1.0);
  EXPECT_DOUBLE_EQ(s.rtt->max_us, 8.0);
}

}  // namespace
}  // namespace reflector::tester
