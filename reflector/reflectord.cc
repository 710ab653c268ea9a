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
#include "reflector/daemon/options.h"
#include "reflector/datapaths.h"

ABSL_FLAG(std::string, interface, "", "Interface to reflect on (required).");
ABSL_FLAG(std::string, datapath, "auto", "auto, xdp, afxdp or afpacket. auto tries them in order.");
ABSL_FLAG(std::string, mode, "all", "What to swap: all (MAC, IP, UDP ports), mac-ip, or mac.");
ABSL_FLAG(std::string, port, "3842", "UDP destination port of test frames; 0 = any.");
ABSL_FLAG(std::string, oui, "00:c0:17",
          "Allowed source MAC OUIs, comma-separated; empty or any = any.");
ABSL_FLAG(bool, dst_mac_filter, true, "Reflect only frames sent to the interface's own MAC.");
ABSL_FLAG(std::string, signatures, "ito,rfc2544,y1564",
          "Enabled signatures: ito (PROBEOT, DATA:OT, LATENCY), rfc2544, y1564, or single ones.");
ABSL_FLAG(bool, vlan, true, "Accept frames with up to two 802.1Q/802.1ad tags.");
ABSL_FLAG(bool, ipv6, true, "Accept IPv6 test frames.");
ABSL_FLAG(bool, monitor, false, "Classify and count only; reflect nothing (a safe first run).");
ABSL_FLAG(std::string, queues, "0", "Worker queues; 0 = one per RX queue of the interface.");
ABSL_FLAG(std::string, cpus, "", "CPUs for the workers, e.g. 0,2-3 (worker i on the i-th).");
ABSL_FLAG(std::string, zero_copy, "auto", "AF_XDP zero-copy: auto, on or off.");
ABSL_FLAG(std::string, xdp_mode, "auto",
          "XDP attach mode: auto (native, else generic), native, generic.");
ABSL_FLAG(std::string, stats_interval, "1s",
          "Seconds or a duration between stats lines; 0 = none.");
ABSL_FLAG(std::string, stats_format, "text", "Stats lines as text, json (JSON Lines) or csv.");
ABSL_FLAG(std::string, log_level, "info", "error, warning, info or debug.");
ABSL_FLAG(std::string, config, "", "TOML file with the same settings; flags given here win.");

namespace {

using reflector::daemon::DaemonOptions;
using reflector::daemon::FlagSpec;
using reflector::daemon::Settings;

std::vector<FlagSpec> KnownFlags() {
  std::vector<FlagSpec> flags;
  for (const std::string& name : reflector::daemon::SettingNames()) {
    flags.push_back(
        {name, name == "dst_mac_filter" || name == "vlan" || name == "ipv6" || name == "monitor"});
  }
  flags.push_back({"config"});
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

// Current flag values, then the config file for every setting the command line left alone.
absl::StatusOr<DaemonOptions> LoadOptions(const std::set<std::string>& given) {
  Settings settings;
  for (const std::string& name : reflector::daemon::SettingNames()) {
    settings[name] = absl::FindCommandLineFlag(name)->CurrentValue();
  }
  const std::string config_path = absl::GetFlag(FLAGS_config);
  if (!config_path.empty()) {
    absl::StatusOr<Settings> file = reflector::daemon::LoadConfigFile(config_path);
    if (!file.ok()) return file.status();
    for (const auto& [name, value] : *file) {
      if (!given.count(name)) settings[name] = value;
    }
  }
  return reflector::daemon::ParseOptions(settings);
}

}  // namespace

int main(int argc, char** argv) {
  reflector::daemon::BlockDaemonSignals();
  constexpr reflector::base::ProgramInfo kProgram = {
      "reflectord",
      "reflects network testers' UDP test frames back to them.\n"
      "  reflectord --interface=eth0 [--datapath=auto|xdp|afxdp|afpacket] [--config=FILE]",
      __FILE__, ""};
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
  absl::StatusOr<DaemonOptions> options = LoadOptions(*given);
  if (!options.ok()) {
    absl::FPrintF(stderr, "reflectord: %s\n", options.status().message());
    return reflector::daemon::kExitBadInput;
  }
  reflector::daemon::DaemonHooks hooks;
  // Only a config file can change while running; without one SIGHUP has nothing to reload.
  if (!absl::GetFlag(FLAGS_config).empty()) {
    hooks.reload = [given = *given] { return LoadOptions(given); };
  }
  hooks.datapaths = reflector::DataPaths();
  return reflector::daemon::RunDaemon(*options, hooks);
}
