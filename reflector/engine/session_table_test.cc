// The worker's session table: keys as the frames carry them, counts per session through its
// cache and the table behind it, and the bound.
#include "reflector/engine/session_table.h"

#include <arpa/inet.h>

#include <vector>

#include "gtest/gtest.h"
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

}  // namespace
}  // namespace reflector::engine
