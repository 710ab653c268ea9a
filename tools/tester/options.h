// Parsers and checks for the tester's command line, kept out of main.cc so they are tested.
// Every failure is InvalidArgument with a message fit for one line of stderr.
#ifndef REFLECTOR_TOOLS_TESTER_OPTIONS_H_
#define REFLECTOR_TOOLS_TESTER_OPTIONS_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "reflector/packet/config.h"
#include "reflector/packet/packet.h"
#include "tools/tester/trial_result.h"

namespace reflector::tester {

// Frames per second: "10000", "2.5k", "1M", or "max" (0: as fast as the engine goes).
absl::StatusOr<double> ParseRate(absl::string_view text);
// probeot, dataot, latency, rfc2544, y1564, or none (nullopt: frames no signature rule
// matches, for a reflector's loopback or custom rules).
absl::StatusOr<std::optional<packet::Signature>> ParseSignatureName(absl::string_view text);
// --pattern: hex bytes ("52:46:43", "524643"), 1..kMaxPatternLength of them; "" is none.
absl::StatusOr<std::vector<uint8_t>> ParsePattern(absl::string_view text);
// precise, linerate.
absl::StatusOr<Engine> ParseEngine(absl::string_view text);
// "64,128,1518": each 64..9000.
absl::StatusOr<std::vector<size_t>> ParseFrameSizes(absl::string_view text);

// The source MAC from --src_mac: "auto", "interface" or a MAC. auto: NetAlly's OUI 00:c0:17,
// the OUI real ITO testers send from and the only one a default reflectord accepts, with the
// last three bytes of the interface's MAC.
absl::StatusOr<packet::MacAddress> ChooseSourceMac(absl::string_view flag,
                                                   const packet::MacAddress& interface_mac);

// --loss_threshold: a percentage, 0..100.
absl::Status CheckLossThreshold(double percent);

// Ethernet line rate in frames per second at `link_mbps` (preamble, start delimiter and
// inter-frame gap included: 20 bytes per frame). 10000 Mbit/s at 64 bytes: 14,880,952.
double LineRateFps(double link_mbps, size_t frame_size);

// The rate in frames per second from --rate and --rate_mbps (at most one of them set), checked
// against the link's speed when the interface reports one (`link_mbps` > 0).
absl::StatusOr<double> ResolveRate(std::optional<double> rate_fps, double rate_mbps,
                                   size_t frame_size, double link_mbps);

}  // namespace reflector::tester

#endif  // REFLECTOR_TOOLS_TESTER_OPTIONS_H_
