// pcap-reflect: what would a reflector send back? Classifies every frame of a capture file
// with the reflector's packet library and writes the frames it would reflect, as reflected.
// No network, no privileges.
//   pcap-reflect --in=capture.pcapng --out=reflected.pcap --dst_mac=02:00:5e:10:00:02
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_format.h"
#include "reflector/base/cli.h"
#include "reflector/packet/config.h"
#include "platform/pcap/capture_file.h"
#include "reflector/engine/offline_reflect.h"

ABSL_FLAG(std::string, in, "", "Capture to classify (pcap or pcapng, Ethernet).");
ABSL_FLAG(std::string, out, "", "Where to write the reflected frames (pcap); empty: none.");
ABSL_FLAG(std::string, dst_mac, "",
          "The reflector's MAC: test frames must be sent to it (with --dst_mac_filter), and a "
          "source equal to it is a loop.");
ABSL_FLAG(bool, dst_mac_filter, true, "Reflect only frames sent to --dst_mac.");
ABSL_FLAG(std::string, port, "3842", "UDP destination port of test frames; 0 = any.");
ABSL_FLAG(std::string, oui, "00:c0:17", "Allowed source MAC OUIs, comma-separated; any = any.");
ABSL_FLAG(std::string, signatures, "ito,rfc2544,y1564", "Enabled signatures.");
ABSL_FLAG(bool, vlan, true, "Accept frames with up to two 802.1Q/802.1ad tags.");
ABSL_FLAG(bool, ipv6, true, "Accept IPv6 test frames.");
ABSL_FLAG(std::string, mode, "all", "What to swap: all, mac-ip or mac.");

namespace {

constexpr int kExitBadInput = 2;
constexpr int kExitWriteFailed = 1;

namespace packet = reflector::packet;

absl::StatusOr<rf_config> ConfigFromFlags() {
  packet::FilterConfig config;
  config.dst_mac_filter = absl::GetFlag(FLAGS_dst_mac_filter);
  const std::string mac = absl::GetFlag(FLAGS_dst_mac);
  if (!mac.empty()) {
    absl::StatusOr<packet::MacAddress> parsed = packet::ParseMac(mac);
    if (!parsed.ok()) return absl::InvalidArgumentError(absl::StrCat("--dst_mac: ", parsed.status().message()));
    config.interface_mac = *parsed;
  } else if (config.dst_mac_filter) {
    return absl::InvalidArgumentError(
        "--dst_mac (the reflector's MAC) is needed while --dst_mac_filter is on");
  }
  absl::StatusOr<uint16_t> port = packet::ParsePort(absl::GetFlag(FLAGS_port));
  if (!port.ok()) return absl::InvalidArgumentError(absl::StrCat("--port: ", port.status().message()));
  config.port = *port;
  absl::StatusOr<std::vector<packet::Oui>> ouis = packet::ParseOuiList(absl::GetFlag(FLAGS_oui));
  if (!ouis.ok()) return absl::InvalidArgumentError(absl::StrCat("--oui: ", ouis.status().message()));
  config.ouis = *ouis;
  absl::StatusOr<uint8_t> signatures = packet::ParseSignatures(absl::GetFlag(FLAGS_signatures));
  if (!signatures.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("--signatures: ", signatures.status().message()));
  }
  config.signatures = *signatures;
  config.vlan = absl::GetFlag(FLAGS_vlan);
  config.ipv6 = absl::GetFlag(FLAGS_ipv6);
  absl::StatusOr<packet::Mode> mode = packet::ParseMode(absl::GetFlag(FLAGS_mode));
  if (!mode.ok()) return absl::InvalidArgumentError(absl::StrCat("--mode: ", mode.status().message()));
  config.mode = *mode;
  return packet::ToWire(config);
}

}  // namespace

int main(int argc, char** argv) {
  constexpr reflector::base::ProgramInfo kProgram = {
      "pcap-reflect",
      "classifies a capture as a reflector would and writes the frames it would send back.\n"
      "  pcap-reflect --in=in.pcap --out=out.pcap --dst_mac=MAC [--port --oui --signatures "
      "--vlan --ipv6 --mode --dst_mac_filter]",
      __FILE__,
      "Exit codes: 0 done; 1 the output could not be written; 2 bad input (flags, an unreadable "
      "capture, --out naming the input)."};
  if (const std::optional<int> done = reflector::base::ParseCommandLine(kProgram, argc, argv)) {
    return *done;
  }
  if (absl::GetFlag(FLAGS_in).empty()) {
    absl::FPrintF(stderr, "pcap-reflect: --in is required\n");
    return kExitBadInput;
  }
  const absl::StatusOr<rf_config> config = ConfigFromFlags();
  if (!config.ok()) {
    absl::FPrintF(stderr, "pcap-reflect: %s\n", config.status().message());
    return kExitBadInput;
  }
  if (const absl::Status same = reflector::platform::pcap::CheckOutputIsNotInput(
          absl::GetFlag(FLAGS_in), absl::GetFlag(FLAGS_out));
      !same.ok()) {
    absl::FPrintF(stderr, "pcap-reflect: %s\n", same.message());
    return kExitBadInput;
  }
  const auto frames = reflector::platform::pcap::ReadCaptureFile(absl::GetFlag(FLAGS_in));
  if (!frames.ok()) {
    absl::FPrintF(stderr, "pcap-reflect: %s\n", frames.status().message());
    return kExitBadInput;
  }
  const auto result = reflector::engine::ReflectFrames(*frames, *config);
  if (!absl::GetFlag(FLAGS_out).empty()) {
    const absl::Status written =
        reflector::platform::pcap::WriteCaptureFile(absl::GetFlag(FLAGS_out), result.reflected);
    if (!written.ok()) {
      absl::FPrintF(stderr, "pcap-reflect: %s\n", written.message());
      return kExitWriteFailed;
    }
  }
  absl::PrintF("%s\n", reflector::engine::FormatVerdictCounts(result));
  return 0;
}
