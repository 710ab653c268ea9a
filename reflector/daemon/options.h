// The daemon's settings (SPEC §6): what flags and the config file say, validated into one
// struct. Settings arrive as name -> text pairs, whichever source they come from, so flags,
// the config file and SIGHUP reloads all go through the same parsers and the same errors.
#ifndef REFLECTOR_DAEMON_OPTIONS_H_
#define REFLECTOR_DAEMON_OPTIONS_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "reflector/engine/capture/capture_options.h"
#include "reflector/engine/datapath.h"
#include "reflector/packet/config.h"

namespace reflector::daemon {

using engine::DataPathKind;

enum class StatsFormat { kText, kJson, kCsv };
enum class LogLevel { kError, kWarning, kInfo, kDebug };

// Settings as text by name, e.g. {"port", "3842"}: what flags and the config file give.
using Settings = std::map<std::string, std::string>;

// The HTTP API (--http, --http_token_file, --http_read_only).
struct HttpSettings {
  bool enabled = true;
  std::string host = "127.0.0.1";  // an IP literal, without brackets
  int port = 9842;
  std::string token_file;  // empty: no token
  bool read_only = false;
  std::string cert_file;  // both or neither: HTTPS with this certificate and key
  std::string key_file;
};

// A custom rule as the config file states it ([[rule]]), before the settings complete it.
struct RuleEntry {
  packet::Rule rule;
  bool default_mode = true;  // no `mode` of its own: the rule takes the `mode` setting
  std::string origin;        // where it is defined ("reflector.toml:12:1"), to place its errors
  friend bool operator==(const RuleEntry&, const RuleEntry&) = default;
};

struct DaemonOptions {
  // Every setting as text, defaults included: what SIGHUP compares to find changes.
  Settings text;
  std::string interface;
  // The settings settings.inc declares with REFLECTOR_FILTER_SETTING, and the config file's
  // [[rule]] tables as `rules` (their modes filled in); Compile accepts it (ParseOptions checks).
  packet::FilterConfig filter;
  engine::DataPathSettings datapath;  // datapath, monitor, queues, cpus, zero_copy, xdp_mode
  absl::Duration loop_window = absl::Milliseconds(100);  // zero: no loop guard
  absl::Duration lease = absl::ZeroDuration();          // zero: no lease
  // Rate caps on every reflected frame, in all and per source address (guard.h); unset: none.
  packet::RateLimit rate_limit;
  packet::RateLimit source_rate_limit;
  absl::Duration rate_burst = absl::Milliseconds(10);
  absl::Duration stats_interval = absl::Seconds(1);  // zero: no periodic lines
  absl::Duration session_idle = absl::Seconds(60);   // zero: sessions never expire
  StatsFormat stats_format = StatsFormat::kText;
  LogLevel log_level = LogLevel::kInfo;
  engine::capture::CaptureOptions capture;  // the capture_* settings (issue 21)
  HttpSettings http;
  // The config file's [[rule]] tables as given: what a change of settings over the HTTP API
  // parses again with the new settings, as SIGHUP parses them with the file's.
  std::vector<RuleEntry> custom_rules;
};

// One setting, as declared in settings.inc.
struct SettingSpec {
  enum Reload { kApply, kRestart };
  using Parser = absl::Status (*)(absl::string_view name, absl::string_view text,
                                  DaemonOptions* options);
  absl::string_view name;
  bool is_bool;
  absl::string_view default_text;
  Reload reload;
  Parser parse;
  absl::string_view help;
};

// Every setting, in settings.inc's order.
const std::vector<SettingSpec>& AllSettings();
const SettingSpec* FindSetting(absl::string_view name);  // nullptr when unknown

// The names a config file may use: every daemon flag except `config` itself.
const std::vector<std::string>& SettingNames();

// Validates and converts; unknown names and malformed values are InvalidArgument errors that
// name the setting and the bad value. Settings not given take their declared defaults. The
// custom rules go first in filter.rules, and the whole filter must compile (packet::Compile):
// a profile or rule that cannot work (the loopback profile with no restriction, too many
// rules, a rule without a payload pattern while dst_mac_filter is off) is an error too, placed
// at the origin of the custom rule it names, if it names one.
absl::StatusOr<DaemonOptions> ParseOptions(const Settings& settings,
                                           const std::vector<RuleEntry>& rules = {});

// The kRestart settings whose text differs between two parsed option sets, in declaration
// order: what SIGHUP cannot apply to a running daemon.
std::vector<std::string> NeedsRestart(const DaemonOptions& running, const DaemonOptions& next);

// The README's flag table (Markdown), from the declarations.
std::string SettingsMarkdownTable();

absl::string_view LogLevelName(LogLevel level);  // "error", "warning", "info", "debug"

// 127.0.0.0/8 or ::1, as an IP literal without brackets.
bool IsLoopbackAddress(const std::string& ip);

// Parsers of single values, shared with the tools.
absl::StatusOr<bool> ParseBool(absl::string_view name, absl::string_view text);
absl::StatusOr<std::vector<int>> ParseCpuList(absl::string_view text);  // "0,2-3"

}  // namespace reflector::daemon

#endif  // REFLECTOR_DAEMON_OPTIONS_H_
