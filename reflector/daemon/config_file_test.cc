#include "reflector/daemon/config_file.h"

#include "gtest/gtest.h"

namespace reflector::daemon {
namespace {

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
  EXPECT_EQ(*settings, (Settings{{"interface", "eth1"},
                                 {"port", "3842"},
                                 {"vlan", "false"},
                                 {"oui", "00:c0:17,00:19:b3"},
                                 {"cpus", "0,1"},
                                 {"stats_interval", "2s"}}));
  auto options = ParseOptions(*settings);
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

TEST(ParseConfigText, RefusesNonAsciiOutsideCommentLines) {
  // toml++ 3.3.0 hits undefined behaviour on some code points (fuzz/config_fuzzer found it).
  auto refused = ParseConfigText("port = 3842\ncpus =\xc7\x9a" "3\n", "r.toml");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().message(), "r.toml:2:7: only ASCII is allowed outside comment lines");
  auto commented = ParseConfigText("# Reflektor im B\xc3\xbcro\nport = 3842\n", "r.toml");
  EXPECT_TRUE(commented.ok()) << commented.status();
}

TEST(LoadConfigFile, MissingFileSaysWhich) {
  auto settings = LoadConfigFile("/nonexistent/reflector.toml");
  ASSERT_FALSE(settings.ok());
  EXPECT_NE(settings.status().message().find("/nonexistent/reflector.toml"), std::string::npos);
}

}  // namespace
}  // namespace reflector::daemon
