#include "reflector/daemon/config_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "reflector/base/unique_fd.h"

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

// toml++ 3.3.0 (Debian 12) reaches __builtin_unreachable() on some non-ASCII code points
// wherever it looks for whitespace (fuzz/config_fuzzer), and a line that starts with '#' may be
// inside a multi-line string, so comments are no safe place for them either. No setting needs
// more than ASCII, and TOML itself forbids control characters other than tab and newline (LF
// or CRLF) everywhere, comments included. So only those bytes reach toml++: a whitelist, as
// toml++ then runs only its ASCII code paths, whatever else it has wrong with other bytes.
absl::Status CheckCharacters(absl::string_view text, absl::string_view origin) {
  int line = 1;
  int column = 1;
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      ++line;
      column = 1;
      continue;
    }
    const bool crlf = c == '\r' && i + 1 < text.size() && text[i + 1] == '\n';
    if (c >= 0x80) {
      return absl::InvalidArgumentError(
          absl::StrFormat("%s:%d:%d: only ASCII is allowed, comments included (byte 0x%02x)",
                          origin, line, column, c));
    }
    if ((c < 0x20 && c != '\t' && !crlf) || c == 0x7f) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "%s:%d:%d: control character 0x%02x is not allowed (only tab and newline are)", origin,
          line, column, c));
    }
    ++column;
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Settings> ParseConfigText(absl::string_view text, absl::string_view origin) {
  if (absl::Status checked = CheckCharacters(text, origin); !checked.ok()) return checked;
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

namespace {

absl::Status CannotRead(absl::StatusCode code, const std::string& path, absl::string_view why) {
  return absl::Status(code, absl::StrFormat("cannot read config file %s: %s", path, why));
}

absl::Status CannotRead(const std::string& path, int error) {
  return CannotRead(absl::ErrnoToStatusCode(error), path, std::strerror(error));
}

}  // namespace

absl::StatusOr<Settings> LoadConfigFile(const std::string& path) {
  // O_NONBLOCK: a FIFO named by mistake is refused below instead of waiting for a writer.
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (!fd.valid()) return CannotRead(path, errno);
  // A directory opens and reads as nothing; a device or FIFO may never end. Only a file is a
  // config file (fstat on the open descriptor: what is checked is what is read).
  struct stat info;
  if (::fstat(fd.get(), &info) != 0) return CannotRead(path, errno);
  if (S_ISDIR(info.st_mode)) {
    return CannotRead(absl::StatusCode::kInvalidArgument, path, "it is a directory");
  }
  if (!S_ISREG(info.st_mode)) {
    return CannotRead(absl::StatusCode::kInvalidArgument, path, "not a regular file");
  }
  std::string text;
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buffer, sizeof(buffer));
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      return CannotRead(path, errno);
    }
    text.append(buffer, static_cast<size_t>(n));
  }
  return ParseConfigText(text, path);
}

}  // namespace reflector::daemon
