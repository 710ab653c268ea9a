#include "reflector/daemon/command_line.h"

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_format.h"
#include "reflector/daemon/options.h"

namespace reflector::daemon {

std::vector<FlagSpec> AbseilFlags() {
  std::vector<FlagSpec> flags;
  for (const char* builtin :
       {"help", "helpfull", "helpshort", "helppackage", "version", "only_check_args"}) {
    flags.push_back({builtin, true});
  }
  for (const char* builtin :
       {"helpon", "helpmatch", "flagfile", "fromenv", "tryfromenv", "undefok"}) {
    flags.push_back({builtin});
  }
  return flags;
}

absl::StatusOr<std::set<std::string>> ScanCommandLine(const std::vector<std::string>& args,
                                                      const std::vector<FlagSpec>& flags) {
  std::set<std::string> given;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") break;
    if (arg.size() < 2 || arg[0] != '-') continue;  // positional
    std::string body = arg.substr(arg[1] == '-' ? 2 : 1);
    std::string value;
    const size_t eq = body.find('=');
    const bool has_value = eq != std::string::npos;
    if (has_value) {
      value = body.substr(eq + 1);
      body = body.substr(0, eq);
    }
    const FlagSpec* spec = nullptr;
    for (const FlagSpec& flag : flags) {
      if (flag.name == body) spec = &flag;
      if (flag.is_bool && !has_value && "no" + flag.name == body) spec = &flag;
    }
    if (spec == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrFormat("unknown flag \"%s\" (see --help for the flags)", arg));
    }
    if (spec->is_bool && has_value) {
      auto parsed = ParseBool(spec->name, value);
      if (!parsed.ok()) return parsed.status();
    }
    if (!spec->is_bool && !has_value) {
      if (i + 1 >= args.size()) {
        return absl::InvalidArgumentError(
            absl::StrFormat("flag \"%s\" needs a value (--%s=VALUE)", arg, spec->name));
      }
      ++i;  // "--flag value"
    }
    given.insert(spec->name);
  }
  return given;
}

}  // namespace reflector::daemon
