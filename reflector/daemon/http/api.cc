#include "reflector/daemon/http/api.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "reflector/daemon/report.h"

namespace reflector::daemon::http {

using nlohmann::json;

std::string Dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string ErrorDocument(absl::string_view message, const std::vector<std::string>& fields) {
  json error = {{"error", std::string(message)}};
  if (!fields.empty()) error["fields"] = fields;
  return Dump(error);
}

json StatusDocument(const StartInfo& start, const Running& running, absl::Time now) {
  json rules = json::array();
  for (const packet::Rule& rule : running.rules) {
    rules.push_back({{"name", rule.name}, {"description", packet::DescribeRule(rule)}});
  }
  const packet::FilterConfig& filter = running.options.filter;
  return {
      {"version", start.version},
      {"interface", start.interface},
      {"mac", start.mac},
      {"datapath", start.datapath},
      {"fallbacks", start.fallbacks},
      {"queues", start.queues},
      {"monitor", start.monitor},
      {"mode", std::string(packet::ModeName(filter.mode))},
      {"profiles", packet::FormatProfiles(filter.profiles)},
      {"filters",
       {{"dst_mac", filter.dst_mac_filter}, {"vlan", filter.vlan}, {"ipv6", filter.ipv6}}},
      {"rules", rules},
      {"started", absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", start.started, absl::UTCTimeZone())},
      {"uptime_s", absl::ToDoubleSeconds(now - start.started)},
  };
}

std::string StatsDocument(const Snapshot& snapshot, bool monitor) {
  return StatsReporter::FormatLine(StatsFormat::kJson, snapshot.previous, snapshot.counters,
                                   snapshot.time - snapshot.previous_time, snapshot.time,
                                   monitor, snapshot.by_rule);
}

json ConfigDocument(const Running& running) {
  json settings = json::object();
  std::vector<std::string> restart_only;
  for (const SettingSpec& spec : AllSettings()) {
    const std::string name(spec.name);
    settings[name] = running.options.text.at(name);
    if (spec.reload == SettingSpec::kRestart) restart_only.push_back(name);
  }
  std::vector<std::string> custom;
  for (const RuleEntry& entry : running.options.custom_rules) custom.push_back(entry.rule.name);
  return {{"settings", settings}, {"restart_only", restart_only}, {"custom_rules", custom}};
}

namespace {

// A JSON scalar as a setting's text; nullopt for objects, null and nested lists.
std::optional<std::string> ScalarText(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  if (value.is_number_integer() || value.is_number_unsigned() || value.is_number_float()) {
    return value.dump();
  }
  return std::nullopt;
}

}  // namespace

absl::StatusOr<Settings> ParseSettingsBody(absl::string_view body, ControlReply* error) {
  const json parsed = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    *error = {400, "the body is not valid JSON: expected an object like {\"port\": 3842}", {}};
    return absl::InvalidArgumentError(error->message);
  }
  if (!parsed.is_object() || parsed.empty()) {
    *error = {400, "the body must be a non-empty JSON object of settings, like {\"port\": 3842}",
              {}};
    return absl::InvalidArgumentError(error->message);
  }
  Settings settings;
  for (const auto& [name, value] : parsed.items()) {
    std::optional<std::string> text;
    if (value.is_array()) {
      std::vector<std::string> parts;
      for (const json& item : value) {
        std::optional<std::string> part = ScalarText(item);
        if (!part) break;
        parts.push_back(*part);
      }
      if (parts.size() == value.size()) text = absl::StrJoin(parts, ",");
    } else {
      text = ScalarText(value);
    }
    if (!text) {
      *error = {400,
                absl::StrCat("\"", name,
                             "\" must be a string, number, boolean or a list of them"),
                {name}};
      return absl::InvalidArgumentError(error->message);
    }
    settings[name] = *text;
  }
  return settings;
}

ControlReply ValidateChange(const DaemonOptions& running, const Settings& changes,
                            DaemonOptions* next) {
  // Each value on its own first, so that the error names the setting it is about.
  for (const auto& [name, text] : changes) {
    const SettingSpec* spec = FindSetting(name);
    if (spec == nullptr) return {400, absl::StrCat("unknown setting \"", name, "\""), {name}};
    DaemonOptions scratch = running;
    if (absl::Status parsed = spec->parse(spec->name, text, &scratch); !parsed.ok()) {
      return {400, std::string(parsed.message()), {name}};
    }
  }
  std::vector<std::string> restart;
  for (const auto& [name, text] : changes) {
    if (FindSetting(name)->reload == SettingSpec::kRestart && running.text.at(name) != text) {
      restart.push_back(name);
    }
  }
  if (!restart.empty()) {
    return {409,
            absl::StrCat("only a restart can change ", absl::StrJoin(restart, ", "),
                         "; nothing was changed"),
            restart};
  }
  Settings settings = running.text;
  std::vector<std::string> fields;
  for (const auto& [name, text] : changes) {
    settings[name] = text;
    fields.push_back(name);
  }
  absl::StatusOr<DaemonOptions> parsed = ParseOptions(settings, running.custom_rules);
  if (!parsed.ok()) return {400, std::string(parsed.status().message()), fields};
  *next = *std::move(parsed);
  return {200, "ok", fields};
}

}  // namespace reflector::daemon::http
