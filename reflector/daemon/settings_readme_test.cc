// The README's flag table is generated from settings.inc: this test fails, printing the table
// to paste, when a declaration changes and the README does not.
#include <fstream>
#include <sstream>
#include <string>

#include "gtest/gtest.h"
#include "reflector/daemon/options.h"

namespace reflector::daemon {
namespace {

std::string ReadReadme() {
  const char* root = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  std::ifstream in(std::string(root ? root : ".") + "/" + (workspace ? workspace : "reflector") +
                   "/README.md");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(SettingsReadme, FlagTableMatchesTheDeclarations) {
  const std::string readme = ReadReadme();
  ASSERT_FALSE(readme.empty()) << "README.md is not in the runfiles";
  const std::string table = SettingsMarkdownTable();
  EXPECT_NE(readme.find(table), std::string::npos)
      << "README.md's flag table is out of date; replace it with:\n"
      << table;
}

}  // namespace
}  // namespace reflector::daemon
