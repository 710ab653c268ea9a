#include "reflector/packet/config.h"

#include "gtest/gtest.h"

namespace reflector::packet {
namespace {

TEST(ParseMac, AcceptsColonHex) {
  auto mac = ParseMac("02:00:5E:10:00:aB");
  ASSERT_TRUE(mac.ok()) << mac.status();
  EXPECT_EQ(FormatMac(*mac), "02:00:5e:10:00:ab");
}

TEST(ParseMac, RejectsMalformedInputNamingTheBadToken) {
  for (const char* bad : {"", "02:00:5e:10:00", "02:00:5e:10:00:02:03", "0g:00:5e:10:00:02",
                          "2:00:5e:10:00:02", "02-00-5e-10-00-02", "02:00:5e:10:00:002"}) {
    auto mac = ParseMac(bad);
    EXPECT_EQ(mac.status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_NE(ParseMac("02:00:zz:10:00:02").status().message().find("\"zz\""), std::string::npos);
}

TEST(ParseOuiList, AcceptsListsAndAny) {
  auto ouis = ParseOuiList("00:c0:17, 00:19:B3");
  ASSERT_TRUE(ouis.ok()) << ouis.status();
  EXPECT_EQ(FormatOuiList(*ouis), "00:c0:17,00:19:b3");
  EXPECT_TRUE(ParseOuiList("")->empty());
  EXPECT_TRUE(ParseOuiList("any")->empty());
  EXPECT_EQ(FormatOuiList({}), "any");
}

TEST(ParseOuiList, RejectsMalformedAndTooMany) {
  for (const char* bad : {"00:c0", "00:c0:17:01", "00:c0:17,", "00:c0:1x", ",00:c0:17"}) {
    EXPECT_FALSE(ParseOuiList(bad).ok()) << bad;
  }
  EXPECT_NE(ParseOuiList("00:c0:17,00:c0:1x").status().message().find("\"1x\""),
            std::string::npos);
  std::string many = "00:00:01";
  for (int i = 2; i <= RF_MAX_OUIS + 1; ++i) many += ",00:00:0" + std::string(1, 'a' + i % 6);
  EXPECT_FALSE(ParseOuiList(many).ok());
}

TEST(ParsePort, Range) {
  EXPECT_EQ(*ParsePort("0"), 0);
  EXPECT_EQ(*ParsePort("3842"), 3842);
  EXPECT_EQ(*ParsePort("65535"), 65535);
  for (const char* bad : {"", "-1", "65536", "99999999999", "38a", "0x10", " "}) {
    auto port = ParsePort(bad);
    EXPECT_FALSE(port.ok()) << bad;
    if (!port.ok()) {
      EXPECT_NE(port.status().message().find("0 to 65535"), std::string::npos);
    }
  }
}

TEST(ParseSignatures, GroupsAndSingles) {
  EXPECT_EQ(*ParseSignatures("ito,rfc2544,y1564"), RF_SIGS_ALL);
  EXPECT_EQ(*ParseSignatures("all"), RF_SIGS_ALL);
  EXPECT_EQ(*ParseSignatures("ito"), RF_SIGS_ITO);
  EXPECT_EQ(*ParseSignatures("LATENCY, rfc2544"),
            RF_SIG_BIT(RF_SIG_LATENCY) | RF_SIG_BIT(RF_SIG_RFC2544));
  EXPECT_EQ(FormatSignatures(RF_SIGS_ITO), "probeot,dataot,latency");
  for (const char* bad : {"", "ito,", "twamp", "ito;rfc2544"}) {
    EXPECT_FALSE(ParseSignatures(bad).ok()) << bad;
  }
  EXPECT_NE(ParseSignatures("ito,twamp").status().message().find("\"twamp\""),
            std::string::npos);
}

TEST(ParseMode, Names) {
  EXPECT_EQ(*ParseMode("all"), Mode::kAll);
  EXPECT_EQ(*ParseMode("mac-ip"), Mode::kMacIp);
  EXPECT_EQ(*ParseMode("mac"), Mode::kMac);
  EXPECT_FALSE(ParseMode("ALL").ok());
  EXPECT_FALSE(ParseMode("ip").ok());
  EXPECT_NE(ParseMode("swap").status().message().find("\"swap\""), std::string::npos);
}

TEST(Compile, TheDefaultProfilesAreTheFiveSignatureRules) {
  FilterConfig config;
  config.interface_mac = {2, 0, 0, 0, 0, 9};
  auto compiled = Compile(config);
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  std::vector<std::string> names;
  for (const Rule& rule : compiled->rules) names.push_back(rule.name);
  EXPECT_EQ(names, (std::vector<std::string>{"probeot", "dataot", "latency", "rfc2544", "y1564"}));
  const rf_config& wire = compiled->wire;
  EXPECT_EQ(wire.if_mac[5], 9);
  EXPECT_EQ(wire.rule_count, 5);
  EXPECT_EQ(wire.flags, RF_CFG_DST_MAC_FILTER | RF_CFG_VLAN | RF_CFG_IPV6 | RF_CFG_USES_OUIS);
  // ITO rules: NetAlly OUI, port 3842, signature at payload offset 5, ToS handshake.
  EXPECT_EQ(wire.oui_count, 1);
  const uint8_t netally_mac[6] = {0x00, 0xc0, 0x17, 1, 2, 3};
  EXPECT_EQ(wire.ouis[0], rf_oui_key(netally_mac));
  const rf_rule& probeot = wire.rules[0];
  EXPECT_EQ(probeot.ouis, 1u);
  EXPECT_EQ(probeot.dst_port_min, 3842);
  EXPECT_EQ(probeot.dst_port_span, 0);
  EXPECT_EQ(probeot.src_port_min, 0);
  EXPECT_EQ(probeot.src_port_span, 65535);
  EXPECT_EQ(probeot.dst_prefixes, RF_ANY_PREFIX);
  EXPECT_EQ(probeot.vlan_mask, 0u);
  EXPECT_EQ(probeot.ip_versions, RF_IP_VERSIONS_ANY);
  EXPECT_EQ(probeot.pattern_end, RF_ITO_SIG_OFFSET + RF_SIG_LEN);
  EXPECT_EQ(probeot.pattern_len, RF_SIG_LEN);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(probeot.pattern) + 9, 7), "PROBEOT");
  EXPECT_EQ(probeot.mask[9], 0xff);
  EXPECT_EQ(probeot.mask[8], 0);
  EXPECT_EQ(probeot.pattern[8], 0);
  EXPECT_EQ(probeot.actions, RF_ACTION_TOS_HANDSHAKE);
  // Custom signatures: any OUI, offset 0, no handshake.
  const rf_rule& rfc2544 = wire.rules[3];
  EXPECT_EQ(rfc2544.ouis, RF_ANY_OUI);
  EXPECT_EQ(rfc2544.pattern_end, RF_SIG_LEN);
  EXPECT_EQ(rfc2544.actions, 0);
  EXPECT_EQ(rfc2544.dst_port_min, 3842);
}

TEST(Compile, TodaysFlagsAdjustTheProfiles) {
  FilterConfig config;
  config.ouis = {{1, 2, 3}, {4, 5, 6}};
  config.port = 0;
  config.signatures = RF_SIGS_ITO;
  config.vlan = false;
  config.mode = Mode::kMac;
  config.tos_handshake = false;
  auto wire = ToWire(config);
  ASSERT_TRUE(wire.ok()) << wire.status();
  EXPECT_EQ(wire->rule_count, 3);
  EXPECT_EQ(wire->oui_count, 2);
  const uint8_t mac[6] = {4, 5, 6, 7, 8, 9};
  EXPECT_EQ(wire->ouis[1], rf_oui_key(mac));
  EXPECT_EQ(wire->rules[2].ouis, 3u);
  EXPECT_EQ(wire->rules[2].dst_port_min, 0);
  EXPECT_EQ(wire->rules[2].dst_port_span, 65535);
  EXPECT_EQ(wire->rules[2].mode, RF_MODE_MAC);
  EXPECT_EQ(wire->rules[2].actions, 0);
  EXPECT_EQ(wire->flags & RF_CFG_VLAN, 0);
}

TEST(Compile, SharesOuisAndPrefixesBetweenRules) {
  FilterConfig config;
  config.profiles = 0;
  Rule a;
  a.name = "a";
  a.dst_ports = {5001, 5001};
  a.ouis = {{0, 1, 2}};
  a.dst_prefixes = {*ParsePrefix("192.0.2.0/24"), *ParsePrefix("2001:db8::/32")};
  Rule b = a;
  b.name = "b";
  b.ouis = {{0, 1, 2}, {0, 1, 3}};
  b.src_prefixes = {*ParsePrefix("192.0.2.0/24")};
  config.rules = {a, b};
  auto wire = ToWire(config);
  ASSERT_TRUE(wire.ok()) << wire.status();
  EXPECT_EQ(wire->oui_count, 2);
  EXPECT_EQ(wire->prefix_count, 2);
  EXPECT_EQ(wire->rules[0].ouis, 1u);
  EXPECT_EQ(wire->rules[1].ouis, 3u);
  EXPECT_EQ(wire->rules[1].dst_prefixes, 3u);
  EXPECT_EQ(wire->rules[1].src_prefixes, 1u);
  EXPECT_EQ(wire->rules[1].vlan_mask, 0u);
  EXPECT_EQ(wire->prefixes[0].mask[2], 0xff);
  EXPECT_EQ(wire->prefixes[0].mask[3], 0);
  EXPECT_EQ(wire->prefixes[1].version, 6);
  EXPECT_EQ(wire->flags & RF_CFG_USES_PREFIXES, RF_CFG_USES_PREFIXES);
}

TEST(Compile, RefusesWhatCannotBeRepresented) {
  const auto message = [](const FilterConfig& config) {
    auto wire = ToWire(config);
    return wire.ok() ? std::string("ok") : std::string(wire.status().message());
  };
  FilterConfig config;
  config.ouis.assign(RF_MAX_OUIS + 1, kNetAllyOui);
  EXPECT_NE(message(config), "ok");
  config.ouis.clear();
  config.signatures = 0;
  EXPECT_NE(message(config).find("no rule"), std::string::npos) << message(config);

  FilterConfig loopback;
  loopback.profiles = ProfileBit(Profile::kLoopback);
  EXPECT_NE(message(loopback).find("loopback_ports or loopback_addresses"), std::string::npos)
      << message(loopback);
  loopback.loopback_ports = PortRange{5001, 5001};
  EXPECT_EQ(message(loopback), "ok");
  loopback.dst_mac_filter = false;
  EXPECT_NE(message(loopback).find("dst MAC filter"), std::string::npos) << message(loopback);

  FilterConfig many;
  many.profiles = 0;
  for (int i = 0; i <= RF_MAX_RULES; ++i) {
    Rule rule;
    rule.name = "r" + std::to_string(i);
    rule.dst_ports = {static_cast<uint16_t>(5000 + i), static_cast<uint16_t>(5000 + i)};
    many.rules.push_back(rule);
  }
  EXPECT_NE(message(many).find("at most 32"), std::string::npos) << message(many);
  many.rules.pop_back();
  EXPECT_EQ(message(many), "ok");
  many.rules[1].name = "r0";
  EXPECT_NE(message(many).find("two rules are named \"r0\""), std::string::npos);
}

TEST(ValidateRule, NamesTheProblem) {
  const auto message = [](const Rule& rule) {
    const absl::Status status = ValidateRule(rule);
    return status.ok() ? std::string("ok") : std::string(status.message());
  };
  Rule rule;
  rule.name = "t";
  rule.pattern.bytes.assign(16, 'x');
  EXPECT_EQ(message(rule), "ok");
  rule.pattern.bytes.assign(17, 'x');
  EXPECT_NE(message(rule).find("17 bytes, at most 16"), std::string::npos) << message(rule);
  rule.pattern.bytes.assign(4, 'x');
  rule.pattern.mask.assign(3, 0xff);
  EXPECT_NE(message(rule).find("mask has 3 bytes"), std::string::npos) << message(rule);
  rule.pattern.mask.clear();
  rule.pattern.offset = RF_MAX_PATTERN_OFFSET + 1;
  EXPECT_NE(message(rule).find("deeper"), std::string::npos) << message(rule);
  rule.pattern.offset = 0;
  rule.vlan = 4096;
  EXPECT_NE(message(rule).find("4096"), std::string::npos) << message(rule);
  rule.vlan = 100;
  rule.untagged = true;
  EXPECT_NE(message(rule).find("untagged"), std::string::npos) << message(rule);
  rule.untagged = false;
  rule.ip_version = 4;
  rule.dst_prefixes = {*ParsePrefix("2001:db8::1")};
  EXPECT_NE(message(rule).find("not IPv4"), std::string::npos) << message(rule);
  rule.dst_prefixes.clear();
  rule.pattern.bytes.clear();
  EXPECT_NE(message(rule).find("destination port range or destination address"),
            std::string::npos)
      << message(rule);
  rule.dst_ports = {7000, 7010};
  EXPECT_EQ(message(rule), "ok");
  rule.name = "Bad Name";
  EXPECT_NE(message(rule).find("a-z"), std::string::npos) << message(rule);
}

TEST(ParsePortRange, PortsRangesAndAny) {
  EXPECT_EQ(*ParsePortRange("5001"), (PortRange{5001, 5001}));
  EXPECT_EQ(*ParsePortRange(" 5000-5010 "), (PortRange{5000, 5010}));
  EXPECT_TRUE(ParsePortRange("any")->any());
  for (const char* bad : {"", "-", "5010-5000", "1-2-3", "65536", "a-b", "5000-"}) {
    EXPECT_FALSE(ParsePortRange(bad).ok()) << bad;
  }
}

TEST(ParsePrefix, AddressesAndPrefixes) {
  EXPECT_EQ(FormatPrefix(*ParsePrefix("192.0.2.10")), "192.0.2.10/32");
  EXPECT_EQ(FormatPrefix(*ParsePrefix("192.0.2.77/24")), "192.0.2.0/24");
  EXPECT_EQ(FormatPrefix(*ParsePrefix("2001:db8::1/32")), "2001:db8::/32");
  EXPECT_EQ(ParsePrefix("0.0.0.0/0")->length, 0);
  for (const char* bad : {"", "192.0.2", "192.0.2.1/33", "2001:db8::/129", "host", "1.2.3.4/",
                          "1.2.3.4/-1"}) {
    EXPECT_FALSE(ParsePrefix(bad).ok()) << bad;
  }
  EXPECT_EQ(ParsePrefixList("192.0.2.1, 2001:db8::1")->size(), 2u);
  EXPECT_TRUE(ParsePrefixList("")->empty());
}

TEST(ParseHexBytes, SeparatorsOrNone) {
  EXPECT_EQ(*ParseHexBytes("52:46:43"), (std::vector<uint8_t>{0x52, 0x46, 0x43}));
  EXPECT_EQ(*ParseHexBytes("52 46 43"), (std::vector<uint8_t>{0x52, 0x46, 0x43}));
  EXPECT_EQ(*ParseHexBytes("ff00"), (std::vector<uint8_t>{0xff, 0x00}));
  for (const char* bad : {"", "5", "52:4", "zz"}) EXPECT_FALSE(ParseHexBytes(bad).ok()) << bad;
}

TEST(ParseProfiles, ListsAndNone) {
  EXPECT_EQ(*ParseProfiles("ito,rfc2544,y1564"), kDefaultProfiles);
  EXPECT_EQ(*ParseProfiles("none"), 0);
  EXPECT_EQ(FormatProfiles(*ParseProfiles("loopback, ito")), "ito,loopback");
  EXPECT_NE(ParseProfiles("ito,spirent").status().message().find("\"spirent\""),
            std::string::npos);
}

TEST(DescribeRule, OneLineWithEveryCondition) {
  FilterConfig config;
  config.interface_mac = {2, 0, 0, 0, 0, 9};
  auto compiled = Compile(config);
  ASSERT_TRUE(compiled.ok());
  EXPECT_EQ(DescribeRule(compiled->rules[0]),
            "probeot: port 3842, payload \"PROBEOT\" at 5, oui 00:c0:17 -> mode all, "
            "tos-handshake");
  Rule rule;
  rule.name = "spirent";
  rule.vlan = 100;
  rule.dst_prefixes = {*ParsePrefix("198.18.0.0/15")};
  rule.dst_ports = {5000, 5010};
  rule.pattern.bytes = {0xde, 0xad};
  rule.pattern.mask = {0xff, 0xf0};
  rule.mode = Mode::kMacIp;
  EXPECT_EQ(DescribeRule(rule),
            "spirent: vlan 100, dst 198.18.0.0/15, port 5000-5010, payload de:ad mask ff:f0 at "
            "0, oui any -> mode mac-ip");
}

}  // namespace
}  // namespace reflector::packet
