#include "tools/tester/options.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "tools/tester/stream_frame.h"

namespace reflector::tester {

absl::StatusOr<double> ParseRate(absl::string_view text) {
  const std::string lower = absl::AsciiStrToLower(absl::StripAsciiWhitespace(text));
  if (lower == "max") return 0.0;
  double scale = 1;
  absl::string_view digits = lower;
  if (!digits.empty() && (digits.back() == 'k' || digits.back() == 'm')) {
    scale = digits.back() == 'k' ? 1e3 : 1e6;
    digits.remove_suffix(1);
  }
  double value = 0;
  if (!absl::SimpleAtod(digits, &value) || !std::isfinite(value) || value <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "impossible rate \"", text, "\": give frames per second above 0 (10000, 2.5k, 1M) or max"));
  }
  return value * scale;
}

absl::StatusOr<std::optional<packet::Signature>> ParseSignatureName(absl::string_view text) {
  const std::string lower = absl::AsciiStrToLower(text);
  if (lower == "none") return std::optional<packet::Signature>();
  for (int i = 0; i < packet::kSignatureCount; ++i) {
    const auto signature = static_cast<packet::Signature>(i);
    if (lower == packet::SignatureName(signature)) return signature;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown signature \"", text, "\": probeot, dataot, latency, rfc2544, y1564 or none"));
}

absl::StatusOr<std::vector<uint8_t>> ParsePattern(absl::string_view text) {
  if (text.empty()) return std::vector<uint8_t>();
  absl::StatusOr<std::vector<uint8_t>> bytes = packet::ParseHexBytes(text);
  if (!bytes.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("--pattern: ", bytes.status().message()));
  }
  if (bytes->empty() || bytes->size() > kMaxPatternLength) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "--pattern=%s has %d bytes: give 1..%d hex bytes (52:46:43)", text, bytes->size(),
        kMaxPatternLength));
  }
  return *bytes;
}

absl::StatusOr<Engine> ParseEngine(absl::string_view text) {
  if (text == "precise") return Engine::kPrecise;
  if (text == "linerate") return Engine::kLineRate;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown engine \"", text, "\": precise or linerate"));
}

absl::StatusOr<std::vector<size_t>> ParseFrameSizes(absl::string_view text) {
  std::vector<size_t> sizes;
  for (absl::string_view part : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    size_t size = 0;
    if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(part), &size) || size < kMinFrameSize ||
        size > kMaxFrameSize) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "frame size \"%s\" is not a number of bytes in %d..%d", part, kMinFrameSize,
          kMaxFrameSize));
    }
    sizes.push_back(size);
  }
  if (sizes.empty()) return absl::InvalidArgumentError("no frame size given");
  return sizes;
}

absl::StatusOr<packet::MacAddress> ChooseSourceMac(absl::string_view flag,
                                                   const packet::MacAddress& interface_mac) {
  if (flag == "interface") return interface_mac;
  if (flag == "auto") {
    packet::MacAddress mac = interface_mac;
    std::copy(packet::kNetAllyOui.begin(), packet::kNetAllyOui.end(), mac.begin());
    return mac;
  }
  absl::StatusOr<packet::MacAddress> mac = packet::ParseMac(flag);
  if (!mac.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--src_mac: ", mac.status().message(), " (or auto, interface)"));
  }
  if ((*mac)[0] & 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--src_mac=", flag, " is a group (multicast) address: no reflector answers it"));
  }
  return *mac;
}

absl::Status CheckLossThreshold(double percent) {
  if (!(percent >= 0 && percent <= 100)) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "--loss_threshold=%g must be a percentage from 0 to 100 (0: one lost frame fails)",
        percent));
  }
  return absl::OkStatus();
}

double LineRateFps(double link_mbps, size_t frame_size) {
  return link_mbps * 1e6 / (static_cast<double>(frame_size + 20) * 8);
}

absl::StatusOr<double> ResolveRate(std::optional<double> rate_fps, double rate_mbps,
                                   size_t frame_size, double link_mbps) {
  if (rate_mbps < 0 || !std::isfinite(rate_mbps)) {
    return absl::InvalidArgumentError(
        absl::StrFormat("impossible rate: --rate_mbps=%g must be above 0", rate_mbps));
  }
  double fps = rate_fps.value_or(0);
  if (rate_mbps > 0) {
    if (rate_fps.has_value()) {
      return absl::InvalidArgumentError("give --rate or --rate_mbps, not both");
    }
    fps = rate_mbps * 1e6 / (static_cast<double>(frame_size) * 8);
  }
  if (fps > 0 && link_mbps > 0 && fps > LineRateFps(link_mbps, frame_size) * 1.0001) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "impossible rate: %.0f fps of %d-byte frames exceeds the %.0f Mbit/s link "
        "(%.0f fps at most)",
        fps, frame_size, link_mbps, LineRateFps(link_mbps, frame_size)));
  }
  return fps;
}

}  // namespace reflector::tester
