// reflectord: reflects network testers' test frames (SPEC §6).
//   bazel run //reflector:reflectord -- --interface=eth0
#include <cstdio>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/strings/str_format.h"
#include "reflector/base/cli.h"
#include "reflector/daemon/command_line.h"
#include "reflector/daemon/config_file.h"
#include "reflector/daemon/daemon.h"
#include "reflector/daemon/http/dashboard.h"
#include "reflector/daemon/options.h"
#include "reflector/datapaths.h"

// One flag per setting, from the declarations the config file and SIGHUP also use.
#define REFLECTOR_SETTING(name, type, default_value, reload, parser, help) \
  ABSL_FLAG(type, name, default_value, help);
#include "reflector/daemon/settings.inc"
#undef REFLECTOR_SETTING
ABSL_FLAG(std::string, config, "",
          "TOML file with the same settings and [[rule]] tables; flags given here win.");

namespace {

using reflector::daemon::DaemonOptions;
using reflector::daemon::FlagSpec;
using reflector::daemon::Settings;

std::vector<FlagSpec> KnownFlags() {
  std::vector<FlagSpec> flags;
  for (const reflector::daemon::SettingSpec& setting : reflector::daemon::AllSettings()) {
    flags.push_back({std::string(setting.name), setting.is_bool});
  }
  flags.push_back({"config"});
  for (const FlagSpec& builtin : reflector::daemon::AbseilFlags()) flags.push_back(builtin);
  return flags;
}

// Current flag values; the config file for every setting the command line left alone.
absl::StatusOr<DaemonOptions> CurrentOptions(const std::set<std::string>& given) {
  Settings flags;
  for (const std::string& name : reflector::daemon::SettingNames()) {
    flags[name] = absl::FindCommandLineFlag(name)->CurrentValue();
  }
  return reflector::daemon::LoadOptions(flags, given, absl::GetFlag(FLAGS_config));
}

}  // namespace

int main(int argc, char** argv) {
  reflector::daemon::BlockDaemonSignals();
  constexpr reflector::base::ProgramInfo kProgram = {
      "reflectord",
      "reflects network testers' UDP test frames back to them.\n"
      "  reflectord --interface=eth0 [--datapath=auto|xdp|afxdp|afpacket] [--config=FILE]",
      __FILE__, "", "reflector/daemon/settings.inc"};
  if (const std::optional<int> done = reflector::base::HandleHelpAndVersion(kProgram, argc, argv)) {
    return *done;
  }
  const std::vector<std::string> args(argv, argv + argc);
  absl::StatusOr<std::set<std::string>> given =
      reflector::daemon::ScanCommandLine(args, KnownFlags());
  if (!given.ok()) {
    absl::FPrintF(stderr, "reflectord: %s\n", given.status().message());
    return reflector::daemon::kExitBadInput;
  }
  const std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  if (positional.size() > 1) {
    absl::FPrintF(stderr, "reflectord: unexpected argument \"%s\" (flags look like --name=value)\n",
                  positional[1]);
    return reflector::daemon::kExitBadInput;
  }
  absl::StatusOr<DaemonOptions> options = CurrentOptions(*given);
  if (!options.ok()) {
    absl::FPrintF(stderr, "reflectord: %s\n", options.status().message());
    return reflector::daemon::kExitBadInput;
  }
  reflector::daemon::DaemonHooks hooks;
  // Only a config file can change while running; without one SIGHUP has nothing to reload.
  if (!absl::GetFlag(FLAGS_config).empty()) {
    hooks.reload = [given = *given] { return CurrentOptions(given); };
  }
  hooks.datapaths = reflector::DataPaths();
  hooks.http_assets = reflector::daemon::http::DashboardAssets();
  return reflector::daemon::RunDaemon(*options, hooks);
}
