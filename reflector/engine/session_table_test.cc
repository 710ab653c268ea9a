// The worker's session table: keys as the frames carry them, counts per session through its
// cache and the table behind it, and the bound.
#include "reflector/engine/session_table.h"

#include <arpa/inet.h>

#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "reflector/engine/session_book.h"
#include "reflector/packet/packet.h"
#include "reflector/packet/testing/frame_builder.h"

namespace reflector::engine {
namespace {

using packet::testing::DefaultTestConfig;
using packet::testing::FrameBuilder;

void CountFrame(SessionTable& table, const std::vector<uint8_t>& frame) {
  const packet::Classification result = packet::Classify(frame, DefaultTestConfig());
  ASSERT_TRUE(result.reflect());
  table.Count(frame, result.where);
}

// The counts per key, as the daemon adds them up.
SessionKeyMap<rf_session_counts> Totals(const SessionTable& table) {
  SessionKeyMap<rf_session_counts> totals;
  for (const rf_session_slot& entry : table.Read()) {
    totals[entry.key].frames += entry.counts.frames;
    totals[entry.key].bytes += entry.counts.bytes;
  }
  return totals;
}

TEST(SessionTableTest, KeyHoldsWhatIdentifiesATestersStream) {
  SessionTable table;
  packet::MacAddress mac = packet::testing::kTesterMac;
  mac[5] = 9;  // the tester's OUI, which the default filter wants
  const std::vector<uint8_t> frame = FrameBuilder()
                                         .SrcMac(mac)
                                         .Vlan(0x2064)
                                         .Ipv4({198, 18, 1, 1}, {198, 18, 0, 2})
                                         .Ports(50000, RF_DEFAULT_PORT)
                                         .Ito()
                                         .Build();
  CountFrame(table, frame);
  table.Publish();
  const std::vector<rf_session_slot> read = table.Read();
  ASSERT_EQ(read.size(), 1u);
  const rf_session_key& key = read[0].key;
  EXPECT_EQ(std::vector<uint8_t>(key.src_mac, key.src_mac + 6),
            std::vector<uint8_t>(mac.begin(), mac.end()));
  EXPECT_EQ(key.vlan, 100);  // the ID, without the priority bits
  EXPECT_EQ(key.ip_version, 4);
  EXPECT_EQ(std::vector<uint8_t>(key.src_ip, key.src_ip + 5),
            std::vector<uint8_t>({198, 18, 1, 1, 0}));
  EXPECT_EQ(std::vector<uint8_t>(key.dst_ip, key.dst_ip + 4),
            std::vector<uint8_t>({198, 18, 0, 2}));
  EXPECT_EQ(ntohs(key.src_port), 50000);
  EXPECT_EQ(ntohs(key.dst_port), RF_DEFAULT_PORT);
  EXPECT_EQ(read[0].counts.frames, 1u);
  EXPECT_EQ(read[0].counts.bytes, frame.size());
}

TEST(SessionTableTest, Ipv6AddressesAreWhole) {
  SessionTable table;
  const packet::testing::Ipv6Address src = {0x20, 1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7};
  CountFrame(table, FrameBuilder().Ipv6(src, packet::testing::kReflectorIpv6).Ito().Build());
  table.Publish();
  const std::vector<rf_session_slot> read = table.Read();
  ASSERT_EQ(read.size(), 1u);
  EXPECT_EQ(read[0].key.ip_version, 6);
  EXPECT_EQ(std::vector<uint8_t>(read[0].key.src_ip, read[0].key.src_ip + 16),
            std::vector<uint8_t>(src.begin(), src.end()));
}

// Many streams share few cache slots: every frame is still counted, to its own session,
// whether its counts sit in a slot or moved to the table.
TEST(SessionTableTest, CountsEverySessionThroughCacheAndTable) {
  SessionTable table;
  constexpr int kStreams = 3 * RF_SESSION_CACHE_SLOTS;
  for (int round = 0; round < 3; ++round) {
    for (int stream = 0; stream < kStreams; ++stream) {
      CountFrame(table, FrameBuilder().Ports(static_cast<uint16_t>(1024 + stream), RF_DEFAULT_PORT).Ito().Build());
    }
  }
  EXPECT_TRUE(table.Read().empty());  // nothing published yet
  table.Publish();
  const auto totals = Totals(table);
  ASSERT_EQ(totals.size(), static_cast<size_t>(kStreams));
  for (const auto& [key, counts] : totals) EXPECT_EQ(counts.frames, 3u);
  EXPECT_EQ(table.lost_frames(), 0u);
}

// Streams that differ in one field only, each value of it in turn (a weak hash once made such
// frames collide, reflector/packet/guard.h): every stream has its own fingerprint, and they
// spread over every cache slot.
TEST(SessionTableTest, StreamsDifferingInOneFieldHaveDistinctFingerprints) {
  const auto expect_distinct = [](std::vector<uint8_t> frame, const std::string& name,
                                  uint32_t field, uint32_t values, uint32_t mask) {
    const packet::Classification result = packet::Classify(frame, DefaultTestConfig());
    ASSERT_TRUE(result.reflect()) << name;
    const rf_result& where = result.where;
    std::set<uint64_t> fingerprints;
    std::set<uint32_t> slots;
    for (uint32_t value = 0; value < values; ++value) {
      const uint16_t old = static_cast<uint16_t>(frame[field] << 8 | frame[field + 1]);
      const uint16_t now = static_cast<uint16_t>((old & ~mask) | (value & mask));
      frame[field] = static_cast<uint8_t>(now >> 8);
      frame[field + 1] = static_cast<uint8_t>(now);
      uint32_t slot = 0;
      const uint64_t fingerprint = rf_session_fingerprint_slot(
          frame.data(), frame.data() + frame.size(), where.l3_offset, where.l4_offset,
          where.ip_version, where.vlan_tags, where.rule, &slot);
      ASSERT_NE(fingerprint, 0u) << name;
      ASSERT_EQ(slot, rf_session_slot_index(fingerprint)) << name;
      fingerprints.insert(fingerprint);
      slots.insert(slot);
    }
    EXPECT_EQ(fingerprints.size(), values) << name;
    EXPECT_EQ(slots.size(), static_cast<size_t>(RF_SESSION_CACHE_SLOTS)) << name;
  };
  const std::vector<uint8_t> v4 = FrameBuilder().Vlan(100).Ito().Build();
  constexpr uint32_t kL3 = 18;  // after one tag
  constexpr uint32_t kL4 = kL3 + 20;
  expect_distinct(v4, "source MAC", 10, 65536, 0xffff);
  expect_distinct(v4, "VLAN ID", 14, 4096, 0x0fff);
  expect_distinct(v4, "source IPv4 high", kL3 + 12, 65536, 0xffff);
  expect_distinct(v4, "source IPv4 low", kL3 + 14, 65536, 0xffff);
  expect_distinct(v4, "destination IPv4 low", kL3 + 18, 65536, 0xffff);
  expect_distinct(v4, "source port", kL4, 65536, 0xffff);
  expect_distinct(v4, "destination port", kL4 + 2, 65536, 0xffff);
  const std::vector<uint8_t> v6 =
      FrameBuilder().Ipv6(packet::testing::Ipv6Address{0x20, 1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                                       0, 0, 7},
                          packet::testing::kReflectorIpv6)
          .Ito()
          .Build();
  constexpr uint32_t kL3v6 = 14;
  expect_distinct(v6, "source IPv6 word 0", kL3v6 + 8 + 4, 65536, 0xffff);
  expect_distinct(v6, "source IPv6 word 1", kL3v6 + 16 + 6, 65536, 0xffff);
  expect_distinct(v6, "destination IPv6 word 0", kL3v6 + 24 + 2, 65536, 0xffff);
  expect_distinct(v6, "destination IPv6 word 1", kL3v6 + 32 + 6, 65536, 0xffff);
}

// The rule is part of the key: the same bytes under another rule are another session.
TEST(SessionTableTest, TheRuleChangesTheFingerprint) {
  const std::vector<uint8_t> frame = FrameBuilder().Ito().Build();
  const packet::Classification result = packet::Classify(frame, DefaultTestConfig());
  ASSERT_TRUE(result.reflect());
  std::set<uint64_t> fingerprints;
  for (uint32_t rule = 0; rule < RF_MAX_RULES; ++rule) {
    fingerprints.insert(rf_session_fingerprint(frame.data(), frame.data() + frame.size(),
                                               result.where.l3_offset, result.where.l4_offset,
                                               4, 0, rule));
  }
  EXPECT_EQ(fingerprints.size(), static_cast<size_t>(RF_MAX_RULES));
}

TEST(SessionTableTest, AFullTableLosesCountsItCannotHold) {
  SessionTable table(/*capacity=*/0);
  // Two streams that take turns in one slot: find two ports whose keys share it.
  const auto frame = [](uint16_t port) { return FrameBuilder().Ports(port, RF_DEFAULT_PORT).Ito().Build(); };
  const auto index = [&](uint16_t port) {
    const std::vector<uint8_t> bytes = frame(port);
    const packet::Classification result = packet::Classify(bytes, DefaultTestConfig());
    return rf_session_slot_index(rf_session_fingerprint(
        bytes.data(), bytes.data() + bytes.size(), result.where.l3_offset,
        result.where.l4_offset, 4, 0, result.where.rule));
  };
  uint16_t other = 1025;
  while (index(other) != index(1024)) ++other;
  CountFrame(table, frame(1024));
  CountFrame(table, frame(1024));
  CountFrame(table, frame(other));  // displaces 1024's two frames: no room for them
  table.Publish();
  EXPECT_EQ(table.lost_frames(), 2u);
  ASSERT_EQ(Totals(table).size(), 1u);
}

TEST(SessionTableTest, PublishesWhenDue) {
  SessionTable table;
  CountFrame(table, FrameBuilder().Ito().Build());
  table.PublishIfDue(/*now_ns=*/100, /*period_ns=*/250);
  EXPECT_TRUE(table.Read().empty());
  table.PublishIfDue(/*now_ns=*/250, /*period_ns=*/250);
  EXPECT_EQ(table.Read().size(), 1u);
}

std::vector<uint8_t> StreamFrame(uint16_t port) {
  return FrameBuilder().Ports(port, RF_DEFAULT_PORT).Ito().Build();
}

// The cache slot a stream's frames count in.
uint32_t SlotOf(const std::vector<uint8_t>& bytes) {
  const packet::Classification result = packet::Classify(bytes, DefaultTestConfig());
  return rf_session_slot_index(rf_session_fingerprint(bytes.data(), bytes.data() + bytes.size(),
                                                      result.where.l3_offset,
                                                      result.where.l4_offset, 4, 0,
                                                      result.where.rule));
}

// A port whose stream shares `port`'s cache slot.
uint16_t PortSharingSlot(uint16_t port) {
  uint16_t other = port + 1;
  while (SlotOf(StreamFrame(other)) != SlotOf(StreamFrame(port))) ++other;
  return other;
}

constexpr uint64_t kSecond = 1000000000;

// Idle sessions leave the table at a publication: one that counted no frame for longer than
// the idle time (on the clock the worker publishes with) is gone, one that did stays.
TEST(SessionTableTest, DropsSessionsIdleForLongerThanTheIdleTime) {
  SessionTable table;
  table.set_idle_ns(3 * kSecond);
  CountFrame(table, StreamFrame(1024));
  CountFrame(table, StreamFrame(2000));
  table.Publish(/*now_ns=*/1 * kSecond);  // both grew: seen at 1 s
  EXPECT_EQ(Totals(table).size(), 2u);
  CountFrame(table, StreamFrame(2000));
  table.Publish(/*now_ns=*/3 * kSecond);  // 2000 grew: seen at 3 s
  table.Publish(/*now_ns=*/4 * kSecond);  // 1024: idle exactly 3 s, stays
  EXPECT_EQ(Totals(table).size(), 2u);
  table.Publish(/*now_ns=*/4 * kSecond + 1);
  auto totals = Totals(table);
  ASSERT_EQ(totals.size(), 1u);
  EXPECT_EQ(ntohs(totals.begin()->first.src_port), 2000);
  EXPECT_EQ(totals.begin()->second.frames, 2u);
  table.Publish(/*now_ns=*/6 * kSecond + 1);
  EXPECT_TRUE(Totals(table).empty());
  // A tester that comes back starts again from zero.
  CountFrame(table, StreamFrame(1024));
  table.Publish(/*now_ns=*/7 * kSecond);
  totals = Totals(table);
  ASSERT_EQ(totals.size(), 1u);
  EXPECT_EQ(totals.begin()->second.frames, 1u);
}

TEST(SessionTableTest, ZeroIdleTimeKeepsEverySession) {
  SessionTable table;
  CountFrame(table, StreamFrame(1024));
  table.Publish(/*now_ns=*/1);
  table.Publish(/*now_ns=*/1000 * kSecond);
  EXPECT_EQ(Totals(table).size(), 1u);
}

// A session whose earlier counts moved to the table while it is still sending keeps both: the
// table's part ages with its slot, not from when it moved.
TEST(SessionTableTest, AnActiveSessionKeepsWhatItMovedToTheTable) {
  SessionTable table;
  table.set_idle_ns(3 * kSecond);
  const uint16_t other = PortSharingSlot(1024);
  CountFrame(table, StreamFrame(1024));
  CountFrame(table, StreamFrame(other));  // 1024's frame moves to the table
  CountFrame(table, StreamFrame(1024));   // and 1024 takes the slot back: other's moves
  table.Publish(/*now_ns=*/1 * kSecond);
  for (uint64_t second = 2; second <= 10; ++second) {
    CountFrame(table, StreamFrame(1024));
    table.Publish(second * kSecond);
  }
  const auto totals = Totals(table);
  ASSERT_EQ(totals.size(), 1u);  // other: idle since 1 s
  EXPECT_EQ(ntohs(totals.begin()->first.src_port), 1024);
  EXPECT_EQ(totals.begin()->second.frames, 11u);
}

// A stream that takes over a slot is a new session there, whatever the counts it starts with:
// it does not inherit the previous holder's age.
TEST(SessionTableTest, ANewHolderOfASlotIsNotTheOldOnesAge) {
  SessionTable table;
  table.set_idle_ns(3 * kSecond);
  const uint16_t other = PortSharingSlot(1024);
  CountFrame(table, StreamFrame(1024));
  table.Publish(/*now_ns=*/1 * kSecond);  // slot: 1 frame, seen at 1 s
  CountFrame(table, StreamFrame(other));  // 1 frame in the slot again, a different session
  table.Publish(/*now_ns=*/4 * kSecond + 1);
  // `other` stays (seen at 4 s, not at 1 s), and so does 1024, which moved to the table and
  // was first seen there at 4 s + 1.
  EXPECT_EQ(Totals(table).size(), 2u);
  table.Publish(/*now_ns=*/7 * kSecond + 2);
  EXPECT_TRUE(Totals(table).empty());
}

// Expiry is what keeps a worker counting new testers: a full table whose sessions went idle
// has room again.
TEST(SessionTableTest, ExpiryMakesRoomInAFullTable) {
  SessionTable table(/*capacity=*/1);
  table.set_idle_ns(3 * kSecond);
  const uint16_t second = PortSharingSlot(1024);
  const uint16_t third = PortSharingSlot(second);
  CountFrame(table, StreamFrame(1024));
  CountFrame(table, StreamFrame(second));  // 1024 moves to the table, which is now full
  table.Publish(/*now_ns=*/1 * kSecond);
  table.Publish(/*now_ns=*/5 * kSecond);  // both idle: dropped
  EXPECT_TRUE(Totals(table).empty());
  CountFrame(table, StreamFrame(third));
  CountFrame(table, StreamFrame(1024));  // third moves to the table: there is room
  table.Publish(/*now_ns=*/6 * kSecond);
  EXPECT_EQ(table.lost_frames(), 0u);
  EXPECT_EQ(Totals(table).size(), 2u);
}

// Runs of one stream, a stream that takes their slot in between, and a publication that
// empties it: every frame counts to its own session, never into a slot another one holds.
TEST(SessionTableTest, RunsOfAStreamCountToTheirOwnSession) {
  SessionTable table;
  table.set_idle_ns(3 * kSecond);
  const uint16_t other = PortSharingSlot(1024);
  CountFrame(table, StreamFrame(1024));
  CountFrame(table, StreamFrame(1024));
  CountFrame(table, StreamFrame(other));  // takes 1024's slot
  CountFrame(table, StreamFrame(1024));   // and 1024 takes it back
  CountFrame(table, StreamFrame(1024));
  CountFrame(table, FrameBuilder().Ports(1024, RF_DEFAULT_PORT).Ito().FrameSize(200).Build());
  table.Publish(/*now_ns=*/1 * kSecond);
  auto totals = Totals(table);
  ASSERT_EQ(totals.size(), 2u);
  for (const auto& [key, counts] : totals) {
    EXPECT_EQ(counts.frames, ntohs(key.src_port) == 1024 ? 5u : 1u);
  }
  table.Publish(/*now_ns=*/5 * kSecond);  // both idle: their slots emptied
  EXPECT_TRUE(Totals(table).empty());
  CountFrame(table, StreamFrame(1024));  // the last frame's stream, in an emptied slot
  CountFrame(table, StreamFrame(1024));
  table.Publish(/*now_ns=*/6 * kSecond);
  totals = Totals(table);
  ASSERT_EQ(totals.size(), 1u);
  EXPECT_EQ(totals.begin()->second.frames, 2u);
}

// The worker's table and the daemon's book together, as the daemon runs them (a publication
// every 250 ms, a reading every 500 ms, the table's idle time two readings past the book's): a
// tester that goes quiet is ended by the book first, then leaves the table, and when it comes
// back it is a new session counted from zero.
TEST(SessionTableTest, WithTheBookATesterThatComesBackIsANewSession) {
  SessionTable table;
  SessionBook book;
  const absl::Duration idle = absl::Seconds(3);
  table.set_idle_ns(absl::ToInt64Nanoseconds(idle + 2 * absl::Milliseconds(500)));
  const absl::Time start = absl::FromUnixSeconds(1'800'000'000);
  bool ended = false;
  for (int tick = 0; tick <= 32; ++tick) {  // 250 ms each: 8 s
    if (tick == 0) {
      for (int i = 0; i < 4; ++i) CountFrame(table, StreamFrame(1024));
    }
    if (tick == 24) {  // 6 s: back
      for (int i = 0; i < 2; ++i) CountFrame(table, StreamFrame(1024));
    }
    const absl::Duration now = tick * absl::Milliseconds(250);
    // The worker's monotonic clock: any origin (here 1 s before the daemon's).
    table.PublishIfDue(static_cast<uint64_t>(absl::ToInt64Nanoseconds(now + absl::Seconds(1))),
                       absl::ToInt64Nanoseconds(absl::Milliseconds(250)));
    if (tick % 2 != 0) continue;
    book.Update(table.Read(), start + now, idle);
    const std::vector<Session> live = book.Live();
    if (tick < 24) {
      if (live.empty()) {
        ended = true;
        EXPECT_GT(now, idle) << "ended early";
      } else {
        EXPECT_FALSE(ended) << "live again at " << now;
        EXPECT_EQ(live[0].frames, 4u);
      }
    }
  }
  EXPECT_TRUE(ended);
  const std::vector<Session> live = book.Live();
  ASSERT_EQ(live.size(), 1u);
  EXPECT_EQ(live[0].frames, 2u);
  EXPECT_EQ(live[0].first_seen, start + absl::Seconds(6));
}

}  // namespace
}  // namespace reflector::engine
