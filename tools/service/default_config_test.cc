#include "tools/service/default_config.h"

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "reflector/daemon/config_file.h"
#include "reflector/daemon/options.h"

namespace reflector::service {
namespace {

TEST(DefaultConfig, TheDaemonReadsItAsIsAndItChangesNothing) {
  absl::StatusOr<daemon::ConfigFile> config = daemon::ParseConfigText(DefaultConfigToml(), "d");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_TRUE(config->settings.empty());
  EXPECT_TRUE(config->rules.empty());
}

// Uncommenting every setting line gives every setting but interface, at its default.
TEST(DefaultConfig, EverySettingLineIsAValidSettingAtItsDefault) {
  std::vector<std::string> lines;
  for (absl::string_view line : absl::StrSplit(DefaultConfigToml(), '\n')) {
    bool setting = false;
    for (const daemon::SettingSpec& spec : daemon::AllSettings()) {
      setting = setting || absl::StartsWith(line, absl::StrCat("# ", spec.name, " = "));
    }
    lines.emplace_back(setting ? line.substr(2) : line);
  }
  absl::StatusOr<daemon::ConfigFile> config =
      daemon::ParseConfigText(absl::StrJoin(lines, "\n"), "uncommented");
  ASSERT_TRUE(config.ok()) << config.status();
  for (const daemon::SettingSpec& spec : daemon::AllSettings()) {
    if (spec.name == "interface") {
      EXPECT_EQ(config->settings.count("interface"), 0u);
      continue;
    }
    ASSERT_EQ(config->settings.count(std::string(spec.name)), 1u) << spec.name;
    EXPECT_EQ(config->settings.at(std::string(spec.name)), spec.default_text) << spec.name;
  }
}

TEST(DefaultConfig, CommentLinesFitEightyColumns) {
  for (absl::string_view line : absl::StrSplit(DefaultConfigToml(), '\n')) {
    EXPECT_LE(line.size(), 80u) << line;
  }
}

}  // namespace
}  // namespace reflector::service
