#include "reflector/base/cli.h"

#include <algorithm>
#include <cstdio>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/time/time.h"
#include "absl/strings/match.h"
#include "absl/strings/strip.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "reflector/base/version.h"

namespace reflector::base {
namespace {

// Abseil's usage flags: absl::ParseCommandLine handles them itself; they are not in the flag
// registry.
constexpr absl::string_view kAbseilUsageFlags[] = {
    "help", "helpfull", "helpshort", "helppackage", "helpon", "helpmatch", "version",
    "only_check_args"};

bool IsAbseilUsageFlag(absl::string_view name) {
  return std::find(std::begin(kAbseilUsageFlags), std::end(kAbseilUsageFlags), name) !=
         std::end(kAbseilUsageFlags);
}

// Compilers name a file as it was given to them, Bazel without "./".
bool SameFile(absl::string_view a, absl::string_view b) {
  absl::ConsumePrefix(&a, "./");
  absl::ConsumePrefix(&b, "./");
  return a == b;
}

bool IsProgramFlagFile(const ProgramInfo& program, absl::string_view file) {
  return SameFile(file, program.flags_file) ||
         (!program.included_flags_file.empty() && SameFile(file, program.included_flags_file));
}

// One "-name", "--name" or "--name=value" argument.
struct FlagArg {
  absl::string_view name;
  std::optional<absl::string_view> value;
};

std::optional<FlagArg> AsFlag(absl::string_view arg) {
  if (arg.size() < 2 || arg[0] != '-') return std::nullopt;  // positional (or "-")
  arg.remove_prefix(arg[1] == '-' ? 2 : 1);
  const size_t equals = arg.find('=');
  if (equals == absl::string_view::npos) return FlagArg{arg, std::nullopt};
  return FlagArg{arg.substr(0, equals), arg.substr(equals + 1)};
}

// A registered flag that is not a bool, given without "=value", takes the next argument.
bool TakesNextArgument(const FlagArg& flag) {
  if (flag.value.has_value()) return false;
  const absl::CommandLineFlag* registered = absl::FindCommandLineFlag(flag.name);
  return registered != nullptr && !registered->IsOfType<bool>();
}

// `text` as lines of at most kHelpWidth columns, each indented by `indent` spaces.
std::string Wrap(absl::string_view text, size_t indent) {
  constexpr size_t kHelpWidth = 96;
  std::string out;
  std::string line;
  for (absl::string_view word : absl::StrSplit(text, ' ', absl::SkipEmpty())) {
    if (!line.empty() && indent + line.size() + 1 + word.size() > kHelpWidth) {
      absl::StrAppend(&out, std::string(indent, ' '), line, "\n");
      line.clear();
    }
    absl::StrAppend(&line, line.empty() ? "" : " ", word);
  }
  if (!line.empty()) absl::StrAppend(&out, std::string(indent, ' '), line, "\n");
  return out;
}

// What a flag's value looks like, for an error about a value that does not parse.
std::string ExpectedValue(const absl::CommandLineFlag& flag) {
  if (flag.IsOfType<bool>()) return "true or false";
  if (flag.IsOfType<int>() || flag.IsOfType<int64_t>() || flag.IsOfType<uint32_t>() ||
      flag.IsOfType<uint64_t>()) {
    return "a whole number";
  }
  if (flag.IsOfType<double>()) return "a number";
  if (flag.IsOfType<absl::Duration>()) return "a duration such as 5s, 200ms or 1m30s";
  return absl::StrCat("like its default, ", flag.DefaultValue());
}

int BadInput(const ProgramInfo& program, absl::string_view message) {
  absl::FPrintF(stderr, "%s: %s\n", program.name, message);
  return kExitUsage;
}

// Checks every flag before "--" against the registry and parses its value (abseil sets the
// same values again in absl::ParseCommandLine). Returns the first problem.
std::optional<std::string> CheckFlags(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const absl::string_view arg = argv[i];
    if (arg == "--") break;
    const std::optional<FlagArg> flag = AsFlag(arg);
    if (!flag.has_value() || IsAbseilUsageFlag(flag->name)) continue;
    absl::CommandLineFlag* registered = absl::FindCommandLineFlag(flag->name);
    if (registered == nullptr) {
      // "--nojson" turns a bool off.
      const absl::CommandLineFlag* negated =
          absl::StartsWith(flag->name, "no") ? absl::FindCommandLineFlag(flag->name.substr(2))
                                             : nullptr;
      if (negated != nullptr && negated->IsOfType<bool>() && !flag->value.has_value()) continue;
      return absl::StrFormat("unknown flag \"%s\" (see --help for the flags)", arg);
    }
    absl::string_view value;
    if (flag->value.has_value()) {
      value = *flag->value;
    } else if (registered->IsOfType<bool>()) {
      continue;
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      return absl::StrFormat("flag \"%s\" needs a value (--%s=VALUE)", arg, flag->name);
    }
    std::string error;
    if (!registered->ParseFrom(value, &error)) {
      // Abseil's own words only say "Illegal value"; say what would do.
      return absl::StrCat("--", flag->name, ": bad value \"", value, "\" (want ",
                          ExpectedValue(*registered), ")");
    }
  }
  return std::nullopt;
}

}  // namespace

std::string HelpText(const ProgramInfo& program, const HelpFilter& filter) {
  std::vector<absl::CommandLineFlag*> flags;
  for (const auto& [name, flag] : absl::GetAllFlags()) {
    if (!filter.all_flags && !IsProgramFlagFile(program, flag->Filename())) continue;
    if (!absl::StrContains(flag->Name(), filter.matching) &&
        !absl::StrContains(flag->Help(), filter.matching)) {
      continue;
    }
    flags.push_back(flag);
  }
  std::sort(flags.begin(), flags.end(),
            [](const absl::CommandLineFlag* a, const absl::CommandLineFlag* b) {
              return a->Name() < b->Name();
            });
  std::string text = absl::StrCat(program.name, ": ", program.usage, "\n\nFlags:\n");
  if (flags.empty()) absl::StrAppend(&text, "  none matching \"", filter.matching, "\"\n");
  for (const absl::CommandLineFlag* flag : flags) {
    const std::string default_value = flag->DefaultValue();
    absl::StrAppend(&text, "  --", flag->Name(),
                    default_value.empty() ? "" : absl::StrCat(" (default: ", default_value, ")"),
                    "\n", Wrap(flag->Help(), 6));
  }
  if (filter.matching.empty()) {
    absl::StrAppend(&text,
                    "  -h, --help\n      This help; --help=WORD: only flags that mention WORD.\n"
                    "  --version\n      The version and build.\n");
    if (!program.epilogue.empty()) absl::StrAppend(&text, "\n", program.epilogue, "\n");
  }
  return text;
}

std::optional<int> HandleHelpAndVersion(const ProgramInfo& program, int argc, char** argv) {
  absl::FlagsUsageConfig config;
  const std::string flags_file(program.flags_file);
  const std::string included(program.included_flags_file);
  config.contains_help_flags = [flags_file, included](absl::string_view file) {
    return SameFile(file, flags_file) || (!included.empty() && SameFile(file, included));
  };
  config.contains_helpshort_flags = config.contains_help_flags;
  const std::string name(program.name);
  config.version_string = [name] { return VersionLine(name) + "\n"; };
  absl::SetFlagsUsageConfig(config);
  // Abseil ends the program when the message is set twice; tests call this more than once.
  static bool usage_set = false;
  if (!usage_set) absl::SetProgramUsageMessage(program.usage);
  usage_set = true;

  for (int i = 1; i < argc; ++i) {
    const absl::string_view arg = argv[i];
    if (arg == "--") break;
    const std::optional<FlagArg> flag = AsFlag(arg);
    if (!flag.has_value()) continue;
    if (TakesNextArgument(*flag)) {
      ++i;
      continue;
    }
    if (flag->name == "help" && flag->value.has_value()) {
      HelpFilter filter;
      filter.matching = std::string(*flag->value);
      std::fputs(HelpText(program, filter).c_str(), stdout);
      return 0;
    }
    if (flag->value.has_value()) continue;
    if (flag->name == "h" || flag->name == "help" || flag->name == "helpshort" ||
        flag->name == "helpfull") {
      HelpFilter filter;
      filter.all_flags = flag->name == "helpfull";
      std::fputs(HelpText(program, filter).c_str(), stdout);
      return 0;
    }
    if (flag->name == "version") {
      std::puts(VersionLine(program.name).c_str());
      return 0;
    }
  }
  return std::nullopt;
}

std::optional<int> ParseCommandLine(const ProgramInfo& program, int argc, char** argv,
                                    std::vector<std::string>* positional) {
  if (const std::optional<int> answered = HandleHelpAndVersion(program, argc, argv)) {
    return answered;
  }
  if (const std::optional<std::string> problem = CheckFlags(argc, argv)) {
    return BadInput(program, *problem);
  }
  const std::vector<char*> rest = absl::ParseCommandLine(argc, argv);
  if (positional != nullptr) {
    positional->assign(rest.begin() + 1, rest.end());
  } else if (rest.size() > 1) {
    return BadInput(program, absl::StrFormat(
                                 "unexpected argument \"%s\" (flags look like --name=value)",
                                 rest[1]));
  }
  return std::nullopt;
}

}  // namespace reflector::base
