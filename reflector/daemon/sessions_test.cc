// Sessions as the API and the summary show them.
#include "reflector/daemon/sessions.h"

#include <arpa/inet.h>

#include "gtest/gtest.h"

namespace reflector::daemon {
namespace {

engine::Session Ipv4Session(uint64_t frames, uint16_t vlan, uint8_t rule) {
  engine::Session session;
  const uint8_t mac[6] = {0x00, 0xc0, 0x17, 0x54, 0x05, 0x98};
  std::copy(mac, mac + 6, session.key.src_mac);
  session.key.vlan = vlan;
  session.key.ip_version = 4;
  const uint8_t src[4] = {198, 18, 0, 1};
  const uint8_t dst[4] = {198, 18, 0, 2};
  std::copy(src, src + 4, session.key.src_ip);
  std::copy(dst, dst + 4, session.key.dst_ip);
  session.key.src_port = htons(49152);
  session.key.dst_port = htons(3842);
  session.key.rule = rule;
  session.frames = frames;
  session.bytes = frames * 64;
  session.first_seen = absl::FromUnixSeconds(1'800'000'000);
  session.last_seen = session.first_seen + absl::Seconds(90);
  return session;
}

std::vector<packet::Rule> Rules() {
  packet::Rule rule;
  rule.name = "ito";
  return {rule};
}

TEST(SessionsTest, DocumentNamesEveryField) {
  const nlohmann::json doc =
      SessionsDocument({Ipv4Session(10, 100, 0)}, Rules(), absl::Seconds(60), true);
  EXPECT_EQ(doc["counted"], true);
  EXPECT_EQ(doc["idle_s"], 60);
  ASSERT_EQ(doc["sessions"].size(), 1u);
  const nlohmann::json& s = doc["sessions"][0];
  EXPECT_EQ(s["src_mac"], "00:c0:17:54:05:98");
  EXPECT_EQ(s["vlan"], 100);
  EXPECT_EQ(s["src_ip"], "198.18.0.1");
  EXPECT_EQ(s["dst_ip"], "198.18.0.2");
  EXPECT_EQ(s["src_port"], 49152);
  EXPECT_EQ(s["dst_port"], 3842);
  EXPECT_EQ(s["rule"], "ito");
  EXPECT_EQ(s["frames"], 10);
  EXPECT_EQ(s["bytes"], 640);
  EXPECT_EQ(s["first_seen"], "2027-01-15T08:00:00.000Z");
  EXPECT_EQ(s["last_seen"], "2027-01-15T08:01:30.000Z");
}

TEST(SessionsTest, DocumentSaysWhenSessionsAreNotCounted) {
  const nlohmann::json doc = SessionsDocument({}, Rules(), absl::Seconds(60), false);
  EXPECT_EQ(doc["counted"], false);
  EXPECT_TRUE(doc["sessions"].empty());
}

TEST(SessionsTest, Ipv6AndAReloadedRuleTable) {
  engine::Session session = Ipv4Session(1, 0, 7);
  session.key.ip_version = 6;
  const uint8_t src[16] = {0x20, 0x01, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  std::copy(src, src + 16, session.key.src_ip);
  const SessionText text = DescribeSession(session.key, Rules());
  EXPECT_EQ(text.src_ip, "2001:2::1");
  EXPECT_EQ(text.rule, "#7");
}

TEST(SessionsTest, SummaryShowsTheTopOnes) {
  EXPECT_EQ(FormatTopSessions({}, Rules(), 5), "");
  EXPECT_EQ(FormatTopSessions({Ipv4Session(10, 0, 0), Ipv4Session(5, 100, 0)}, Rules(), 1),
            "sessions: 2\n"
            "  00:c0:17:54:05:98 198.18.0.1:49152 -> 198.18.0.2:3842 rule ito: 10 frames, "
            "640 bytes, 1m30s\n"
            "  and 1 more\n");
}

}  // namespace
}  // namespace reflector::daemon
