#include "reflector/daemon/options.h"

#include <arpa/inet.h>

#include <algorithm>
#include <initializer_list>
#include <type_traits>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "reflector/base/status_macros.h"

namespace reflector::daemon {
namespace {

// An enum setting, spelled by its name function (the layer's own, for the layers' enums): the
// value whose name is `text`, or an error listing the names.
template <typename Enum>
absl::StatusOr<Enum> ParseByName(absl::string_view setting, absl::string_view text,
                                 std::initializer_list<Enum> values,
                                 absl::string_view (*name_of)(Enum)) {
  std::string choices;
  for (const Enum value : values) {
    if (name_of(value) == text) return value;
    absl::StrAppend(&choices, choices.empty() ? "" : ", ", name_of(value));
  }
  return absl::InvalidArgumentError(
      absl::StrFormat("--%s: invalid value \"%s\": expected one of %s", setting, text, choices));
}

absl::string_view StatsFormatName(StatsFormat format) {
  switch (format) {
    case StatsFormat::kText:
      return "text";
    case StatsFormat::kJson:
      return "json";
    case StatsFormat::kCsv:
      return "csv";
  }
  return "?";
}

// Prefixes a parser's error with the setting it came from.
absl::Status ForSetting(absl::string_view setting, const absl::Status& status) {
  if (status.ok()) return status;
  return absl::Status(status.code(), absl::StrCat("--", setting, ": ", status.message()));
}

// Seconds ("2") or a duration ("500ms") from 0 to `max`; `zero` says what 0 means.
absl::StatusOr<absl::Duration> ParseDurationSetting(absl::string_view name, absl::string_view text,
                                                    absl::Duration max, absl::string_view zero) {
  absl::Duration duration;
  double seconds = 0;
  if (absl::SimpleAtod(text, &seconds) && seconds >= 0 &&
      absl::Seconds(seconds) <= max) {
    return absl::Seconds(seconds);
  }
  if (absl::ParseDuration(text, &duration) && duration >= absl::ZeroDuration() &&
      duration <= max) {
    return duration;
  }
  return absl::InvalidArgumentError(absl::StrFormat(
      "--%s: invalid value \"%s\": expected seconds (\"2\") or a duration "
      "(\"500ms\", \"1s\") up to %s; 0 %s",
      name, text, absl::FormatDuration(max), zero));
}

absl::StatusOr<absl::Duration> ParseInterval(absl::string_view text) {
  return ParseDurationSetting("stats_interval", text, absl::Hours(24),
                              "turns periodic lines off");
}

// Stores a parsed value; the parse error as it is.
template <typename T, typename U>
absl::Status Assign(absl::StatusOr<T> parsed, U* field) {
  if (!parsed.ok()) return parsed.status();
  *field = *std::move(parsed);
  return absl::OkStatus();
}

// The parsers settings.inc names, one per setting.
absl::Status ParseInterface(absl::string_view, absl::string_view text, DaemonOptions* options) {
  options->interface = std::string(absl::StripAsciiWhitespace(text));
  return absl::OkStatus();
}
absl::Status ParseDataPath(absl::string_view name, absl::string_view text, DaemonOptions* o) {
  return Assign(ParseByName(name, text,
                            {DataPathKind::kAuto, DataPathKind::kXdp, DataPathKind::kAfXdp,
                             DataPathKind::kAfPacket, DataPathKind::kDpdk},
                            engine::DataPathName),
                &o->datapath.kind);
}
absl::Status ParseDpdkEalArgs(absl::string_view, absl::string_view text, DaemonOptions* o) {
  o->datapath.dpdk_eal_args = std::string(absl::StripAsciiWhitespace(text));
  return absl::OkStatus();
}
absl::Status ParseModeSetting(absl::string_view name, absl::string_view text, DaemonOptions* o) {
  return ForSetting(name, Assign(packet::ParseMode(text), &o->filter.mode));
}
absl::Status ParsePortSetting(absl::string_view name, absl::string_view text, DaemonOptions* o) {
  return ForSetting(name, Assign(packet::ParsePort(text), &o->filter.port));
}
absl::Status ParseOuiSetting(absl::string_view name, absl::string_view text, DaemonOptions* o) {
  return ForSetting(name, Assign(packet::ParseOuiList(text), &o->filter.ouis));
}
absl::Status ParseProfileSetting(absl::string_view name, absl::string_view text,
                                 DaemonOptions* o) {
  return ForSetting(name, Assign(packet::ParseProfiles(text), &o->filter.profiles));
}
absl::Status ParseTosHandshake(absl::string_view name, absl::string_view text, DaemonOptions* o) {
  return Assign(ParseBool(name, text), &o->filter.tos_handshake);
}
absl::Status ParseLoopbackPorts(absl::string_view name, absl::string_view text,
                                DaemonOptions* o) {
  if (absl::StripAsciiWhitespace(text).empty()) {
    o->filter.loopback_ports.reset();
    return absl::OkStatus();
  }
  return ForSetting(name, Assign(packet::ParsePortRange(text), &o->filter.loopback_ports));
}
absl::Status ParseStampPorts(absl::string_view name, absl::string_view text, DaemonOptions* o) {
  return ForSetting(name, Assign(packet::ParsePortRanges(text), &o->filter.stamp_ports));
}
absl::Status ParseTwampLightPorts(absl::string_view name, absl::string_view text,
                                  DaemonOptions* o) {
  return ForSetting(name, Assign(packet::ParsePortRanges(text), &o->filter.twamp_light_ports));
}
absl::Status ParseStampStateful(absl::string_view name, absl::string_view text,
                                DaemonOptions* o) {
  return Assign(ParseBool(name, text), &o->filter.stamp_stateful);
}
// A whole number in [min, max] for setting `name`, or an error naming what is expected.
absl::Status ParseBounded(absl::string_view name, absl::string_view text, int min, int max,
                          absl::string_view what, int* out) {
  int value = 0;
  if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(text), &value) || value < min ||
      value > max) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "--%s: invalid value \"%s\": expected %s, %d to %d", name, text, what, min, max));
  }
  *out = value;
  return absl::OkStatus();
}
absl::Status ParseY1731Level(absl::string_view name, absl::string_view text, DaemonOptions* o) {
  int level = 0;
  REFLECTOR_RETURN_IF_ERROR(ParseBounded(name, text, 0, 7, "a MEG level", &level));
  o->filter.y1731_level = static_cast<uint8_t>(level);
  return absl::OkStatus();
}
absl::Status ParseY1731Vlan(absl::string_view name, absl::string_view text, DaemonOptions* o) {
  if (absl::StripAsciiWhitespace(text).empty()) {
    o->filter.y1731_vlan.reset();
    return absl::OkStatus();
  }
  int vlan = 0;
  REFLECTOR_RETURN_IF_ERROR(
      ParseBounded(name, text, 0, 4094, "a VLAN ID (0: untagged only)", &vlan));
  o->filter.y1731_vlan = static_cast<uint16_t>(vlan);
  return absl::OkStatus();
}
absl::Status ParseY1731MulticastLbm(absl::string_view name, absl::string_view text,
                                    DaemonOptions* o) {
  return Assign(ParseBool(name, text), &o->filter.y1731_multicast_lbm);
}
absl::Status ParseY1731MepId(absl::string_view name, absl::string_view text, DaemonOptions* o) {
  int mep_id = 0;
  REFLECTOR_RETURN_IF_ERROR(ParseBounded(name, text, 1, 8191, "a MEP ID", &mep_id));
  o->filter.y1731_mep_id = static_cast<uint16_t>(mep_id);
  return absl::OkStatus();
}
absl::Status ParseLoopbackAddresses(absl::string_view name, absl::string_view text,
                                    DaemonOptions* o) {
  return ForSetting(name, Assign(packet::ParsePrefixList(text), &o->filter.loopback_addresses));
}
absl::Status ParseDstMacFilter(absl::string_view name, absl::string_view text, DaemonOptions* o) {
  return Assign(ParseBool(name, text), &o->filter.dst_mac_filter);
}
absl::Status ParseSignaturesSetting(absl::string_view name, absl::string_view text,
                                    DaemonOptions* o) {
  return ForSetting(name, Assign(packet::ParseSignatures(text), &o->filter.signatures));
}
absl::Status ParseVlan(absl::string_view name, absl::string_view text, DaemonOptions* o) {
  return Assign(ParseBool(name, text), &o->filter.vlan);
}
absl::Status ParseIpv6(absl::string_view name, absl::string_view text, DaemonOptions* o) {
  return Assign(ParseBool(name, text), &o->filter.ipv6);
}
absl::Status ParseMonitor(absl::string_view name, absl::string_view text, DaemonOptions* o) {
  return Assign(ParseBool(name, text), &o->datapath.monitor);
}
absl::Status ParseSessions(absl::string_view name, absl::string_view text, DaemonOptions* o) {
  return Assign(ParseBool(name, text), &o->datapath.count_sessions);
}
absl::Status ParseQueues(absl::string_view, absl::string_view text, DaemonOptions* o) {
  int& queues = o->datapath.queues;
  if (!absl::SimpleAtoi(text, &queues) || queues < 0 || queues > 256) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "--queues: invalid value \"%s\": expected 0 (one per RX queue) to 256", text));
  }
  return absl::OkStatus();
}
absl::Status ParseCpus(absl::string_view, absl::string_view text, DaemonOptions* o) {
  return Assign(ParseCpuList(text), &o->datapath.cpus);
}
absl::Status ParseZeroCopy(absl::string_view name, absl::string_view text, DaemonOptions* o) {
  using platform::afxdp::ZeroCopyMode;
  return Assign(ParseByName(name, text, {ZeroCopyMode::kAuto, ZeroCopyMode::kOn, ZeroCopyMode::kOff},
                            platform::afxdp::ZeroCopyModeName),
                &o->datapath.zero_copy);
}
absl::Status ParseBusyPoll(absl::string_view name, absl::string_view text, DaemonOptions* o) {
  using engine::BusyPoll;
  return Assign(ParseByName(name, text, {BusyPoll::kOff, BusyPoll::kSpin, BusyPoll::kKernel},
                            engine::BusyPollName),
                &o->datapath.busy_poll);
}
absl::Status ParseWorkerPriority(absl::string_view, absl::string_view text, DaemonOptions* o) {
  int& priority = o->datapath.worker_priority;
  if (!absl::SimpleAtoi(text, &priority) || priority < 0 || priority > 99) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "--worker_priority: invalid value \"%s\": expected 0 (ordinary threads) or a "
        "SCHED_FIFO priority 1 to 99",
        text));
  }
  return absl::OkStatus();
}
absl::Status ParseAfPacketRx(absl::string_view name, absl::string_view text, DaemonOptions* o) {
  using platform::afpacket::RxRingKind;
  return Assign(ParseByName(name, text, {RxRingKind::kFrames, RxRingKind::kBlocks},
                            platform::afpacket::RxRingKindName),
                &o->datapath.afpacket_rx);
}
absl::Status ParseXdpMode(absl::string_view name, absl::string_view text, DaemonOptions* o) {
  using xdp::AttachMode;
  return Assign(ParseByName(name, text, {AttachMode::kAuto, AttachMode::kNative, AttachMode::kGeneric},
                            xdp::AttachModeName),
                &o->datapath.xdp_mode);
}
absl::Status ParseXdpReplace(absl::string_view name, absl::string_view text, DaemonOptions* o) {
  return Assign(ParseBool(name, text), &o->datapath.xdp_replace);
}
absl::Status ParseStampRxTimestamp(absl::string_view name, absl::string_view text,
                                   DaemonOptions* o) {
  using engine::StampRxTimestamp;
  return Assign(ParseByName(name, text,
                            {StampRxTimestamp::kSoftware, StampRxTimestamp::kAuto,
                             StampRxTimestamp::kHardware},
                            engine::StampRxTimestampName),
                &o->datapath.stamp_rx_timestamp);
}
absl::Status ParseStatsInterval(absl::string_view, absl::string_view text, DaemonOptions* o) {
  return Assign(ParseInterval(text), &o->stats_interval);
}
absl::Status ParseSessionIdle(absl::string_view name, absl::string_view text, DaemonOptions* o) {
  return Assign(ParseDurationSetting(name, text, absl::Hours(24), "means never"),
                &o->session_idle);
}
absl::Status ParseLoopWindow(absl::string_view name, absl::string_view text, DaemonOptions* o) {
  return Assign(ParseDurationSetting(name, text, absl::Seconds(60), "turns the loop guard off"),
                &o->loop_window);
}
absl::Status ParseLease(absl::string_view name, absl::string_view text, DaemonOptions* o) {
  return Assign(ParseDurationSetting(name, text, absl::Hours(24 * 30), "means no lease"),
                &o->lease);
}
absl::Status ParseRateLimitSetting(absl::string_view name, absl::string_view text,
                                   DaemonOptions* o) {
  return ForSetting(name, Assign(packet::ParseRateLimit(text), &o->rate_limit));
}
absl::Status ParseSourceRateLimit(absl::string_view name, absl::string_view text,
                                  DaemonOptions* o) {
  return ForSetting(name, Assign(packet::ParseRateLimit(text), &o->source_rate_limit));
}
absl::Status ParseRateBurst(absl::string_view name, absl::string_view text, DaemonOptions* o) {
  return Assign(ParseDurationSetting(name, text, absl::Seconds(10), "allows no burst"),
                &o->rate_burst);
}
absl::Status ParseStatsFormat(absl::string_view name, absl::string_view text, DaemonOptions* o) {
  return Assign(ParseByName(name, text, {StatsFormat::kText, StatsFormat::kJson, StatsFormat::kCsv},
                            StatsFormatName),
                &o->stats_format);
}
absl::Status ParseLogLevel(absl::string_view name, absl::string_view text, DaemonOptions* o) {
  return Assign(ParseByName(name, text,
                            {LogLevel::kError, LogLevel::kWarning, LogLevel::kInfo, LogLevel::kDebug},
                            LogLevelName),
                &o->log_level);
}
absl::Status ParseCaptureSettingOf(absl::string_view name, absl::string_view text,
                                   DaemonOptions* o) {
  return engine::capture::ParseCaptureSetting(name, text, &o->capture);
}

// "off", or HOST:PORT with HOST an IPv4 literal or a bracketed IPv6 literal.
absl::Status ParseHttp(absl::string_view name, absl::string_view text, DaemonOptions* o) {
  const std::string value(absl::StripAsciiWhitespace(text));
  HttpSettings& http = o->http;
  if (value == "off") {
    http.enabled = false;
    return absl::OkStatus();
  }
  const auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "--%s: invalid value \"%s\": %s (expected ADDR:PORT such as 127.0.0.1:9842 or "
        "[::1]:9842, or off)",
        name, text, why));
  };
  const size_t colon = value.rfind(':');
  if (colon == std::string::npos) return bad("no port");
  std::string host = value.substr(0, colon);
  if (absl::StartsWith(host, "[") && absl::EndsWith(host, "]")) {
    host = host.substr(1, host.size() - 2);
    in6_addr address;
    if (inet_pton(AF_INET6, host.c_str(), &address) != 1) return bad("not an IPv6 address");
  } else {
    in_addr address;
    if (inet_pton(AF_INET, host.c_str(), &address) != 1) {
      return bad("not an IP address (IPv6 goes in brackets)");
    }
  }
  int port = 0;
  if (!absl::SimpleAtoi(value.substr(colon + 1), &port) || port < 1 || port > 65535) {
    return bad("port must be 1 to 65535");
  }
  http.enabled = true;
  http.host = host;
  http.port = port;
  return absl::OkStatus();
}
absl::Status ParseHttpTokenFile(absl::string_view, absl::string_view text, DaemonOptions* o) {
  o->http.token_file = std::string(absl::StripAsciiWhitespace(text));
  return absl::OkStatus();
}
absl::Status ParseHttpCert(absl::string_view, absl::string_view text, DaemonOptions* o) {
  o->http.cert_file = std::string(absl::StripAsciiWhitespace(text));
  return absl::OkStatus();
}
absl::Status ParseHttpKey(absl::string_view, absl::string_view text, DaemonOptions* o) {
  o->http.key_file = std::string(absl::StripAsciiWhitespace(text));
  return absl::OkStatus();
}
absl::Status ParseHttpReadOnly(absl::string_view name, absl::string_view text, DaemonOptions* o) {
  return Assign(ParseBool(name, text), &o->http.read_only);
}

// A filter error placed at the custom rule it names ("rule \"x\": ..." or "two rules are
// named \"x\""): the last rule of that name, which for a duplicate is the second one.
absl::Status AtRuleOrigin(const absl::Status& status, const std::vector<RuleEntry>& rules) {
  for (auto entry = rules.rbegin(); entry != rules.rend(); ++entry) {
    if (!entry->origin.empty() &&
        absl::StrContains(status.message(), absl::StrCat("\"", entry->rule.name, "\""))) {
      return absl::Status(status.code(), absl::StrCat(entry->origin, ": ", status.message()));
    }
  }
  return status;
}

// settings.inc's defaults as the text a flag carries.
constexpr absl::string_view DefaultText(const char* text) { return text; }
constexpr absl::string_view DefaultText(bool value) { return value ? "true" : "false"; }

}  // namespace

const std::vector<SettingSpec>& AllSettings() {
  static const std::vector<SettingSpec>* const settings = new std::vector<SettingSpec>{
#define REFLECTOR_SETTING(name, type, default_value, reload, parser, help) \
  {#name, std::is_same_v<type, bool>, DefaultText(default_value), SettingSpec::reload, &parser, help},
#include "reflector/daemon/settings.inc"
#undef REFLECTOR_SETTING
  };
  return *settings;
}

const SettingSpec* FindSetting(absl::string_view name) {
  for (const SettingSpec& spec : AllSettings()) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

const std::vector<std::string>& SettingNames() {
  static const std::vector<std::string>* const names = [] {
    auto* list = new std::vector<std::string>;
    for (const SettingSpec& spec : AllSettings()) list->emplace_back(spec.name);
    return list;
  }();
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

bool IsLoopbackAddress(const std::string& ip) {
  in_addr v4;
  if (inet_pton(AF_INET, ip.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6;
  return inet_pton(AF_INET6, ip.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

absl::string_view LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kError:
      return "error";
    case LogLevel::kWarning:
      return "warning";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kDebug:
      return "debug";
  }
  return "?";
}

absl::StatusOr<DaemonOptions> ParseOptions(const Settings& settings,
                                           const std::vector<RuleEntry>& rules) {
  DaemonOptions options;
  for (const SettingSpec& spec : AllSettings()) {
    options.text[std::string(spec.name)] = std::string(spec.default_text);
  }
  for (const auto& [name, value] : settings) {
    if (FindSetting(name) == nullptr) {
      return absl::InvalidArgumentError(absl::StrFormat("unknown setting \"%s\"", name));
    }
    options.text[name] = value;
  }
  for (const SettingSpec& spec : AllSettings()) {
    REFLECTOR_RETURN_IF_ERROR(spec.parse(spec.name, options.text[std::string(spec.name)], &options));
  }
  if (options.http.cert_file.empty() != options.http.key_file.empty()) {
    return absl::InvalidArgumentError(
        "--http_cert and --http_key go together: give both (HTTPS) or neither (HTTP)");
  }
  // A spinning worker never sleeps: at a real-time priority it would keep its CPU from the
  // kernel's threads (ksoftirqd, kworkers) but for the RT throttle's leftovers.
  if (options.datapath.worker_priority > 0 && options.datapath.busy_poll != engine::BusyPoll::kOff) {
    return absl::InvalidArgumentError(
        "--worker_priority is for sleeping workers: not with --busy_poll=spin or kernel");
  }
  // The xdp data path reflects in the kernel's receive path and has no worker threads: these
  // settings would do nothing (and --worker_priority would still ask for CAP_SYS_NICE). With
  // --datapath=auto they apply if a fallback with workers is chosen.
  if (options.datapath.kind == engine::DataPathKind::kXdp) {
    if (options.datapath.worker_priority > 0) {
      return absl::InvalidArgumentError(
          "--worker_priority sets the workers' priority, and --datapath=xdp has none: the "
          "kernel reflects in its receive path");
    }
    if (options.datapath.busy_poll != engine::BusyPoll::kOff) {
      return absl::InvalidArgumentError(
          "--busy_poll sets how the workers wait, and --datapath=xdp has none: the kernel "
          "reflects in its receive path");
    }
  }
  if (options.http.enabled && !IsLoopbackAddress(options.http.host) &&
      options.http.token_file.empty() && !options.http.read_only) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "--http=%s is not a loopback address: give --http_token_file (PUT and POST then need "
        "its token) or --http_read_only",
        options.text["http"]));
  }
  options.custom_rules = rules;
  for (const RuleEntry& entry : rules) {
    packet::Rule rule = entry.rule;
    if (entry.default_mode) rule.mode = options.filter.mode;
    options.filter.rules.push_back(std::move(rule));
  }
  if (absl::StatusOr<packet::CompiledConfig> compiled = packet::Compile(options.filter);
      !compiled.ok()) {
    return AtRuleOrigin(compiled.status(), rules);
  }
  return options;
}

std::vector<std::string> NeedsRestart(const DaemonOptions& running, const DaemonOptions& next) {
  std::vector<std::string> changed;
  for (const SettingSpec& spec : AllSettings()) {
    const std::string name(spec.name);
    if (spec.reload == SettingSpec::kRestart && running.text.at(name) != next.text.at(name)) {
      changed.push_back(name);
    }
  }
  return changed;
}

std::string SettingsMarkdownTable() {
  std::string table = "| flag | default | SIGHUP | meaning |\n|---|---|---|---|\n";
  for (const SettingSpec& spec : AllSettings()) {
    absl::StrAppend(&table, "| `--", spec.name, "` | ",
                    spec.default_text.empty() ? "" : absl::StrCat("`", spec.default_text, "`"),
                    " | ", spec.reload == SettingSpec::kApply ? "applies" : "restart", " | ",
                    spec.help, " |\n");
  }
  return table;
}

}  // namespace reflector::daemon
