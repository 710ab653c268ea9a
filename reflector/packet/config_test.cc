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

TEST(ToWire, FillsEveryField) {
  FilterConfig config;
  config.interface_mac = {2, 0, 0, 0, 0, 9};
  config.ouis = {{1, 2, 3}, {4, 5, 6}};
  config.port = 0;
  config.signatures = RF_SIGS_ITO;
  config.vlan = false;
  config.mode = Mode::kMac;
  auto wire = ToWire(config);
  ASSERT_TRUE(wire.ok());
  EXPECT_EQ(wire->if_mac[5], 9);
  EXPECT_EQ(wire->oui_count, 2);
  EXPECT_EQ(wire->ouis[1][2], 6);
  EXPECT_EQ(wire->port, 0);
  EXPECT_EQ(wire->signatures, RF_SIGS_ITO);
  EXPECT_EQ(wire->flags, RF_CFG_DST_MAC_FILTER | RF_CFG_IPV6);
  EXPECT_EQ(wire->mode, RF_MODE_MAC);
}

TEST(ToWire, RefusesWhatCannotBeRepresented) {
  FilterConfig config;
  config.ouis.assign(RF_MAX_OUIS + 1, kNetAllyOui);
  EXPECT_FALSE(ToWire(config).ok());
  config.ouis.clear();
  config.signatures = 0;
  EXPECT_FALSE(ToWire(config).ok());
}

}  // namespace
}  // namespace reflector::packet
