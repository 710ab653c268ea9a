#include "reflector/ctl/format.h"

#include "gtest/gtest.h"

namespace reflector::ctl {
namespace {

using nlohmann::json;

TEST(FormatStatsTest, RatesTotalsAndTopRejects) {
  const json stats = json::parse(R"j({"rx_fps": 1000.4, "rx_mbps": 0.5, "reflected_fps": 900,
      "reflected_mbps": 0.45, "rx_frames": 12000, "reflected_frames": 11000,
      "rejected_frames": 1000, "rejected": {"port": 600, "oui": 300, "dst_mac": 0, "vlan": 50,
      "signature": 50}})j");
  EXPECT_EQ(FormatStats(stats),
            "rx 1000 fps 0.50 Mbps | reflected 900 fps 0.45 Mbps | totals: rx 12000, reflected "
            "11000, rejected 1000 (port 600, oui 300, signature 50)");
}

TEST(FormatStatsTest, MonitorSaysWouldReflectAndOddInputDoesNotCrash) {
  EXPECT_EQ(FormatStats(json::parse(R"j({"monitor": true})j")),
            "rx 0 fps 0.00 Mbps | would reflect 0 fps 0.00 Mbps | totals: rx 0, would reflect 0, "
            "rejected 0");
  EXPECT_EQ(FormatStats(json::parse(R"j({"monitor": "yes", "rx_frames": "many", "rejected": 3})j")),
            "rx 0 fps 0.00 Mbps | reflected 0 fps 0.00 Mbps | totals: rx 0, reflected 0, "
            "rejected 0");
  FormatStatus(json::parse("[1]"));
  FormatConfig(json::parse("{\"settings\": 3}"));
}

TEST(FormatStatusTest, ReadsLikeTheBanner) {
  const json status = json::parse(R"j({"version": "0.1.0", "interface": "eth0",
      "mac": "02:00:00:00:00:01", "uptime_s": 3725.5, "datapath": "xdp (native)",
      "fallbacks": [], "queues": "1 queue", "monitor": false, "mode": "all",
      "profiles": "ito", "rules": [{"name": "probeot", "description": "probeot: port 3842"},
      {"name": "dataot", "description": "dataot: port 3842"}]})j");
  EXPECT_EQ(FormatStatus(status),
            "reflectord 0.1.0 on eth0 (02:00:00:00:00:01), up 1h2m5s\n"
            "  data path  xdp (native)\n"
            "  queues     1 queue\n"
            "  mode       all\n"
            "  profiles   ito\n"
            "  rules      probeot: port 3842\n"
            "             dataot: port 3842\n");
}

TEST(FormatConfigTest, MarksRestartOnlySettings) {
  const json config = json::parse(R"j({"settings": {"interface": "eth0", "port": "3842"},
      "restart_only": ["interface"], "custom_rules": ["spirent"]})j");
  EXPECT_EQ(FormatConfig(config),
            "interface            = eth0   (restart only)\n"
            "port                 = 3842\n"
            "custom rules (config file): spirent\n");
}

TEST(FormatTopTest, OneScreenOfRatesTotalsRejectsAndRules) {
  const json status = json::parse(R"j({"version": "0.1.0", "interface": "eth0",
      "mac": "02:00:00:00:00:01", "uptime_s": 61, "datapath": "xdp (native)"})j");
  const json stats = json::parse(R"j({"rx_fps": 1500, "rx_mbps": 1.5, "reflected_fps": 1400,
      "reflected_mbps": 1.4, "rx_frames": 9000, "reflected_frames": 8000, "rejected_frames": 1000,
      "rejected": {"port": 1000, "oui": 0}, "reflected_by_rule": {"probeot": 8000}})j");
  EXPECT_EQ(FormatTop(status, stats),
            "reflectord 0.1.0 on eth0 (02:00:00:00:00:01), xdp (native), up 1m1s   (Ctrl-C quits)\n"
            "\n"
            "                       frames/s       Mbit/s            total\n"
            "received                   1500         1.50             9000\n"
            "reflected                  1400         1.40             8000\n"
            "rejected                                                 1000\n"
            "passed to host                                              0\n"
            "tx dropped                                                  0\n"
            "rx dropped                                                  0\n"
            "\n"
            "rejects by reason\n"
            "  port                       1000\n"
            "\n"
            "reflected by rule\n"
            "  probeot                    8000\n");
}

TEST(FormatSessionsTest, OneRowPerSessionMostFramesFirst) {
  const json sessions = json::parse(R"j({"idle_s": 60, "sessions": [
      {"src_mac": "00:c0:17:54:05:98", "vlan": 100, "src_ip": "198.18.0.1", "src_port": 40001,
       "dst_ip": "198.18.0.2", "dst_port": 3842, "rule": "probeot", "frames": 7, "bytes": 434,
       "first_seen": "2026-12-01T08:21:07.904Z", "last_seen": "2026-12-01T08:21:09.404Z"},
      {"src_mac": "00:c0:17:54:05:98", "vlan": 0, "src_ip": "2001:2::1", "src_port": 40002,
       "dst_ip": "2001:2::2", "dst_port": 3842, "rule": "probeot", "frames": 5, "bytes": 310,
       "first_seen": "2026-12-01T08:21:07.904Z", "last_seen": "2026-12-01T08:21:07.904Z"}]})j");
  EXPECT_EQ(FormatSessions(sessions, 1),
            "sessions: 2 (a session ends after 60 s without a frame)\n"
            "source MAC        vlan source                destination           rule         "
            "frames        bytes\n"
            "00:c0:17:54:05:98  100 198.18.0.1:40001      198.18.0.2:3842       probeot           "
            "7          434\n"
            "  and 1 more\n");
  EXPECT_EQ(FormatSessions(json::parse(R"j({"idle_s": 60, "sessions": []})j")),
            "sessions: 0 (a session ends after 60 s without a frame)\n");
  EXPECT_EQ(FormatSessions(json::parse("[]")), "sessions: ?\n");
  EXPECT_EQ(FormatSessions(json::parse(R"j({"counted": false, "idle_s": 60, "sessions": []})j")),
            "sessions: not counted (reflectord runs with --sessions=false)\n");
  const std::string top = FormatTop(json::object(), json::object(), sessions);
  EXPECT_NE(top.find("2001:2::1:40002"), std::string::npos) << top;
}

}  // namespace
}  // namespace reflector::ctl
