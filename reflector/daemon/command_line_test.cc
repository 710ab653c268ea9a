#include "reflector/daemon/command_line.h"

#include "gtest/gtest.h"

namespace reflector::daemon {
namespace {

const std::vector<FlagSpec> kFlags = {{"interface"}, {"port"}, {"vlan", true}, {"help", true}};

TEST(ScanCommandLine, RecordsTheFlagsGiven) {
  auto given =
      ScanCommandLine({"reflectord", "--interface=eth0", "-port", "7", "--novlan"}, kFlags);
  ASSERT_TRUE(given.ok()) << given.status();
  EXPECT_EQ(*given, (std::set<std::string>{"interface", "port", "vlan"}));
}

TEST(ScanCommandLine, StopsAtDoubleDash) {
  auto given = ScanCommandLine({"reflectord", "--", "--bogus"}, kFlags);
  ASSERT_TRUE(given.ok());
  EXPECT_TRUE(given->empty());
}

TEST(ScanCommandLine, ErrorsNameTheArgument) {
  auto unknown = ScanCommandLine({"reflectord", "--interfcae=eth0"}, kFlags);
  EXPECT_EQ(unknown.status().message(),
            "unknown flag \"--interfcae=eth0\" (see --help for the flags)");
  auto bad_bool = ScanCommandLine({"reflectord", "--vlan=maybe"}, kFlags);
  EXPECT_NE(bad_bool.status().message().find("--vlan: invalid value \"maybe\""), std::string::npos);
  auto no_value = ScanCommandLine({"reflectord", "--port"}, kFlags);
  EXPECT_NE(no_value.status().message().find("needs a value"), std::string::npos);
  EXPECT_FALSE(ScanCommandLine({"reflectord", "--noport"}, kFlags).ok());
}

}  // namespace
}  // namespace reflector::daemon
