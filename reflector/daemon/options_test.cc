#include "reflector/daemon/options.h"

#include <cstring>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace reflector::daemon {
namespace {

TEST(ParseOptions, DefaultsAreTheSpecDefaults) {
  auto options = ParseOptions({});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->datapath.kind, DataPathKind::kAuto);
  EXPECT_EQ(options->filter.mode, packet::Mode::kAll);
  EXPECT_EQ(options->filter.port, 3842);
  EXPECT_EQ(packet::FormatOuiList(options->filter.ouis), "00:c0:17");
  EXPECT_TRUE(options->filter.dst_mac_filter);
  EXPECT_EQ(options->filter.signatures, RF_SIGS_ALL);
  EXPECT_EQ(options->filter.profiles, packet::kDefaultProfiles);
  EXPECT_TRUE(options->filter.tos_handshake);
  EXPECT_FALSE(options->filter.loopback_ports.has_value());
  EXPECT_TRUE(options->filter.loopback_addresses.empty());
  EXPECT_TRUE(options->filter.rules.empty());
  EXPECT_TRUE(options->filter.vlan);
  EXPECT_TRUE(options->filter.ipv6);
  EXPECT_EQ(options->datapath.queues, 0);
  EXPECT_TRUE(options->datapath.cpus.empty());
  EXPECT_EQ(options->stats_interval, absl::Seconds(1));
  EXPECT_EQ(options->session_idle, absl::Seconds(60));
  EXPECT_FALSE(options->datapath.monitor);
  // Settings text and engine defaults agree (DataPathSettings is what tools and tests build).
  const engine::DataPathSettings library;
  EXPECT_EQ(options->datapath.busy_poll, library.busy_poll);
  EXPECT_EQ(options->datapath.busy_poll, engine::BusyPoll::kOff);
  EXPECT_EQ(options->datapath.afpacket_rx, library.afpacket_rx);
  EXPECT_EQ(options->datapath.afpacket_rx, platform::afpacket::RxRingKind::kFrames);
}

TEST(ParseOptions, HttpAddress) {
  auto options = ParseOptions({});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_TRUE(options->http.enabled);
  EXPECT_EQ(options->http.host, "127.0.0.1");
  EXPECT_EQ(options->http.port, 9842);
  options = ParseOptions({{"http", "off"}});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_FALSE(options->http.enabled);
  options = ParseOptions({{"http", "[::1]:8080"}});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->http.host, "::1");
  EXPECT_EQ(options->http.port, 8080);
  for (const char* bad : {"9842", "localhost:9842", "127.0.0.1:0", "127.0.0.1:65536", "::1:80",
                          "[::1]:x", ""}) {
    options = ParseOptions({{"http", bad}});
    ASSERT_FALSE(options.ok()) << bad;
    EXPECT_EQ(options.status().message().rfind("--http: invalid value", 0), 0u)
        << options.status();
  }
}

TEST(ParseOptions, HttpOffLoopbackNeedsATokenOrReadOnly) {
  auto options = ParseOptions({{"http", "198.18.0.1:9842"}});
  ASSERT_FALSE(options.ok());
  EXPECT_EQ(options.status().message(),
            "--http=198.18.0.1:9842 is not a loopback address: give --http_token_file (PUT and "
            "POST then need its token) or --http_read_only");
  EXPECT_TRUE(ParseOptions({{"http", "0.0.0.0:9842"}, {"http_read_only", "true"}}).ok());
  EXPECT_TRUE(ParseOptions({{"http", "[::]:9842"}, {"http_token_file", "/etc/token"}}).ok());
  EXPECT_TRUE(ParseOptions({{"http", "127.0.0.2:9842"}}).ok());
}

TEST(Settings, EveryDeclarationIsComplete) {
  ASSERT_EQ(AllSettings().size(), SettingNames().size());
  for (const SettingSpec& spec : AllSettings()) {
    EXPECT_NE(spec.parse, nullptr) << spec.name;
    EXPECT_FALSE(spec.help.empty()) << spec.name;
    EXPECT_EQ(FindSetting(spec.name), &spec);
    // Each default parses on its own.
    auto alone = ParseOptions({{std::string(spec.name), std::string(spec.default_text)}});
    EXPECT_TRUE(alone.ok()) << spec.name << ": " << alone.status();
    if (spec.is_bool) {
      EXPECT_TRUE(spec.default_text == "true" || spec.default_text == "false") << spec.name;
    }
  }
  EXPECT_EQ(FindSetting("config"), nullptr);  // a flag, not a setting a file may set
}

TEST(Settings, TheDeclaredDefaultsAreTheLibraryDefaults) {
  // The filter's defaults live in the packet library too (tools use them): they must agree.
  auto options = ParseOptions({});
  ASSERT_TRUE(options.ok()) << options.status();
  const packet::FilterConfig library;
  auto declared = packet::ToWire(options->filter);
  auto from_library = packet::ToWire(library);
  ASSERT_TRUE(declared.ok() && from_library.ok());
  EXPECT_EQ(std::memcmp(&*declared, &*from_library, sizeof(rf_config)), 0);
  EXPECT_EQ(options->text.size(), AllSettings().size());
}

TEST(Settings, OnlyRestartSettingsNeedARestart) {
  auto running = ParseOptions({{"interface", "eth0"}, {"queues", "2"}});
  auto next = ParseOptions({{"interface", "eth1"},
                            {"queues", "2"},
                            {"port", "5001"},
                            {"log_level", "debug"},
                            {"xdp_mode", "generic"}});
  ASSERT_TRUE(running.ok() && next.ok());
  EXPECT_EQ(NeedsRestart(*running, *next), (std::vector<std::string>{"interface", "xdp_mode"}));
  EXPECT_TRUE(NeedsRestart(*running, *running).empty());
  EXPECT_EQ(FindSetting("port")->reload, SettingSpec::kApply);
  EXPECT_EQ(FindSetting("datapath")->reload, SettingSpec::kRestart);
}

TEST(ParseOptions, EverySetting) {
  auto options = ParseOptions({{"interface", "veth0"},
                               {"datapath", "afpacket"},
                               {"mode", "mac-ip"},
                               {"port", "0"},
                               {"oui", "any"},
                               {"dst_mac_filter", "true"},
                               {"signatures", "rfc2544"},
                               {"profile", "rfc2544,loopback"},
                               {"tos_handshake", "false"},
                               {"loopback_ports", "5000-5010"},
                               {"loopback_addresses", "198.18.0.10, 2001:2::/64"},
                               {"vlan", "no"},
                               {"ipv6", "0"},
                               {"monitor", "true"},
                               {"queues", "4"},
                               {"cpus", "0,2-3"},
                               {"zero_copy", "off"},
                               {"busy_poll", "spin"},
                               {"afpacket_rx", "blocks"},
                               {"xdp_mode", "generic"},
                               {"stats_interval", "250ms"},
                               {"session_idle", "5m"},
                               {"stats_format", "json"},
                               {"log_level", "debug"}});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->interface, "veth0");
  EXPECT_EQ(options->datapath.kind, DataPathKind::kAfPacket);
  EXPECT_EQ(options->filter.mode, packet::Mode::kMacIp);
  EXPECT_EQ(options->filter.port, 0);
  EXPECT_TRUE(options->filter.ouis.empty());
  EXPECT_TRUE(options->filter.dst_mac_filter);  // the loopback profile needs it
  EXPECT_EQ(options->filter.signatures, RF_SIG_BIT(RF_SIG_RFC2544));
  EXPECT_EQ(options->filter.profiles, packet::ProfileBit(packet::Profile::kRfc2544) |
                                          packet::ProfileBit(packet::Profile::kLoopback));
  EXPECT_FALSE(options->filter.tos_handshake);
  EXPECT_EQ(options->filter.loopback_ports, (packet::PortRange{5000, 5010}));
  EXPECT_EQ(options->filter.loopback_addresses,
            (std::vector<packet::IpPrefix>{*packet::ParsePrefix("198.18.0.10"),
                                           *packet::ParsePrefix("2001:2::/64")}));
  EXPECT_FALSE(options->filter.vlan);
  EXPECT_FALSE(options->filter.ipv6);
  EXPECT_TRUE(options->datapath.monitor);
  EXPECT_EQ(options->datapath.queues, 4);
  EXPECT_EQ(options->datapath.cpus, (std::vector<int>{0, 2, 3}));
  EXPECT_EQ(options->datapath.zero_copy, platform::afxdp::ZeroCopyMode::kOff);
  EXPECT_EQ(options->datapath.busy_poll, engine::BusyPoll::kSpin);
  EXPECT_EQ(options->datapath.afpacket_rx, platform::afpacket::RxRingKind::kBlocks);
  EXPECT_EQ(options->datapath.xdp_mode, xdp::AttachMode::kGeneric);
  EXPECT_EQ(options->stats_interval, absl::Milliseconds(250));
  EXPECT_EQ(options->session_idle, absl::Minutes(5));
  EXPECT_EQ(options->stats_format, StatsFormat::kJson);
  EXPECT_EQ(options->log_level, LogLevel::kDebug);
}

TEST(ParseOptions, BadValuesNameTheSettingAndTheValue) {
  const struct {
    const char* name;
    const char* value;
    const char* expect;
  } cases[] = {
      {"datapath", "netmap", "--datapath: invalid value \"netmap\""},
      {"mode", "swap", "--mode: invalid mode \"swap\""},
      {"port", "70000", "--port: invalid port \"70000\""},
      {"oui", "00:c0", "--oui: invalid OUI \"00:c0\""},
      {"dst_mac_filter", "maybe", "--dst_mac_filter: invalid value \"maybe\""},
      {"signatures", "twamp", "--signatures: invalid signature \"twamp\""},
      {"profile", "spirent", "--profile: invalid profile \"spirent\""},
      {"tos_handshake", "toggle", "--tos_handshake: invalid value \"toggle\""},
      {"loopback_ports", "5010-5000", "--loopback_ports: invalid port range \"5010-5000\""},
      {"loopback_ports", "65536", "--loopback_ports: invalid port range \"65536\""},
      {"loopback_addresses", "198.18.0.0/40",
       "--loopback_addresses: invalid IP prefix \"198.18.0.0/40\""},
      {"queues", "-1", "--queues: invalid value \"-1\""},
      {"cpus", "3-1", "--cpus: invalid CPU \"3-1\""},
      {"zero_copy", "maybe", "--zero_copy: invalid value \"maybe\""},
      {"busy_poll", "always",
       "--busy_poll: invalid value \"always\": expected one of off, spin, kernel"},
      {"afpacket_rx", "v3", "--afpacket_rx: invalid value \"v3\": expected one of frames, blocks"},
      {"stats_interval", "soon", "--stats_interval: invalid value \"soon\""},
      {"stats_format", "xml", "--stats_format: invalid value \"xml\""},
      {"session_idle", "25h", "--session_idle: invalid value \"25h\""},
      {"http_cert", "/etc/cert.pem", "--http_cert and --http_key go together"},
      {"http_key", "/etc/key.pem", "--http_cert and --http_key go together"},
      {"bogus", "1", "unknown setting \"bogus\""},
  };
  for (const auto& c : cases) {
    auto options = ParseOptions({{c.name, c.value}});
    ASSERT_FALSE(options.ok()) << c.name;
    EXPECT_EQ(options.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(options.status().message().find(c.expect), std::string::npos)
        << options.status().message();
  }
}

// The filter as a whole must compile, and the settings must make sense together: the one-line
// errors reflectord exits 2 with (and that leave the running settings alone on SIGHUP).
TEST(ParseOptions, SettingsThatCannotWorkAreRefused) {
  const struct {
    Settings settings;
    const char* error;
  } cases[] = {
      {{{"profile", "loopback"}},
       "the loopback profile needs loopback_ports or loopback_addresses: without a restriction "
       "it would reflect every UDP frame to this host, its DNS replies included"},
      {{{"profile", "loopback"}, {"loopback_ports", "any"}},
       "rule \"loopback\": a rule without a payload pattern needs a destination port range"},
      {{{"profile", "loopback"}, {"loopback_ports", "5001"}, {"dst_mac_filter", "false"}},
       "rule \"loopback\" has no payload pattern, so it needs the dst MAC filter"},
      {{{"profile", "none"}}, "no rule: nothing would ever be reflected"},
      {{{"profile", "ito"}, {"signatures", "rfc2544"}}, "no rule: nothing would ever be reflected"},
      {{{"worker_priority", "100"}},
       "--worker_priority: invalid value \"100\": expected 0 (ordinary threads) or a SCHED_FIFO "
       "priority 1 to 99"},
      {{{"worker_priority", "5"}, {"busy_poll", "spin"}},
       "--worker_priority is for sleeping workers: not with --busy_poll=spin or kernel"},
      {{{"worker_priority", "5"}, {"busy_poll", "kernel"}},
       "--worker_priority is for sleeping workers: not with --busy_poll=spin or kernel"},
      {{{"datapath", "xdp"}, {"worker_priority", "5"}},
       "--worker_priority sets the workers' priority, and --datapath=xdp has none"},
      {{{"datapath", "xdp"}, {"busy_poll", "spin"}},
       "--busy_poll sets how the workers wait, and --datapath=xdp has none"},
  };
  for (const auto& c : cases) {
    auto options = ParseOptions(c.settings);
    ASSERT_FALSE(options.ok()) << c.error;
    EXPECT_EQ(options.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(options.status().message().substr(0, std::strlen(c.error)), c.error)
        << options.status().message();
    EXPECT_EQ(options.status().message().find('\n'), std::string::npos);
  }
  // Restricted either way, the loopback profile works; the address alone is enough.
  EXPECT_TRUE(ParseOptions({{"profile", "loopback"}, {"loopback_ports", "5001"}}).ok());
  EXPECT_TRUE(ParseOptions({{"profile", "loopback"}, {"loopback_addresses", "198.18.0.10"}}).ok());
  // The worker settings stand where a data path with workers may run.
  EXPECT_TRUE(ParseOptions({{"datapath", "afxdp"}, {"worker_priority", "5"}}).ok());
  EXPECT_TRUE(ParseOptions({{"datapath", "auto"}, {"worker_priority", "5"}}).ok());
  EXPECT_TRUE(ParseOptions({{"datapath", "auto"}, {"busy_poll", "spin"}}).ok());
}

TEST(ParseOptions, TheProfileSettingsShapeTheRules) {
  auto options = ParseOptions({{"profile", "ito,loopback"},
                               {"port", "0"},
                               {"oui", "00:19:b3"},
                               {"tos_handshake", "false"},
                               {"mode", "mac-ip"},
                               {"loopback_ports", "5001"},
                               {"loopback_addresses", "198.18.0.10"}});
  ASSERT_TRUE(options.ok()) << options.status();
  auto rules = packet::RuleTable(options->filter);
  ASSERT_TRUE(rules.ok()) << rules.status();
  std::vector<std::string> lines;
  for (const packet::Rule& rule : *rules) lines.push_back(packet::DescribeRule(rule));
  EXPECT_EQ(lines, (std::vector<std::string>{
                       "probeot: port any, payload \"PROBEOT\" at 5, oui 00:19:b3 -> mode mac-ip",
                       "dataot: port any, payload \"DATA:OT\" at 5, oui 00:19:b3 -> mode mac-ip",
                       "latency: port any, payload \"LATENCY\" at 5, oui 00:19:b3 -> mode mac-ip",
                       "loopback: dst 198.18.0.10/32, port 5001, any payload, oui any -> mode "
                       "mac-ip",
                   }));
}

TEST(ParseCpuList, ListsAndRanges) {
  EXPECT_EQ(*ParseCpuList("1"), std::vector<int>{1});
  EXPECT_EQ(*ParseCpuList("0-2,5"), (std::vector<int>{0, 1, 2, 5}));
  EXPECT_TRUE(ParseCpuList("")->empty());
  for (const char* bad : {"a", "1,", "-1", "2-1", "1-x", "99999"}) {
    EXPECT_FALSE(ParseCpuList(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace reflector::daemon
