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
#include "reflector/base/status_macros.h"
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

// One [[rule]] table, key by key in file order. Errors read
// "file:line:col: rule \"name\": reason", at the key that is wrong (the table for what is wrong
// with the rule as a whole).
class RuleParser {
 public:
  RuleParser(absl::string_view origin, const toml::table& table, size_t index)
      : origin_(origin), table_(table), index_(index) {}

  absl::StatusOr<RuleEntry> Parse() {
    entry_.origin = Where(origin_, table_.source());
    const toml::node* name = table_.get("name");
    if (name == nullptr || !name->is_string()) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "%s: rule #%d: \"name\" is required, a string of a-z, 0-9, '_' and '-'",
          Where(origin_, name ? name->source() : table_.source()), index_ + 1));
    }
    entry_.rule.name = *name->value<std::string>();
    // toml++ keeps a table's keys sorted; report the first wrong one as it stands in the file.
    std::vector<std::pair<const toml::key*, const toml::node*>> keys;
    for (const auto& [key, node] : table_) keys.emplace_back(&key, &node);
    std::sort(keys.begin(), keys.end(), [](const auto& a, const auto& b) {
      const toml::source_position& pa = a.first->source().begin;
      const toml::source_position& pb = b.first->source().begin;
      return std::pair(pa.line, pa.column) < std::pair(pb.line, pb.column);
    });
    for (const auto& [key, node] : keys) {
      const std::string name(key->str());
      if (absl::Status parsed = ParseKey(name, *node); !parsed.ok()) {
        return Error(key->source(), absl::StrCat(name, ": ", parsed.message()));
      }
    }
    if (!payload_.empty() && !payload_hex_.empty()) {
      return Error(table_.source(), "payload and payload_hex are both given; keep one");
    }
    if (absl::Status valid = packet::ValidateRule(entry_.rule); !valid.ok()) {
      // ValidateRule's messages start with rule "name", as ours do.
      return absl::InvalidArgumentError(absl::StrCat(entry_.origin, ": ", valid.message()));
    }
    return entry_;
  }

 private:
  absl::Status Error(const toml::source_region& where, absl::string_view message) const {
    return absl::InvalidArgumentError(absl::StrFormat("%s: rule \"%s\": %s", Where(origin_, where),
                                                      entry_.rule.name, message));
  }

  static absl::Status WrongType(absl::string_view expected) {
    return absl::InvalidArgumentError(absl::StrCat("expected ", expected));
  }

  // A string, or an array of strings joined with commas (the lists the parsers read).
  static absl::StatusOr<std::string> ListText(const toml::node& node) {
    if (auto text = node.value<std::string>()) return *text;
    const toml::array* list = node.as_array();
    if (list == nullptr) return WrongType("a string or an array of strings");
    std::string joined;
    for (const toml::node& item : *list) {
      auto text = item.value<std::string>();
      if (!text) return WrongType("a string or an array of strings");
      absl::StrAppend(&joined, joined.empty() ? "" : ",", *text);
    }
    return joined;
  }

  static absl::StatusOr<int64_t> Integer(const toml::node& node) {
    if (!node.is_integer()) return WrongType("an integer");
    return *node.value<int64_t>();
  }

  // A number for a 16-bit field; what is valid within 16 bits is ValidateRule's to say.
  static absl::StatusOr<uint16_t> Small(const toml::node& node, absl::string_view what) {
    REFLECTOR_ASSIGN_OR_RETURN(const int64_t value, Integer(node));
    if (value < 0 || value > 65535) {
      return absl::InvalidArgumentError(absl::StrFormat("%d is not %s", value, what));
    }
    return static_cast<uint16_t>(value);
  }

  static absl::StatusOr<bool> Boolean(const toml::node& node) {
    if (!node.is_boolean()) return WrongType("true or false");
    return *node.value<bool>();
  }

  static absl::StatusOr<std::string> String(const toml::node& node) {
    if (auto text = node.value<std::string>()) return *text;
    return WrongType("a string");
  }

  static absl::StatusOr<packet::PortRange> Ports(const toml::node& node) {
    if (node.is_integer()) return packet::ParsePortRange(absl::StrCat(*node.value<int64_t>()));
    if (auto text = node.value<std::string>()) return packet::ParsePortRange(*text);
    return WrongType("a port (5001) or a range as a string (\"5000-5010\")");
  }

  absl::Status ParseKey(const std::string& key, const toml::node& node) {
    packet::Rule& rule = entry_.rule;
    if (key == "name") return absl::OkStatus();  // read first
    if (key == "dst_port") return AssignTo(Ports(node), &rule.dst_ports);
    if (key == "src_port") return AssignTo(Ports(node), &rule.src_ports);
    if (key == "dst_ip" || key == "src_ip") {
      REFLECTOR_ASSIGN_OR_RETURN(const std::string text, ListText(node));
      return AssignTo(packet::ParsePrefixList(text),
                      key == "dst_ip" ? &rule.dst_prefixes : &rule.src_prefixes);
    }
    if (key == "ip_version") {
      REFLECTOR_ASSIGN_OR_RETURN(const int64_t version, Integer(node));
      if (version != 4 && version != 6) {
        return absl::InvalidArgumentError(absl::StrFormat("%d: expected 4 or 6", version));
      }
      rule.ip_version = static_cast<int>(version);
      return absl::OkStatus();
    }
    if (key == "vlan" || key == "inner_vlan") {
      REFLECTOR_ASSIGN_OR_RETURN(const uint16_t vid, Small(node, "a VLAN ID (0..4095)"));
      (key == "vlan" ? rule.vlan : rule.inner_vlan) = vid;
      return absl::OkStatus();
    }
    if (key == "untagged") return AssignTo(Boolean(node), &rule.untagged);
    if (key == "oui") {
      REFLECTOR_ASSIGN_OR_RETURN(const std::string text, ListText(node));
      return AssignTo(packet::ParseOuiList(text), &rule.ouis);
    }
    if (key == "payload") {
      REFLECTOR_ASSIGN_OR_RETURN(payload_, String(node));
      if (payload_.empty()) {
        return absl::InvalidArgumentError("empty; leave it out to match any payload");
      }
      for (const char c : payload_) {
        if (c < 0x20 || c > 0x7e) {
          return absl::InvalidArgumentError(
              "only printable ASCII; use payload_hex for other bytes");
        }
      }
      rule.pattern.bytes.assign(payload_.begin(), payload_.end());
      return absl::OkStatus();
    }
    if (key == "payload_hex") {
      REFLECTOR_ASSIGN_OR_RETURN(payload_hex_, String(node));
      return AssignTo(packet::ParseHexBytes(payload_hex_), &rule.pattern.bytes);
    }
    if (key == "payload_mask") {
      REFLECTOR_ASSIGN_OR_RETURN(const std::string text, String(node));
      return AssignTo(packet::ParseHexBytes(text), &rule.pattern.mask);
    }
    if (key == "payload_offset") {
      return AssignTo(Small(node, "an offset in the UDP payload (0..1024)"), &rule.pattern.offset);
    }
    if (key == "mode") {
      REFLECTOR_ASSIGN_OR_RETURN(const std::string text, String(node));
      entry_.default_mode = false;
      return AssignTo(packet::ParseMode(text), &rule.mode);
    }
    if (key == "tos_handshake") return AssignTo(Boolean(node), &rule.tos_handshake);
    if (key == "rate_limit" || key == "source_rate_limit") {
      REFLECTOR_ASSIGN_OR_RETURN(const std::string text, String(node));
      return AssignTo(packet::ParseRateLimit(text),
                      key == "rate_limit" ? &rule.rate_limit : &rule.source_rate_limit);
    }
    return absl::InvalidArgumentError(
        "unknown key; a rule has name, dst_port, src_port, dst_ip, src_ip, ip_version, vlan, "
        "inner_vlan, untagged, oui, payload, payload_hex, payload_mask, payload_offset, mode, "
        "tos_handshake, rate_limit, source_rate_limit");
  }

  template <typename T, typename U>
  static absl::Status AssignTo(absl::StatusOr<T> parsed, U* field) {
    if (!parsed.ok()) return parsed.status();
    *field = *std::move(parsed);
    return absl::OkStatus();
  }

  absl::string_view origin_;
  const toml::table& table_;
  size_t index_;
  RuleEntry entry_;
  std::string payload_;      // as given, to refuse payload and payload_hex together
  std::string payload_hex_;
};

absl::Status ParseRules(absl::string_view origin, const toml::node& node,
                        std::vector<RuleEntry>* rules) {
  const toml::array* tables = node.as_array();
  if (tables == nullptr || !tables->is_array_of_tables()) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "%s: \"rule\" must be [[rule]] tables, one per rule", Where(origin, node.source())));
  }
  for (const toml::node& item : *tables) {
    const toml::table& table = *item.as_table();
    if (rules->size() == RF_MAX_RULES) {
      const toml::node* name = table.get("name");
      return absl::InvalidArgumentError(absl::StrFormat(
          "%s: rule \"%s\": more than %d rules; at most %d are supported, the profiles' rules "
          "included",
          Where(origin, table.source()),
          name && name->is_string() ? *name->value<std::string>() : "", RF_MAX_RULES,
          RF_MAX_RULES));
    }
    REFLECTOR_ASSIGN_OR_RETURN(RuleEntry entry, RuleParser(origin, table, rules->size()).Parse());
    rules->push_back(std::move(entry));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ConfigFile> ParseConfigText(absl::string_view text, absl::string_view origin) {
  if (absl::Status checked = CheckCharacters(text, origin); !checked.ok()) return checked;
  toml::parse_result parsed = toml::parse(std::string_view(text.data(), text.size()));
  if (!parsed) {
    const toml::parse_error& error = parsed.error();
    return absl::InvalidArgumentError(
        absl::StrFormat("%s: %s", Where(origin, error.source()), std::string(error.description())));
  }
  const std::vector<std::string>& names = SettingNames();
  ConfigFile file;
  for (const auto& [key, node] : parsed.table()) {
    const std::string name(key.str());
    if (name == "rule") {
      REFLECTOR_RETURN_IF_ERROR(ParseRules(origin, node, &file.rules));
      continue;
    }
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
    file.settings[name] = *value;
  }
  return file;
}

namespace {

absl::Status CannotRead(absl::StatusCode code, const std::string& path, absl::string_view why) {
  return absl::Status(code, absl::StrFormat("cannot read config file %s: %s", path, why));
}

absl::Status CannotRead(const std::string& path, int error) {
  return CannotRead(absl::ErrnoToStatusCode(error), path, std::strerror(error));
}

}  // namespace

absl::StatusOr<ConfigFile> LoadConfigFile(const std::string& path) {
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

absl::StatusOr<DaemonOptions> LoadOptions(const Settings& flags,
                                          const std::set<std::string>& given,
                                          const std::string& config_path) {
  if (config_path.empty()) return ParseOptions(flags);
  REFLECTOR_ASSIGN_OR_RETURN(ConfigFile file, LoadConfigFile(config_path));
  Settings settings = flags;
  for (const auto& [name, value] : file.settings) {
    if (!given.count(name)) settings[name] = value;
  }
  return ParseOptions(settings, file.rules);
}

}  // namespace reflector::daemon
