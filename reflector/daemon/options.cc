#include "reflector/daemon/options.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "reflector/base/status_macros.h"

namespace reflector::daemon {
namespace {

template <typename Enum>
struct Named {
  absl::string_view name;
  Enum value;
};

constexpr Named<DataPathKind> kDataPaths[] = {{"auto", DataPathKind::kAuto},
                                              {"xdp", DataPathKind::kXdp},
                                              {"afxdp", DataPathKind::kAfXdp},
                                              {"afpacket", DataPathKind::kAfPacket}};
constexpr Named<ZeroCopy> kZeroCopy[] = {
    {"auto", ZeroCopy::kAuto}, {"on", ZeroCopy::kOn}, {"off", ZeroCopy::kOff}};
constexpr Named<XdpMode> kXdpModes[] = {
    {"auto", XdpMode::kAuto}, {"native", XdpMode::kNative}, {"generic", XdpMode::kGeneric}};
constexpr Named<StatsFormat> kStatsFormats[] = {
    {"text", StatsFormat::kText}, {"json", StatsFormat::kJson}, {"csv", StatsFormat::kCsv}};
constexpr Named<LogLevel> kLogLevels[] = {{"error", LogLevel::kError},
                                          {"warning", LogLevel::kWarning},
                                          {"info", LogLevel::kInfo},
                                          {"debug", LogLevel::kDebug}};

template <typename Enum, size_t N>
absl::StatusOr<Enum> ParseNamed(absl::string_view setting, absl::string_view text,
                                const Named<Enum> (&table)[N]) {
  std::string choices;
  for (const auto& entry : table) {
    if (entry.name == text) return entry.value;
    absl::StrAppend(&choices, choices.empty() ? "" : ", ", entry.name);
  }
  return absl::InvalidArgumentError(
      absl::StrFormat("--%s: invalid value \"%s\": expected one of %s", setting, text, choices));
}

template <typename Enum, size_t N>
absl::string_view NameOf(Enum value, const Named<Enum> (&table)[N]) {
  for (const auto& entry : table) {
    if (entry.value == value) return entry.name;
  }
  return "?";
}

// Prefixes a parser's error with the setting it came from.
absl::Status ForSetting(absl::string_view setting, const absl::Status& status) {
  if (status.ok()) return status;
  return absl::Status(status.code(), absl::StrCat("--", setting, ": ", status.message()));
}

absl::StatusOr<absl::Duration> ParseInterval(absl::string_view text) {
  absl::Duration interval;
  double seconds = 0;
  if (absl::SimpleAtod(text, &seconds) && seconds >= 0 && seconds <= 86400) {
    return absl::Seconds(seconds);
  }
  if (absl::ParseDuration(text, &interval) && interval >= absl::ZeroDuration() &&
      interval <= absl::Hours(24)) {
    return interval;
  }
  return absl::InvalidArgumentError(absl::StrFormat(
      "--stats_interval: invalid value \"%s\": expected seconds (\"2\") or a duration "
      "(\"500ms\", \"1s\") up to 24h; 0 turns periodic lines off",
      text));
}

}  // namespace

const std::vector<std::string>& SettingNames() {
  static const std::vector<std::string>* const names = new std::vector<std::string>{
      "interface",  "datapath", "mode",           "port",         "oui",      "dst_mac_filter",
      "signatures", "vlan",     "ipv6",           "monitor",      "queues",   "cpus",
      "zero_copy",  "xdp_mode", "stats_interval", "stats_format", "log_level"};
  return *names;
}

absl::StatusOr<bool> ParseBool(absl::string_view name, absl::string_view text) {
  const std::string lower = absl::AsciiStrToLower(absl::StripAsciiWhitespace(text));
  if (lower == "true" || lower == "1" || lower == "yes" || lower == "on") return true;
  if (lower == "false" || lower == "0" || lower == "no" || lower == "off") return false;
  return absl::InvalidArgumentError(
      absl::StrFormat("--%s: invalid value \"%s\": expected true or false", name, text));
}

absl::StatusOr<std::vector<int>> ParseCpuList(absl::string_view text) {
  std::vector<int> cpus;
  if (absl::StripAsciiWhitespace(text).empty()) return cpus;
  for (absl::string_view token : absl::StrSplit(text, ',')) {
    token = absl::StripAsciiWhitespace(token);
    const std::vector<absl::string_view> range = absl::StrSplit(token, absl::MaxSplits('-', 1));
    int first = 0;
    int last = 0;
    const bool ok = absl::SimpleAtoi(range[0], &first) &&
                    absl::SimpleAtoi(range.size() == 2 ? range[1] : range[0], &last) &&
                    first >= 0 && first <= last && last < 4096;
    if (!ok) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "--cpus: invalid CPU \"%s\" in \"%s\": expected a list like 0,2-3", token, text));
    }
    for (int cpu = first; cpu <= last; ++cpu) cpus.push_back(cpu);
  }
  return cpus;
}

absl::string_view LogLevelName(LogLevel level) { return NameOf(level, kLogLevels); }

absl::StatusOr<DaemonOptions> ParseOptions(const Settings& settings) {
  DaemonOptions options;
  const std::vector<std::string>& names = SettingNames();
  for (const auto& [name, value] : settings) {
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      return absl::InvalidArgumentError(absl::StrFormat("unknown setting \"%s\"", name));
    }
    if (name == "interface") {
      options.interface = std::string(absl::StripAsciiWhitespace(value));
    } else if (name == "datapath") {
      REFLECTOR_ASSIGN_OR_RETURN(options.datapath, ParseNamed(name, value, kDataPaths));
    } else if (name == "mode") {
      auto mode = packet::ParseMode(value);
      REFLECTOR_RETURN_IF_ERROR(ForSetting(name, mode.status()));
      options.filter.mode = *mode;
    } else if (name == "port") {
      auto port = packet::ParsePort(value);
      REFLECTOR_RETURN_IF_ERROR(ForSetting(name, port.status()));
      options.filter.port = *port;
    } else if (name == "oui") {
      auto ouis = packet::ParseOuiList(value);
      REFLECTOR_RETURN_IF_ERROR(ForSetting(name, ouis.status()));
      options.filter.ouis = *ouis;
    } else if (name == "dst_mac_filter") {
      REFLECTOR_ASSIGN_OR_RETURN(options.filter.dst_mac_filter, ParseBool(name, value));
    } else if (name == "signatures") {
      auto signatures = packet::ParseSignatures(value);
      REFLECTOR_RETURN_IF_ERROR(ForSetting(name, signatures.status()));
      options.filter.signatures = *signatures;
    } else if (name == "vlan") {
      REFLECTOR_ASSIGN_OR_RETURN(options.filter.vlan, ParseBool(name, value));
    } else if (name == "ipv6") {
      REFLECTOR_ASSIGN_OR_RETURN(options.filter.ipv6, ParseBool(name, value));
    } else if (name == "monitor") {
      REFLECTOR_ASSIGN_OR_RETURN(options.monitor, ParseBool(name, value));
    } else if (name == "queues") {
      if (!absl::SimpleAtoi(value, &options.queues) || options.queues < 0 || options.queues > 256) {
        return absl::InvalidArgumentError(absl::StrFormat(
            "--queues: invalid value \"%s\": expected 0 (one per RX queue) to 256", value));
      }
    } else if (name == "cpus") {
      REFLECTOR_ASSIGN_OR_RETURN(options.cpus, ParseCpuList(value));
    } else if (name == "zero_copy") {
      REFLECTOR_ASSIGN_OR_RETURN(options.zero_copy, ParseNamed(name, value, kZeroCopy));
    } else if (name == "xdp_mode") {
      REFLECTOR_ASSIGN_OR_RETURN(options.xdp_mode, ParseNamed(name, value, kXdpModes));
    } else if (name == "stats_interval") {
      REFLECTOR_ASSIGN_OR_RETURN(options.stats_interval, ParseInterval(value));
    } else if (name == "stats_format") {
      REFLECTOR_ASSIGN_OR_RETURN(options.stats_format, ParseNamed(name, value, kStatsFormats));
    } else if (name == "log_level") {
      REFLECTOR_ASSIGN_OR_RETURN(options.log_level, ParseNamed(name, value, kLogLevels));
    }
  }
  if ((options.filter.signatures & RF_SIGS_ALL) == 0) {
    return absl::InvalidArgumentError("--signatures: no signature enabled");
  }
  return options;
}

}  // namespace reflector::daemon
