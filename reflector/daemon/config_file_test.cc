#include "reflector/daemon/config_file.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

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
  EXPECT_EQ(*crlf, (Settings{{"port", "3842"}, {"vlan", "true"}}));
  auto lone_cr = ParseConfigText("port = 3842\rvlan = true\n", "r.toml");
  ASSERT_FALSE(lone_cr.ok());
  EXPECT_EQ(lone_cr.status().message(),
            "r.toml:1:12: control character 0x0d is not allowed (only tab and newline are)");
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
  EXPECT_EQ(*settings, (Settings{{"port", "3842"}}));
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
