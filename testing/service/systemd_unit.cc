#include "testing/service/systemd_unit.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace reflector::testing::service {
namespace {

absl::StatusOr<std::string> ExpandSpecifiers(absl::string_view value, absl::string_view instance) {
  std::string out;
  for (size_t i = 0; i < value.size(); ++i) {
    if (value[i] != '%') {
      out.push_back(value[i]);
      continue;
    }
    if (++i == value.size()) return absl::InvalidArgumentError("a lone % at the end");
    switch (value[i]) {
      case 'i':
      case 'I':  // unescaped; interface names need no escaping
        absl::StrAppend(&out, instance);
        break;
      case '%':
        out.push_back('%');
        break;
      default:
        return absl::InvalidArgumentError(
            absl::StrCat("specifier %", value.substr(i, 1), " is not known to this test"));
    }
  }
  return out;
}

}  // namespace

absl::StatusOr<SystemdUnit> SystemdUnit::Parse(absl::string_view text,
                                               absl::string_view instance) {
  SystemdUnit unit;
  std::string section;
  int number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[' && line.back() == ']') {
      section = std::string(line.substr(1, line.size() - 2));
      continue;
    }
    const size_t equals = line.find('=');
    if (equals == absl::string_view::npos || section.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("line ", number, ": not Key=Value"));
    }
    absl::StatusOr<std::string> value =
        ExpandSpecifiers(absl::StripAsciiWhitespace(line.substr(equals + 1)), instance);
    if (!value.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("line ", number, ": ",
                                                     value.status().message()));
    }
    unit.values_[{section, std::string(absl::StripAsciiWhitespace(line.substr(0, equals)))}]
        .push_back(*value);
  }
  return unit;
}

std::vector<std::string> SystemdUnit::Values(absl::string_view section,
                                             absl::string_view key) const {
  const auto found = values_.find({std::string(section), std::string(key)});
  return found == values_.end() ? std::vector<std::string>() : found->second;
}

absl::StatusOr<std::string> SystemdUnit::Value(absl::string_view section,
                                               absl::string_view key) const {
  const std::vector<std::string> values = Values(section, key);
  if (values.empty()) return absl::NotFoundError(absl::StrCat("[", section, "] ", key, "= is not set"));
  return values.back();
}

absl::StatusOr<std::vector<std::string>> SystemdUnit::ExecStart() const {
  absl::StatusOr<std::string> line = Value("Service", "ExecStart");
  if (!line.ok()) return line.status();
  if (absl::StrContains(*line, "\"") || absl::StrContains(*line, "'")) {
    return absl::InvalidArgumentError("ExecStart= with quotes: extend this parser");
  }
  std::vector<std::string> words = absl::StrSplit(*line, ' ', absl::SkipEmpty());
  if (words.empty() || words[0].front() != '/') {
    return absl::InvalidArgumentError(
        absl::StrCat("ExecStart= must start with an absolute path (no prefixes): ", *line));
  }
  return words;
}

std::string SystemdUnit::SetprivCaps(absl::string_view capabilities) {
  std::vector<std::string> names;
  for (absl::string_view name : absl::StrSplit(capabilities, ' ', absl::SkipEmpty())) {
    std::string lower = absl::AsciiStrToLower(name);
    names.push_back(absl::StrCat("+", absl::StripPrefix(lower, "cap_")));
  }
  return absl::StrJoin(names, ",");
}

absl::StatusOr<absl::Duration> SystemdUnit::TimeSpan(absl::string_view text) {
  absl::Duration duration;
  if (absl::ParseDuration(text, &duration)) return duration;
  int64_t number = 0;
  if (absl::SimpleAtoi(text, &number)) return absl::Seconds(number);
  if (absl::ConsumeSuffix(&text, "min") && absl::SimpleAtoi(text, &number)) {
    return absl::Minutes(number);
  }
  return absl::InvalidArgumentError(absl::StrCat("time span \"", text, "\" is not understood"));
}

}  // namespace reflector::testing::service
