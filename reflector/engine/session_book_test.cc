// The daemon's session book with an injected clock: sums per key, first and last seen at the
// readings, expiry after the idle time, and a session that starts again after expiring.
#include "reflector/engine/session_book.h"

#include <vector>

#include "gtest/gtest.h"

namespace reflector::engine {
namespace {

const absl::Time kStart = absl::FromUnixSeconds(1'800'000'000);
const absl::Duration kIdle = absl::Seconds(60);

rf_session_slot Entry(uint8_t tester, uint64_t frames) {
  rf_session_slot entry = {};
  entry.key.src_mac[5] = tester;
  entry.key.ip_version = 4;
  entry.counts.frames = frames;
  entry.counts.bytes = frames * 64;
  return entry;
}

TEST(SessionBookTest, AddsUpSourcesPerKey) {
  SessionBook book;
  // Tester 1 in two sources (a cache slot and a table entry, or two workers).
  book.Update({Entry(1, 5), Entry(2, 7), Entry(1, 4)}, kStart, kIdle);
  const std::vector<Session> live = book.Live();
  ASSERT_EQ(live.size(), 2u);
  EXPECT_EQ(live[0].key.src_mac[5], 1);  // most frames first
  EXPECT_EQ(live[0].frames, 9u);
  EXPECT_EQ(live[0].bytes, 9u * 64);
  EXPECT_EQ(live[1].frames, 7u);
  EXPECT_EQ(live[0].first_seen, kStart);
}

TEST(SessionBookTest, LastSeenIsTheLastReadingThatGrew) {
  SessionBook book;
  book.Update({Entry(1, 5)}, kStart, kIdle);
  book.Update({Entry(1, 8)}, kStart + absl::Seconds(1), kIdle);
  book.Update({Entry(1, 8)}, kStart + absl::Seconds(2), kIdle);
  const std::vector<Session> live = book.Live();
  ASSERT_EQ(live.size(), 1u);
  EXPECT_EQ(live[0].frames, 8u);
  EXPECT_EQ(live[0].first_seen, kStart);
  EXPECT_EQ(live[0].last_seen, kStart + absl::Seconds(1));
}

TEST(SessionBookTest, ALowReadingIsIgnored) {
  SessionBook book;
  book.Update({Entry(1, 8)}, kStart, kIdle);
  book.Update({Entry(1, 3)}, kStart + absl::Seconds(1), kIdle);
  ASSERT_EQ(book.Live().size(), 1u);
  EXPECT_EQ(book.Live()[0].frames, 8u);
  EXPECT_EQ(book.Live()[0].last_seen, kStart);
  book.Update({Entry(1, 10)}, kStart + absl::Seconds(2), kIdle);
  EXPECT_EQ(book.Live()[0].frames, 10u);
}

TEST(SessionBookTest, IdleSessionsExpire) {
  SessionBook book;
  book.Update({Entry(1, 5), Entry(2, 5)}, kStart, kIdle);
  book.Update({Entry(1, 5), Entry(2, 6)}, kStart + absl::Seconds(30), kIdle);
  book.Update({Entry(1, 5), Entry(2, 6)}, kStart + absl::Seconds(60), kIdle);
  EXPECT_EQ(book.Live().size(), 2u);  // idle for exactly the idle time: not yet
  book.Update({Entry(1, 5), Entry(2, 6)}, kStart + absl::Seconds(61), kIdle);
  const std::vector<Session> live = book.Live();
  ASSERT_EQ(live.size(), 1u);
  EXPECT_EQ(live[0].key.src_mac[5], 2);
  // A shorter idle time (a reload) applies at the next reading.
  book.Update({Entry(2, 6)}, kStart + absl::Seconds(62), absl::Seconds(10));
  EXPECT_TRUE(book.Live().empty());
}

TEST(SessionBookTest, AnExpiredKeyStartsANewSessionFromItsCountsThen) {
  SessionBook book;
  book.Update({Entry(1, 5)}, kStart, kIdle);
  book.Update({Entry(1, 5)}, kStart + absl::Minutes(2), kIdle);
  EXPECT_TRUE(book.Live().empty());
  const absl::Time again = kStart + absl::Minutes(3);
  book.Update({Entry(1, 12)}, again, kIdle);
  const std::vector<Session> live = book.Live();
  ASSERT_EQ(live.size(), 1u);
  EXPECT_EQ(live[0].frames, 7u);
  EXPECT_EQ(live[0].bytes, 7u * 64);
  EXPECT_EQ(live[0].first_seen, again);
}

TEST(SessionBookTest, AKeyThatLeftItsSourceAndCameBackStartsFromZero) {
  SessionBook book;
  book.Update({Entry(1, 5)}, kStart, kIdle);
  book.Update({}, kStart + absl::Minutes(2), kIdle);  // expired, and gone from the sources
  book.Update({Entry(1, 3)}, kStart + absl::Minutes(3), kIdle);
  ASSERT_EQ(book.Live().size(), 1u);
  EXPECT_EQ(book.Live()[0].frames, 3u);
}

TEST(SessionBookTest, ALiveSessionMissingFromAReadingStaysUntilIdle) {
  SessionBook book;
  book.Update({Entry(1, 5)}, kStart, kIdle);
  book.Update({}, kStart + absl::Seconds(1), kIdle);
  ASSERT_EQ(book.Live().size(), 1u);
  EXPECT_EQ(book.Live()[0].frames, 5u);
}

}  // namespace
}  // namespace reflector::engine
