// pcap-reflect: what would a reflector send back? Classifies every frame of a capture file
// with the reflector's packet library and writes the frames it would reflect, as reflected.
// It takes reflectord's filter settings (profiles, rules, ...) as flags and reflectord's
// --config file (its [[rule]] tables too), read by the daemon's own code. No network, no
// privileges. With --capture it also writes every input frame (or those --capture_select
// names) with its verdict as a pcapng packet comment, as reflectord --capture would; with
// --capture_sent each reflected frame taken also as it would be sent, right after.
//   pcap-reflect --in=capture.pcapng --out=reflected.pcap --dst_mac=02:00:5e:10:00:02
//   pcap-reflect --in=tester.pcap --dst_mac=... --capture=verdicts.pcapng
//   tshark -r verdicts.pcapng -T fields -e frame.number -e frame.comment
#include <cstdio>
#include <optional>
#include <set>
#include <string>
#include <type_traits>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_format.h"
#include "platform/pcap/capture_file.h"
#include "reflector/base/cli.h"
#include "reflector/daemon/command_line.h"
#include "reflector/daemon/config_file.h"
#include "reflector/daemon/options.h"
#include "reflector/engine/capture/offline_capture.h"
#include "reflector/engine/offline_reflect.h"
#include "reflector/packet/config.h"

ABSL_FLAG(std::string, in, "", "Capture to classify (pcap or pcapng, Ethernet).");
ABSL_FLAG(std::string, out, "", "Where to write the reflected frames (pcap); empty: none.");
ABSL_FLAG(std::string, dst_mac, "",
          "The reflector's MAC: test frames must be sent to it (with --dst_mac_filter), and a "
          "source equal to it is a loop.");
ABSL_FLAG(std::string, config, "",
          "reflectord's TOML config file: its filter settings and [[rule]] tables apply (its "
          "other settings are checked, not used); flags given here win.");
// reflectord's capture settings, with offline defaults: every frame, whole (up to 2048 bytes),
// no bound on rate or size.
ABSL_FLAG(std::string, capture, "",
          "pcapng file to write every input frame to with its verdict as a packet comment");
ABSL_FLAG(std::string, capture_select, "all",
          "which frames: all, rejected, reflected, rejected:REASONS or rule names");
ABSL_FLAG(std::string, capture_sample, "1", "capture 1 in N of the selected frames");
ABSL_FLAG(std::string, capture_rate, "0",
          "at most this many frames a second of capture time; 0 = no bound");
ABSL_FLAG(std::string, capture_frames, "0", "at most this many frames; 0 = no bound");
ABSL_FLAG(std::string, capture_size, "0", "file size bound (bytes, k, M, G); 0 = none");
ABSL_FLAG(std::string, capture_snap, "2048", "bytes kept of each frame (14 to 2048)");
ABSL_FLAG(bool, capture_sent, false,
          "reflected frames: also the frame as it would be sent, right after the one received");

// reflectord's filter settings, as flags with the same names, defaults and help.
#define REFLECTOR_SETTING(name, type, default_value, reload, parser, help)
#define REFLECTOR_FILTER_SETTING(name, type, default_value, reload, parser, help) \
  ABSL_FLAG(type, name, default_value, help);
#include "reflector/daemon/settings.inc"
#undef REFLECTOR_FILTER_SETTING
#undef REFLECTOR_SETTING

namespace {

constexpr int kExitBadInput = 2;
constexpr int kExitWriteFailed = 1;

namespace daemon = reflector::daemon;
namespace packet = reflector::packet;

constexpr struct {
  const char* name;
  bool is_bool;
} kFilterSettings[] = {
#define REFLECTOR_SETTING(name, type, default_value, reload, parser, help)
#define REFLECTOR_FILTER_SETTING(name, type, default_value, reload, parser, help) \
  {#name, std::is_same_v<type, bool>},
#include "reflector/daemon/settings.inc"
#undef REFLECTOR_FILTER_SETTING
#undef REFLECTOR_SETTING
};

// The filter flags given on the command line: they win over the config file.
absl::StatusOr<std::set<std::string>> GivenFlags(const std::vector<std::string>& args) {
  std::vector<daemon::FlagSpec> known = daemon::AbseilFlags();
  for (const char* name : {"in", "out", "dst_mac", "config", "capture", "capture_select",
                           "capture_sample", "capture_rate", "capture_frames", "capture_size",
                           "capture_snap"}) {
    known.push_back({name});
  }
  known.push_back({"capture_sent", /*is_bool=*/true});
  for (const auto& setting : kFilterSettings) known.push_back({setting.name, setting.is_bool});
  return daemon::ScanCommandLine(args, known);
}

// The filter flags, then the config file for those not given, compiled for --dst_mac.
absl::StatusOr<packet::CompiledConfig> ConfigFromFlags(const std::set<std::string>& given) {
  daemon::Settings flags;
  for (const auto& setting : kFilterSettings) {
    flags[setting.name] = absl::FindCommandLineFlag(setting.name)->CurrentValue();
  }
  absl::StatusOr<daemon::DaemonOptions> options =
      daemon::LoadOptions(flags, given, absl::GetFlag(FLAGS_config));
  if (!options.ok()) return options.status();
  packet::FilterConfig config = options->filter;
  const std::string mac = absl::GetFlag(FLAGS_dst_mac);
  if (!mac.empty()) {
    absl::StatusOr<packet::MacAddress> parsed = packet::ParseMac(mac);
    if (!parsed.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("--dst_mac: ", parsed.status().message()));
    }
    config.interface_mac = *parsed;
  } else if (config.dst_mac_filter) {
    return absl::InvalidArgumentError(
        "--dst_mac (the reflector's MAC) is needed while --dst_mac_filter is on");
  }
  return packet::Compile(config);
}

// The capture_* flags, parsed by the daemon's own parser.
absl::StatusOr<reflector::engine::capture::CaptureOptions> CaptureFromFlags() {
  reflector::engine::capture::CaptureOptions options;
  for (const char* name : {"capture", "capture_select", "capture_sample", "capture_rate",
                           "capture_frames", "capture_size", "capture_snap", "capture_sent"}) {
    const absl::Status parsed = reflector::engine::capture::ParseCaptureSetting(
        name, absl::FindCommandLineFlag(name)->CurrentValue(), &options);
    if (!parsed.ok()) return parsed;
  }
  return options;
}

}  // namespace

int main(int argc, char** argv) {
  constexpr reflector::base::ProgramInfo kProgram = {
      "pcap-reflect",
      "classifies a capture as a reflector would and writes the frames it would send back.\n"
      "  pcap-reflect --in=in.pcap --out=out.pcap --dst_mac=MAC [--config=FILE] [--profile "
      "--port --oui --signatures --mode ... as reflectord]",
      __FILE__,
      "Prints the count per verdict and per rule (and with --capture what it captured). Exit "
      "codes: 0 done; 1 the output or the capture could not be written; 2 bad input (flags, a bad config file or rule, an unreadable capture, --out "
      "naming the input).",
      "reflector/daemon/settings.inc"};
  const std::vector<std::string> args(argv, argv + argc);
  if (const std::optional<int> done = reflector::base::ParseCommandLine(kProgram, argc, argv)) {
    return *done;
  }
  // ParseCommandLine has refused bad flags already; this only finds which were given.
  const absl::StatusOr<std::set<std::string>> given = GivenFlags(args);
  if (!given.ok()) {
    absl::FPrintF(stderr, "pcap-reflect: %s\n", given.status().message());
    return kExitBadInput;
  }
  if (absl::GetFlag(FLAGS_in).empty()) {
    absl::FPrintF(stderr, "pcap-reflect: --in is required\n");
    return kExitBadInput;
  }
  const absl::StatusOr<packet::CompiledConfig> config = ConfigFromFlags(*given);
  if (!config.ok()) {
    absl::FPrintF(stderr, "pcap-reflect: %s\n", config.status().message());
    return kExitBadInput;
  }
  const absl::StatusOr<reflector::engine::capture::CaptureOptions> capture = CaptureFromFlags();
  if (!capture.ok()) {
    absl::FPrintF(stderr, "pcap-reflect: %s\n", capture.status().message());
    return kExitBadInput;
  }
  if (const absl::Status same = reflector::platform::pcap::CheckOutputIsNotInput(
          absl::GetFlag(FLAGS_in), absl::GetFlag(FLAGS_out));
      !same.ok()) {
    absl::FPrintF(stderr, "pcap-reflect: %s\n", same.message());
    return kExitBadInput;
  }
  if (!reflector::platform::pcap::CheckOutputIsNotInput(absl::GetFlag(FLAGS_in), capture->path)
           .ok()) {
    absl::FPrintF(stderr, "pcap-reflect: --capture=%s is the input capture --in=%s\n",
                  capture->path, absl::GetFlag(FLAGS_in));
    return kExitBadInput;
  }
  const auto frames = reflector::platform::pcap::ReadCaptureFile(absl::GetFlag(FLAGS_in));
  if (!frames.ok()) {
    absl::FPrintF(stderr, "pcap-reflect: %s\n", frames.status().message());
    return kExitBadInput;
  }
  if (capture->enabled()) {
    const auto captured = reflector::engine::capture::CaptureFrames(*frames, *config, *capture);
    if (!captured.ok()) {
      absl::FPrintF(stderr, "pcap-reflect: %s\n", captured.status().message());
      return captured.status().code() == absl::StatusCode::kInvalidArgument ? kExitBadInput
                                                                             : kExitWriteFailed;
    }
    if (!captured->stopped.empty()) absl::FPrintF(stderr, "pcap-reflect: %s\n", captured->stopped);
    absl::FPrintF(stderr, "pcap-reflect: capture %s: %s\n", capture->path,
                  reflector::engine::capture::FormatCaptureStats(captured->stats));
  }
  const auto result = reflector::engine::ReflectFrames(*frames, config->wire);
  if (!absl::GetFlag(FLAGS_out).empty()) {
    const absl::Status written =
        reflector::platform::pcap::WriteCaptureFile(absl::GetFlag(FLAGS_out), result.reflected);
    if (!written.ok()) {
      absl::FPrintF(stderr, "pcap-reflect: %s\n", written.message());
      return kExitWriteFailed;
    }
  }
  std::vector<std::string> names;
  for (const packet::Rule& rule : config->rules) names.push_back(rule.name);
  absl::PrintF("%s\n", reflector::engine::FormatVerdictCounts(result, names));
  return 0;
}
