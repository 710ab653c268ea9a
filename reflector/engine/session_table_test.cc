// The worker's session table: keys as the frames carry them, counts per session through its
// cache and the table behind it, and the bound.
#include "reflector/engine/session_table.h"

#include <arpa/inet.h>

#include <map>
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
// spread over every cache set.
TEST(SessionTableTest, StreamsDifferingInOneFieldHaveDistinctFingerprints) {
  const auto expect_distinct = [](std::vector<uint8_t> frame, const std::string& name,
                                  uint32_t field, uint32_t values, uint32_t mask) {
    const packet::Classification result = packet::Classify(frame, DefaultTestConfig());
    ASSERT_TRUE(result.reflect()) << name;
    const rf_result& where = result.where;
    std::set<uint64_t> fingerprints;
    std::set<uint32_t> sets;
    for (uint32_t value = 0; value < values; ++value) {
      const uint16_t old = static_cast<uint16_t>(frame[field] << 8 | frame[field + 1]);
      const uint16_t now = static_cast<uint16_t>((old & ~mask) | (value & mask));
      frame[field] = static_cast<uint8_t>(now >> 8);
      frame[field + 1] = static_cast<uint8_t>(now);
      uint32_t set = 0;
      const uint64_t fingerprint = rf_session_fingerprint_set(
          frame.data(), frame.data() + frame.size(), where.l3_offset, where.l4_offset,
          where.ip_version, where.vlan_tags, where.rule, &set);
      ASSERT_NE(fingerprint, 0u) << name;
      ASSERT_EQ(set, rf_session_set_index(fingerprint)) << name;
      fingerprints.insert(fingerprint);
      sets.insert(set);
    }
    EXPECT_EQ(fingerprints.size(), values) << name;
    EXPECT_EQ(sets.size(), static_cast<size_t>(RF_SESSION_CACHE_SETS)) << name;
  };
  const std::vector<uint8_t> v4 = FrameBuilder().Vlan(100).Ito().Build();
  constexpr uint32_t kL3 = 18;  // after one tag
  constexpr uint32_t kL4 = kL3 + 20;
  expect_distinct(v4, "source MAC high", 6, 65536, 0xffff);
  expect_distinct(v4, "source MAC low", 10, 65536, 0xffff);
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

// The cache set a stream's frames count in.
uint32_t SetOf(const std::vector<uint8_t>& bytes) {
  const packet::Classification result = packet::Classify(bytes, DefaultTestConfig());
  return rf_session_set_index(rf_session_fingerprint(bytes.data(), bytes.data() + bytes.size(),
                                                     result.where.l3_offset,
                                                     result.where.l4_offset, 4, 0,
                                                     result.where.rule));
}

// `count` ports after `port` whose streams share its cache set: with `port`'s, more sessions
// than the set has ways once count >= RF_SESSION_CACHE_WAYS.
std::vector<uint16_t> PortsSharingSet(uint16_t port, int count) {
  const uint32_t set = SetOf(StreamFrame(port));
  std::vector<uint16_t> ports;
  for (uint16_t other = port + 1; static_cast<int>(ports.size()) < count; ++other) {
    if (SetOf(StreamFrame(other)) == set) ports.push_back(other);
  }
  return ports;
}

// Two sessions in one set keep a way each, however their frames interleave: nothing moves to
// the table (which has no room here, so a move would lose counts).
TEST(SessionTableTest, TwoSessionsShareASet) {
  SessionTable table(/*capacity=*/0);
  const uint16_t other = PortsSharingSet(1024, 1)[0];
  for (int i = 0; i < 10; ++i) {
    CountFrame(table, StreamFrame(1024));
    CountFrame(table, StreamFrame(other));
  }
  table.Publish();
  EXPECT_EQ(table.lost_frames(), 0u);
  const auto totals = Totals(table);
  ASSERT_EQ(totals.size(), 2u);
  for (const auto& [key, counts] : totals) EXPECT_EQ(counts.frames, 10u);
}

// A third session in a full set takes the way with fewer frames; on a tie, way 0 (here the
// session that took its way first). With no room in the table, what the way held is lost,
// which shows whose it was.
TEST(SessionTableTest, ASessionTakesTheWayWithFewerFrames) {
  SessionTable table(/*capacity=*/0);
  const std::vector<uint16_t> others = PortsSharingSet(1024, 3);
  for (int i = 0; i < 3; ++i) CountFrame(table, StreamFrame(1024));
  CountFrame(table, StreamFrame(others[0]));
  CountFrame(table, StreamFrame(others[1]));  // others[0]: 1 frame against 3
  table.Publish();
  EXPECT_EQ(table.lost_frames(), 1u);
  auto totals = Totals(table);
  ASSERT_EQ(totals.size(), 2u);
  for (const auto& [key, counts] : totals) {
    EXPECT_EQ(counts.frames, ntohs(key.src_port) == 1024 ? 3u : 1u);
    EXPECT_NE(ntohs(key.src_port), others[0]);
  }
  for (int i = 0; i < 4; ++i) CountFrame(table, StreamFrame(others[1]));  // 5 against 3
  CountFrame(table, StreamFrame(others[2]));  // 1024's 3 frames go
  table.Publish();
  EXPECT_EQ(table.lost_frames(), 4u);
  totals = Totals(table);
  ASSERT_EQ(totals.size(), 2u);
  for (const auto& [key, counts] : totals) {
    EXPECT_EQ(counts.frames, ntohs(key.src_port) == others[1] ? 5u : 1u);
    EXPECT_NE(ntohs(key.src_port), 1024);
  }

  SessionTable tie(/*capacity=*/0);
  CountFrame(tie, StreamFrame(1024));       // way 0
  CountFrame(tie, StreamFrame(others[0]));  // way 1
  CountFrame(tie, StreamFrame(others[1]));  // 1 frame each: way 0, 1024's
  tie.Publish();
  EXPECT_EQ(tie.lost_frames(), 1u);
  for (const auto& [key, counts] : Totals(tie)) EXPECT_NE(ntohs(key.src_port), 1024);
}

// Five sessions in one set, sending runs of different lengths: they keep displacing each other,
// and every frame and byte still counts to its own session.
TEST(SessionTableTest, CountsAreExactAcrossEvictions) {
  SessionTable table;
  std::vector<uint16_t> ports = PortsSharingSet(1024, 4);
  ports.push_back(1024);
  std::map<uint16_t, rf_session_counts> sent;
  for (int round = 0; round < 20; ++round) {
    for (size_t i = 0; i < ports.size(); ++i) {
      const int run = 1 + static_cast<int>((round * 7 + i * 3) % 5);
      for (int r = 0; r < run; ++r) {
        const std::vector<uint8_t> frame = FrameBuilder()
                                               .Ports(ports[i], RF_DEFAULT_PORT)
                                               .Ito()
                                               .FrameSize(static_cast<size_t>(64 + 8 * r))
                                               .Build();
        CountFrame(table, frame);
        ++sent[ports[i]].frames;
        sent[ports[i]].bytes += frame.size();
      }
    }
  }
  table.Publish();
  EXPECT_EQ(table.lost_frames(), 0u);
  const auto totals = Totals(table);
  ASSERT_EQ(totals.size(), ports.size());
  for (const auto& [key, counts] : totals) {
    const uint16_t port = ntohs(key.src_port);
    EXPECT_EQ(counts.frames, sent[port].frames) << port;
    EXPECT_EQ(counts.bytes, sent[port].bytes) << port;
  }
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
// table's part ages with its way, not from when it moved.
TEST(SessionTableTest, AnActiveSessionKeepsWhatItMovedToTheTable) {
  SessionTable table;
  table.set_idle_ns(3 * kSecond);
  const std::vector<uint16_t> others = PortsSharingSet(1024, 2);
  CountFrame(table, StreamFrame(1024));       // way 0
  CountFrame(table, StreamFrame(others[0]));  // way 1
  CountFrame(table, StreamFrame(others[1]));  // 1024's frame moves to the table
  CountFrame(table, StreamFrame(1024));       // and 1024 takes way 0 back: others[1]'s moves
  table.Publish(/*now_ns=*/1 * kSecond);
  for (uint64_t second = 2; second <= 10; ++second) {
    CountFrame(table, StreamFrame(1024));
    table.Publish(second * kSecond);
  }
  const auto totals = Totals(table);
  ASSERT_EQ(totals.size(), 1u);  // the others: idle since 1 s
  EXPECT_EQ(ntohs(totals.begin()->first.src_port), 1024);
  EXPECT_EQ(totals.begin()->second.frames, 11u);
}

// A stream that takes over a way is a new session there, whatever the counts it starts with:
// it does not inherit the previous holder's age.
TEST(SessionTableTest, ANewHolderOfAWayIsNotTheOldOnesAge) {
  SessionTable table;
  table.set_idle_ns(3 * kSecond);
  const std::vector<uint16_t> others = PortsSharingSet(1024, 2);
  CountFrame(table, StreamFrame(1024));
  table.Publish(/*now_ns=*/1 * kSecond);      // way 0: 1 frame, seen at 1 s
  CountFrame(table, StreamFrame(others[0]));  // way 1
  CountFrame(table, StreamFrame(others[1]));  // 1 frame in way 0 again, a different session
  table.Publish(/*now_ns=*/4 * kSecond + 1);
  // others[1] stays (seen at 4 s, not at 1 s), and so does 1024, which moved to the table and
  // was first seen there at 4 s + 1.
  EXPECT_EQ(Totals(table).size(), 3u);
  table.Publish(/*now_ns=*/7 * kSecond + 2);
  EXPECT_TRUE(Totals(table).empty());
}

// Expiry is what keeps a worker counting new testers: a full table whose sessions went idle
// has room again.
TEST(SessionTableTest, ExpiryMakesRoomInAFullTable) {
  SessionTable table(/*capacity=*/1);
  table.set_idle_ns(3 * kSecond);
  const std::vector<uint16_t> others = PortsSharingSet(1024, 3);
  CountFrame(table, StreamFrame(1024));
  CountFrame(table, StreamFrame(others[0]));
  CountFrame(table, StreamFrame(others[1]));  // 1024 moves to the table, which is now full
  table.Publish(/*now_ns=*/1 * kSecond);
  table.Publish(/*now_ns=*/5 * kSecond);  // all idle: dropped
  EXPECT_TRUE(Totals(table).empty());
  CountFrame(table, StreamFrame(others[2]));
  CountFrame(table, StreamFrame(others[0]));
  CountFrame(table, StreamFrame(1024));  // others[2] moves to the table: there is room
  table.Publish(/*now_ns=*/6 * kSecond);
  EXPECT_EQ(table.lost_frames(), 0u);
  EXPECT_EQ(Totals(table).size(), 3u);
}

// Runs of one stream, streams that take its way in between, and a publication that empties
// the set: every frame counts to its own session, never into a way another one holds.
TEST(SessionTableTest, RunsOfAStreamCountToTheirOwnSession) {
  SessionTable table;
  table.set_idle_ns(3 * kSecond);
  const std::vector<uint16_t> others = PortsSharingSet(1024, 2);
  CountFrame(table, StreamFrame(1024));       // way 0
  CountFrame(table, StreamFrame(others[0]));  // way 1
  CountFrame(table, StreamFrame(others[1]));  // takes 1024's way
  CountFrame(table, StreamFrame(1024));       // and 1024 takes it back
  CountFrame(table, StreamFrame(1024));
  CountFrame(table, StreamFrame(1024));
  CountFrame(table, FrameBuilder().Ports(1024, RF_DEFAULT_PORT).Ito().FrameSize(200).Build());
  table.Publish(/*now_ns=*/1 * kSecond);
  auto totals = Totals(table);
  ASSERT_EQ(totals.size(), 3u);
  for (const auto& [key, counts] : totals) {
    EXPECT_EQ(counts.frames, ntohs(key.src_port) == 1024 ? 5u : 1u);
  }
  table.Publish(/*now_ns=*/5 * kSecond);  // all idle: their ways emptied
  EXPECT_TRUE(Totals(table).empty());
  CountFrame(table, StreamFrame(1024));  // the last frame's stream, in an emptied way
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
