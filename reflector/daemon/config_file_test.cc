#include "reflector/daemon/config_file.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace reflector::daemon {
namespace {

// A path in the test's own temporary folder.
std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return absl::StrCat(dir != nullptr ? dir : "/tmp", "/", name);
}

TEST(ParseConfigText, ReadsEveryShape) {
  auto settings = ParseConfigText(R"(
# reflector settings
interface = "eth1"
port = 3842
vlan = false
oui = ["00:c0:17", "00:19:b3"]
cpus = [0, 1]
stats_interval = "2s"
)",
                                  "test.toml");
  ASSERT_TRUE(settings.ok()) << settings.status();
  EXPECT_TRUE(settings->rules.empty());
  EXPECT_EQ(settings->settings, (Settings{{"interface", "eth1"},
                                 {"port", "3842"},
                                 {"vlan", "false"},
                                 {"oui", "00:c0:17,00:19:b3"},
                                 {"cpus", "0,1"},
                                 {"stats_interval", "2s"}}));
  auto options = ParseOptions(settings->settings, settings->rules);
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->filter.ouis.size(), 2u);
}

TEST(ParseConfigText, ErrorsCarryFileLineAndColumn) {
  auto syntax = ParseConfigText("port = 3842\nmode = \n", "r.toml");
  ASSERT_FALSE(syntax.ok());
  EXPECT_NE(syntax.status().message().find("r.toml:2:"), std::string::npos) << syntax.status();

  auto unknown = ParseConfigText("port = 1\nprot = 2\n", "r.toml");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("r.toml:2:1: unknown setting \"prot\""),
            std::string::npos)
      << unknown.status();

  auto table = ParseConfigText("[port]\nx = 1\n", "r.toml");
  EXPECT_FALSE(table.ok());
  auto nested = ParseConfigText("oui = [[1], [2]]\n", "r.toml");
  EXPECT_FALSE(nested.ok());
}

TEST(ParseConfigText, RefusesNonAsciiAnywhere) {
  // toml++ 3.3.0 hits undefined behaviour on some code points (fuzz/config_fuzzer found it).
  auto refused = ParseConfigText("port = 3842\ncpus =\xc7\x9a" "3\n", "r.toml");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().message(),
            "r.toml:2:7: only ASCII is allowed, comments included (byte 0xc7)");
  auto commented = ParseConfigText("# Reflektor im B\xc3\xbcro\nport = 3842\n", "r.toml");
  ASSERT_FALSE(commented.ok());
  EXPECT_EQ(commented.status().message(),
            "r.toml:1:17: only ASCII is allowed, comments included (byte 0xc3)");
}

TEST(ParseConfigText, RefusesNonAsciiInALineThatOnlyLooksLikeAComment) {
  // fuzz/corpus/config_fuzzer/crash-toml-non-ascii-in-multiline-string without its selector
  // byte: line 2 starts with '#' but is inside the """ string that line 1 opens.
  const std::string text(
      "interce = \"\"\"etfh\n"
      "#'''e\"e90feca = \"\\\xef\xbb\xbe o\0u\n0",
      45);
  auto refused = ParseConfigText(text, "r.toml");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().message(),
            "r.toml:2:19: only ASCII is allowed, comments included (byte 0xef)");
}

// Every byte value in a comment, where TOML accepts the most: printable ASCII and tab pass,
// everything else is refused at its line and column before toml++ sees it.
TEST(ParseConfigText, AcceptsOnlyPrintableAsciiTabAndNewlines) {
  for (int byte = 0; byte < 256; ++byte) {
    if (byte == '\n' || byte == '\r') continue;  // below
    const std::string text = "port = 3842 # " + std::string(1, static_cast<char>(byte)) + "\n";
    const bool allowed = byte == '\t' || (byte >= 0x20 && byte < 0x7f);
    auto settings = ParseConfigText(text, "r.toml");
    EXPECT_EQ(settings.ok(), allowed) << "byte " << byte << ": " << settings.status();
    if (!allowed) {
      EXPECT_EQ(settings.status().message().substr(0, 13), "r.toml:1:15: ") << settings.status();
    }
  }
  auto control = ParseConfigText(std::string("interface = \"eth\0\"\n", 19), "r.toml");
  ASSERT_FALSE(control.ok());
  EXPECT_EQ(control.status().message(),
            "r.toml:1:17: control character 0x00 is not allowed (only tab and newline are)");

  auto crlf = ParseConfigText("port = 3842\r\nvlan = true\r\n", "r.toml");
  ASSERT_TRUE(crlf.ok()) << crlf.status();
  EXPECT_EQ(crlf->settings, (Settings{{"port", "3842"}, {"vlan", "true"}}));
  auto lone_cr = ParseConfigText("port = 3842\rvlan = true\n", "r.toml");
  ASSERT_FALSE(lone_cr.ok());
  EXPECT_EQ(lone_cr.status().message(),
            "r.toml:1:12: control character 0x0d is not allowed (only tab and newline are)");
}

TEST(ParseConfigText, ReadsEveryRuleKey) {
  auto file = ParseConfigText(R"(port = 3842
[[rule]]
name = "spirent"
dst_port = "5000-5010"
src_port = 49152
dst_ip = ["198.18.0.0/15", "2001:2::/48"]
src_ip = "198.19.0.1"
vlan = 100
inner_vlan = 200
oui = "00:c0:17,00:19:b3"
payload = "RFC2544"
payload_offset = 2
mode = "mac-ip"
tos_handshake = true
rate_limit = "1Mfps"
source_rate_limit = "10kfps,100Mbit"

  [[rule]]
  name = "hex_v6"
  ip_version = 6
  untagged = true
  oui = ["00:19:b3"]
  payload_hex = "52 46 43"
  payload_mask = "ff:00:ff"
)",
                              "r.toml");
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->settings, (Settings{{"port", "3842"}}));
  ASSERT_EQ(file->rules.size(), 2u);

  const RuleEntry& spirent = file->rules[0];
  EXPECT_EQ(spirent.origin, "r.toml:2:1");
  EXPECT_FALSE(spirent.default_mode);
  packet::Rule want;
  want.name = "spirent";
  want.dst_ports = {5000, 5010};
  want.src_ports = {49152, 49152};
  want.dst_prefixes = {*packet::ParsePrefix("198.18.0.0/15"), *packet::ParsePrefix("2001:2::/48")};
  want.src_prefixes = {*packet::ParsePrefix("198.19.0.1/32")};
  want.vlan = 100;
  want.inner_vlan = 200;
  want.ouis = {{0x00, 0xc0, 0x17}, {0x00, 0x19, 0xb3}};
  want.pattern.bytes = {'R', 'F', 'C', '2', '5', '4', '4'};
  want.pattern.offset = 2;
  want.mode = packet::Mode::kMacIp;
  want.tos_handshake = true;
  want.rate_limit = {1'000'000, 0};
  want.source_rate_limit = {10'000, 100'000'000};
  EXPECT_EQ(spirent.rule, want) << packet::DescribeRule(spirent.rule);

  const RuleEntry& hex = file->rules[1];
  EXPECT_EQ(hex.origin, "r.toml:18:3");
  EXPECT_TRUE(hex.default_mode);
  EXPECT_EQ(hex.rule.ip_version, 6);
  EXPECT_TRUE(hex.rule.untagged);
  EXPECT_EQ(hex.rule.ouis, (std::vector<packet::Oui>{{0x00, 0x19, 0xb3}}));
  EXPECT_EQ(hex.rule.pattern.bytes, (std::vector<uint8_t>{0x52, 0x46, 0x43}));
  EXPECT_EQ(hex.rule.pattern.mask, (std::vector<uint8_t>{0xff, 0x00, 0xff}));
  EXPECT_FALSE(hex.rule.tos_handshake);  // the rule default, not the ito setting

  // The custom rules come first; a rule without `mode` takes the setting's.
  auto options = ParseOptions({{"mode", "mac"}}, file->rules);
  ASSERT_TRUE(options.ok()) << options.status();
  ASSERT_EQ(options->filter.rules.size(), 2u);
  EXPECT_EQ(options->filter.rules[0].mode, packet::Mode::kMacIp);
  EXPECT_EQ(options->filter.rules[1].mode, packet::Mode::kMac);
  auto compiled = packet::Compile(options->filter);
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  EXPECT_EQ(compiled->rules[0].name, "spirent");
  EXPECT_EQ(compiled->rules[1].name, "hex_v6");
  EXPECT_EQ(compiled->rules[2].name, "probeot");
}

TEST(ParseConfigText, OverlappingRulesAreFine) {
  auto file = ParseConfigText(
      "[[rule]]\nname = \"a\"\ndst_port = \"5000-5010\"\n"
      "[[rule]]\nname = \"b\"\ndst_port = \"5005-5020\"\ndst_ip = \"198.18.0.0/15\"\n",
      "r.toml");
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_TRUE(ParseOptions({}, file->rules).ok());
}

// Every bad rule is refused where it stands: "file:line:col: rule "name": reason".
TEST(ParseConfigText, BadRulesNameFileLineAndRule) {
  const struct {
    const char* rule;  // the lines after [[rule]] at line 2
    const char* error;
  } cases[] = {
      {"name = \"long\"\npayload = \"ABCDEFGHIJKLMNOPQ\"\n",
       "r.toml:2:1: rule \"long\": the payload pattern has 17 bytes, at most 16 are supported"},
      {"name = \"long\"\npayload_hex = \"000102030405060708090a0b0c0d0e0f10\"\n",
       "r.toml:2:1: rule \"long\": the payload pattern has 17 bytes, at most 16 are supported"},
      {"name = \"p\"\ndst_port = 70000\n",
       "r.toml:4:1: rule \"p\": dst_port: invalid port range \"70000\": \"70000\" is not a port "
       "from 0 to 65535"},
      {"name = \"p\"\nsrc_port = \"5010-5000\"\npayload = \"X\"\n",
       "r.toml:4:1: rule \"p\": src_port: invalid port range \"5010-5000\": the first port is "
       "above the second"},
      {"name = \"p\"\ndst_port = true\n", "r.toml:4:1: rule \"p\": dst_port: expected a port"},
      {"name = \"open\"\nmode = \"all\"\n",
       "r.toml:2:1: rule \"open\": a rule without a payload pattern needs a destination port "
       "range or destination address"},
      {"name = \"v\"\nvlan = 4096\ndst_port = 5001\n",
       "r.toml:2:1: rule \"v\": VLAN ID 4096 is out of range 0..4095"},
      {"name = \"v\"\ninner_vlan = -1\ndst_port = 5001\n",
       "r.toml:4:1: rule \"v\": inner_vlan: -1 is not a VLAN ID (0..4095)"},
      {"name = \"v\"\nvlan = 5\nuntagged = true\ndst_port = 5001\n",
       "r.toml:2:1: rule \"v\": a rule cannot match untagged frames and a VLAN ID"},
      {"name = \"o\"\npayload = \"X\"\npayload_offset = 1025\n",
       "r.toml:2:1: rule \"o\": payload offset 1025 is deeper than the supported 1024"},
      {"name = \"o\"\npayload = \"X\"\npayload_offset = 70000\n",
       "r.toml:5:1: rule \"o\": payload_offset: 70000 is not an offset in the UDP payload"},
      {"name = \"m\"\npayload = \"AB\"\npayload_mask = \"ff\"\n",
       "r.toml:2:1: rule \"m\": the payload mask has 1 bytes but the pattern has 2"},
      {"name = \"m\"\npayload_mask = \"zz\"\npayload = \"AB\"\n",
       "r.toml:4:1: rule \"m\": payload_mask: invalid hex bytes \"zz\""},
      {"name = \"both\"\npayload = \"AB\"\npayload_hex = \"4142\"\n",
       "r.toml:2:1: rule \"both\": payload and payload_hex are both given; keep one"},
      {"name = \"t\"\npayload = \"A\\u0001\"\n",
       "r.toml:4:1: rule \"t\": payload: only printable ASCII; use payload_hex for other bytes"},
      {"name = \"t\"\npayload = \"\"\n", "r.toml:4:1: rule \"t\": payload: empty"},
      {"name = \"i\"\nip_version = 5\ndst_port = 1\n",
       "r.toml:4:1: rule \"i\": ip_version: 5: expected 4 or 6"},
      {"name = \"i\"\nip_version = 4\ndst_ip = \"2001:2::/48\"\n",
       "r.toml:2:1: rule \"i\": prefix 2001:2::/48 is not IPv4 like the rule"},
      {"name = \"i\"\ndst_ip = \"198.18.0.0/33\"\n",
       "r.toml:4:1: rule \"i\": dst_ip: invalid IP prefix \"198.18.0.0/33\""},
      {"name = \"i\"\nsrc_ip = [1]\ndst_port = 1\n",
       "r.toml:4:1: rule \"i\": src_ip: expected a string or an array of strings"},
      {"name = \"u\"\nuntagged = \"yes\"\n", "r.toml:4:1: rule \"u\": untagged: expected true or false"},
      {"name = \"u\"\noui = \"00:c0\"\n", "r.toml:4:1: rule \"u\": oui: invalid OUI \"00:c0\""},
      {"name = \"md\"\nmode = \"swap\"\n", "r.toml:4:1: rule \"md\": mode: invalid mode \"swap\""},
      {"name = \"r\"\ndst_port = 1\nrate_limit = \"fast\"\n",
       "r.toml:5:1: rule \"r\": rate_limit: invalid rate cap \"fast\""},
      {"name = \"r\"\ndst_port = 1\nsource_rate_limit = 100\n",
       "r.toml:5:1: rule \"r\": source_rate_limit: expected a string"},
      {"name = \"k\"\ncolour = \"red\"\n", "r.toml:4:1: rule \"k\": colour: unknown key; a rule has name,"},
      {"name = \"Spirent!\"\ndst_port = 1\n",
       "r.toml:2:1: rule \"Spirent!\": a rule name is 1 to 32 characters of a-z, 0-9, '_' and '-'"},
      {"dst_port = 5001\n", "r.toml:2:1: rule #1: \"name\" is required"},
      {"name = 7\n", "r.toml:3:8: rule #1: \"name\" is required"},
  };
  for (const auto& c : cases) {
    const std::string text = absl::StrCat("port = 3842\n[[rule]]\n", c.rule);
    auto file = ParseConfigText(text, "r.toml");
    ASSERT_FALSE(file.ok()) << text;
    EXPECT_EQ(file.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(file.status().message().substr(0, std::strlen(c.error)), c.error)
        << text << "\n" << file.status().message();
  }
}

TEST(ParseConfigText, RuleMustBeTables) {
  auto scalar = ParseConfigText("rule = 1\n", "r.toml");
  ASSERT_FALSE(scalar.ok());
  EXPECT_EQ(scalar.status().message(), "r.toml:1:8: \"rule\" must be [[rule]] tables, one per rule");
  auto table = ParseConfigText("[rule]\nname = \"x\"\n", "r.toml");
  ASSERT_FALSE(table.ok());
  EXPECT_EQ(table.status().message().substr(0, 9), "r.toml:1:") << table.status();
}

// A few rules named r0, r1, ...: `count` [[rule]] tables on three lines each.
std::string ManyRules(int count) {
  std::string text;
  for (int i = 0; i < count; ++i) {
    absl::StrAppend(&text, "[[rule]]\nname = \"r", i, "\"\ndst_port = ", 5000 + i, "\n");
  }
  return text;
}

TEST(ParseConfigText, AtMostTheBoundOfRules) {
  auto full = ParseConfigText(ManyRules(RF_MAX_RULES), "r.toml");
  ASSERT_TRUE(full.ok()) << full.status();
  EXPECT_TRUE(ParseOptions({{"profile", "none"}}, full->rules).ok());
  auto over = ParseConfigText(ManyRules(RF_MAX_RULES + 1), "r.toml");
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.status().message(),
            "r.toml:97:1: rule \"r32\": more than 32 rules; at most 32 are supported, the "
            "profiles' rules included");
  // With the profiles' five the bound is reached sooner: ParseOptions says so.
  auto options = ParseOptions({}, full->rules);
  ASSERT_FALSE(options.ok());
  EXPECT_EQ(options.status().message(), "37 rules, at most 32 are supported");
}

TEST(ParseOptions, FilterErrorsAreAtTheRuleTheyName) {
  // What depends on the settings is found when the file meets them.
  auto file = ParseConfigText(
      "[[rule]]\nname = \"lo\"\ndst_port = 5001\n[[rule]]\nname = \"probeot\"\npayload = \"X\"\n",
      "r.toml");
  ASSERT_TRUE(file.ok()) << file.status();
  auto no_dst_mac = ParseOptions({{"dst_mac_filter", "false"}, {"profile", "none"}}, file->rules);
  ASSERT_FALSE(no_dst_mac.ok());
  EXPECT_TRUE(absl::StartsWith(no_dst_mac.status().message(),
                               "r.toml:1:1: rule \"lo\" has no payload pattern, so it needs the "
                               "dst MAC filter"))
      << no_dst_mac.status();
  auto twice = ParseOptions({}, file->rules);  // the ito profile has a probeot rule too
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.status().message(), "r.toml:4:1: two rules are named \"probeot\"");
  EXPECT_TRUE(ParseOptions({{"profile", "rfc2544"}}, file->rules).ok());
}

TEST(LoadOptions, FlagsGivenWinAndTheFileBringsItsRules) {
  const std::string path = TempPath("rules.toml");
  {
    std::ofstream out(path);
    out << "port = 5001\nmode = \"mac\"\nprofile = \"ito\"\n"
           "[[rule]]\nname = \"lo\"\ndst_port = 6000\n";
  }
  Settings flags = {{"port", "3842"}, {"mode", "all"}, {"profile", "ito,rfc2544,y1564"}};
  auto options = LoadOptions(flags, {"port"}, path);
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->filter.port, 3842);  // given on the command line
  EXPECT_EQ(options->filter.mode, packet::Mode::kMac);
  EXPECT_EQ(options->filter.profiles, packet::ProfileBit(packet::Profile::kIto));
  ASSERT_EQ(options->filter.rules.size(), 1u);
  EXPECT_EQ(options->filter.rules[0].mode, packet::Mode::kMac);
  auto without_file = LoadOptions(flags, {"port"}, "");
  ASSERT_TRUE(without_file.ok()) << without_file.status();
  EXPECT_TRUE(without_file->filter.rules.empty());
  EXPECT_FALSE(LoadOptions(flags, {}, TempPath("missing.toml")).ok());
}

TEST(LoadConfigFile, MissingFileSaysWhich) {
  auto settings = LoadConfigFile("/nonexistent/reflector.toml");
  ASSERT_FALSE(settings.ok());
  EXPECT_EQ(settings.status().message(),
            "cannot read config file /nonexistent/reflector.toml: No such file or directory");
}

TEST(LoadConfigFile, ReadsARegularFile) {
  const std::string path = TempPath("reflector.toml");
  {
    std::ofstream out(path);
    out << "port = 3842\n";
  }
  auto settings = LoadConfigFile(path);
  ASSERT_TRUE(settings.ok()) << settings.status();
  EXPECT_EQ(settings->settings, (Settings{{"port", "3842"}}));
}

TEST(LoadConfigFile, RefusesADirectory) {
  const std::string path = TempPath("config.d");
  ASSERT_EQ(::mkdir(path.c_str(), 0755), 0) << std::strerror(errno);
  auto settings = LoadConfigFile(path);
  ASSERT_FALSE(settings.ok());
  EXPECT_EQ(settings.status().message(),
            absl::StrCat("cannot read config file ", path, ": it is a directory"));
}

TEST(LoadConfigFile, RefusesWhatIsNotAFile) {
  // A FIFO: opening it must not wait for a writer, and it is refused like a device.
  const std::string fifo = TempPath("config.fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0) << std::strerror(errno);
  for (const std::string& path : {fifo, std::string("/dev/null")}) {
    auto settings = LoadConfigFile(path);
    ASSERT_FALSE(settings.ok()) << path;
    EXPECT_EQ(settings.status().message(),
              absl::StrCat("cannot read config file ", path, ": not a regular file"));
  }
}

TEST(LoadConfigFile, ReadErrorSaysWhy) {
  // A regular file whose read fails for root too: address 0 of this process is not mapped.
  auto settings = LoadConfigFile("/proc/self/mem");
  ASSERT_FALSE(settings.ok());
  EXPECT_EQ(settings.status().message(),
            "cannot read config file /proc/self/mem: Input/output error");
}

}  // namespace
}  // namespace reflector::daemon
