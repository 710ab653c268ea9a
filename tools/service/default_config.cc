#include "tools/service/default_config.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "reflector/daemon/options.h"

namespace reflector::service {
namespace {

// Help sentences wrapped to comment lines of at most 80 columns.
std::string Comment(absl::string_view text) {
  std::string out = "#";
  size_t line_length = 1;
  for (absl::string_view word : absl::StrSplit(text, ' ', absl::SkipEmpty())) {
    if (line_length > 1 && line_length + 1 + word.size() > 80) {
      out.append("\n#");
      line_length = 1;
    }
    absl::StrAppend(&out, " ", word);
    line_length += 1 + word.size();
  }
  return out + "\n";
}

}  // namespace

std::string DefaultConfigToml() {
  std::string text =
      "# reflectord settings for one interface: /etc/reflector/<interface>.toml, read\n"
      "# by reflectord@<interface>.service at start and on `systemctl reload` (SIGHUP).\n"
      "# Every setting is shown commented out with its default; the unit gives\n"
      "# --interface itself. Custom rules are [[rule]] tables: see reflectord.toml(5).\n";
  for (const daemon::SettingSpec& spec : daemon::AllSettings()) {
    if (spec.name == "interface") continue;
    const std::string value =
        spec.is_bool ? std::string(spec.default_text)
                     : absl::StrCat("\"", absl::StrReplaceAll(spec.default_text, {{"\"", "\\\""}}),
                                    "\"");
    absl::StrAppend(&text, "\n", Comment(absl::StrCat(
                                     spec.help, spec.reload == daemon::SettingSpec::kApply
                                                    ? " (reload applies it)"
                                                    : " (needs a restart)")),
                    "# ", spec.name, " = ", value, "\n");
  }
  return text;
}

std::string SettingsHelpList() {
  std::string text = "Flags:\n";
  for (const daemon::SettingSpec& spec : daemon::AllSettings()) {
    absl::StrAppend(&text, "  --", spec.name,
                    spec.default_text.empty() ? ""
                                              : absl::StrCat(" (default: ", spec.default_text, ")"),
                    "\n      ", spec.help,
                    spec.reload == daemon::SettingSpec::kApply ? "; SIGHUP applies a change"
                                                               : "; a change needs a restart",
                    "\n");
  }
  return text + "\n";
}

}  // namespace reflector::service
