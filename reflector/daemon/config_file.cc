#include "reflector/daemon/config_file.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

// The project builds without exceptions; toml++ then reports errors through parse_result.
#define TOML_EXCEPTIONS 0
// toml++ 3.3.0's parse_key() asserts on a table header such as "[[[a" (config_fuzzer,
// fuzz/corpus/config_fuzzer/crash-toml-table-header-three-brackets) although the code right
// after the assertion reports it as a syntax error. Builds with NDEBUG already drop the
// assertions; without this, a debug build of reflectord would abort on such a file, or on SIGHUP.
#define TOML_ASSERT(expr) static_cast<void>(0)
#include <toml++/toml.h>

namespace reflector::daemon {
namespace {

std::string Where(absl::string_view origin, const toml::source_region& region) {
  return absl::StrFormat("%s:%d:%d", origin, region.begin.line, region.begin.column);
}

// One scalar as the text a flag would carry; nullopt for tables and nested arrays.
std::optional<std::string> ScalarText(const toml::node& node) {
  if (auto s = node.value<std::string>()) return *s;
  if (node.is_boolean()) return *node.value<bool>() ? "true" : "false";
  if (node.is_integer()) return absl::StrCat(*node.value<int64_t>());
  if (node.is_floating_point()) return absl::StrCat(*node.value<double>());
  return std::nullopt;
}

// toml++ 3.3.0 (Debian 12) reaches __builtin_unreachable() when it meets some non-ASCII code
// points where whitespace may stand (found by fuzz/config_fuzzer). No setting needs anything
// but ASCII, so non-ASCII bytes are refused before toml++ sees them, except in comment lines.
absl::Status CheckAscii(absl::string_view text, absl::string_view origin) {
  int line = 1;
  int column = 1;
  bool comment_line = false;
  bool line_start = true;
  for (const char c : text) {
    if (c == '\n') {
      ++line;
      column = 1;
      comment_line = false;
      line_start = true;
      continue;
    }
    if (line_start && c == '#') comment_line = true;
    if (c != ' ' && c != '\t') line_start = false;
    if ((static_cast<unsigned char>(c) & 0x80) && !comment_line) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "%s:%d:%d: only ASCII is allowed outside comment lines", origin, line, column));
    }
    ++column;
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Settings> ParseConfigText(absl::string_view text, absl::string_view origin) {
  if (absl::Status ascii = CheckAscii(text, origin); !ascii.ok()) return ascii;
  toml::parse_result parsed = toml::parse(std::string_view(text.data(), text.size()));
  if (!parsed) {
    const toml::parse_error& error = parsed.error();
    return absl::InvalidArgumentError(
        absl::StrFormat("%s: %s", Where(origin, error.source()), std::string(error.description())));
  }
  const std::vector<std::string>& names = SettingNames();
  Settings settings;
  for (const auto& [key, node] : parsed.table()) {
    const std::string name(key.str());
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      return absl::InvalidArgumentError(
          absl::StrFormat("%s: unknown setting \"%s\"", Where(origin, key.source()), name));
    }
    std::optional<std::string> value;
    if (const toml::array* list = node.as_array()) {
      std::string joined;
      bool flat = true;
      for (const toml::node& item : *list) {
        std::optional<std::string> part = ScalarText(item);
        if (!part) flat = false;
        if (part) absl::StrAppend(&joined, joined.empty() ? "" : ",", *part);
      }
      if (flat) value = joined;
    } else {
      value = ScalarText(node);
    }
    if (!value) {
      return absl::InvalidArgumentError(
          absl::StrFormat("%s: \"%s\" must be a string, number, boolean or a list of them",
                          Where(origin, node.source()), name));
    }
    settings[name] = *value;
  }
  return settings;
}

absl::StatusOr<Settings> LoadConfigFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return absl::NotFoundError(
        absl::StrFormat("cannot read config file %s: %s", path, std::strerror(errno)));
  }
  std::stringstream text;
  text << in.rdbuf();
  return ParseConfigText(text.str(), path);
}

}  // namespace reflector::daemon
