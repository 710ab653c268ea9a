// The user-facing parsers of reflector/packet/config.h and the daemon's config file: whatever
// the text, they return a value or an InvalidArgument status (never crash), and formatting a
// value parses back to it.
//
// Input: one selector byte naming the parser, then the text. Selectors are letters so that
// corpus files read as what they test ("p3842", "o00:c0:17,any", "fport = 3842").
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "reflector/daemon/config_file.h"
#include "reflector/daemon/options.h"
#include "reflector/packet/config.h"
#include "reflector/packet/packet.h"
#include "reflector/packet/rate_limit.h"

namespace reflector::fuzz {
namespace {

using packet::MacAddress;
using packet::Mode;
using packet::Oui;

[[noreturn]] void Fail(const std::string& what, absl::string_view text) {
  std::fprintf(stderr, "config_fuzzer: %s\ninput text (%zu bytes): \"%s\"\n", what.c_str(),
               text.size(), absl::CHexEscape(text).c_str());
  std::abort();
}

// A rejection must be a status a user can act on: InvalidArgument with a message.
template <typename T>
bool Accepted(const absl::StatusOr<T>& result, absl::string_view text) {
  if (result.ok()) return true;
  if (result.status().code() != absl::StatusCode::kInvalidArgument) {
    Fail("a parser failed with a code other than InvalidArgument", text);
  }
  if (result.status().message().empty()) Fail("a parser failed without a message", text);
  return false;
}

// Parses `text`; when accepted, checks that formatting the value parses back to it and returns
// the value for the parser's own checks.
template <typename Parse, typename Format>
auto ParseRoundTrip(absl::string_view text, Parse parse, Format format, const char* what)
    -> std::optional<typename decltype(parse(text))::value_type> {
  const auto value = parse(text);
  if (!Accepted(value, text)) return std::nullopt;
  const auto again = parse(format(*value));
  if (!again.ok() || *again != *value) Fail(absl::StrCat(what, "(format(x)) != x"), text);
  return *value;
}

void FuzzMac(absl::string_view text) {
  ParseRoundTrip(text, packet::ParseMac, packet::FormatMac, "ParseMac");
}

void FuzzOuiList(absl::string_view text) {
  const auto ouis =
      ParseRoundTrip(text, packet::ParseOuiList, packet::FormatOuiList, "ParseOuiList");
  if (ouis.has_value() && ouis->size() > RF_MAX_OUIS) {
    Fail("ParseOuiList accepted more than RF_MAX_OUIS", text);
  }
}

void FuzzPort(absl::string_view text) {
  ParseRoundTrip(
      text, packet::ParsePort, [](uint16_t port) { return absl::StrCat(port); }, "ParsePort");
}

void FuzzSignatures(absl::string_view text) {
  const auto bits =
      ParseRoundTrip(text, packet::ParseSignatures, packet::FormatSignatures, "ParseSignatures");
  // Every accepted name enables something; ToWire relies on it to refuse an empty set.
  if (bits.has_value() && (*bits == 0 || (*bits & ~RF_SIGS_ALL) != 0)) {
    Fail("ParseSignatures gave an invalid set", text);
  }
}

void FuzzRateLimit(absl::string_view text) {
  const auto limit = ParseRoundTrip(text, packet::ParseRateLimit, packet::FormatRateLimit,
                                    "ParseRateLimit");
  if (!limit.has_value()) return;
  if (limit->frames_per_second > packet::kMaxFramesPerSecond ||
      limit->bits_per_second > packet::kMaxBitsPerSecond ||
      (limit->bits_per_second != 0 && limit->bits_per_second < packet::kMinBitsPerSecond)) {
    Fail("ParseRateLimit accepted a rate out of range", text);
  }
  // A set cap costs something per frame (the data paths take a zero cost as no cap).
  const rf_rate_cap cap = packet::ToWireCap(*limit);
  if ((limit->frames_per_second != 0) != (cap.frame_cost != 0) ||
      (limit->bits_per_second != 0) != (cap.byte_cost != 0)) {
    Fail("ToWireCap turned a set cap into no cap", text);
  }
}

void FuzzMode(absl::string_view text) {
  ParseRoundTrip(text, packet::ParseMode, packet::ModeName, "ParseMode");
}

// A whole config file, as reflectord --config and SIGHUP read it: TOML syntax errors, unknown
// keys and wrongly shaped values must be InvalidArgument errors located in the file, and
// whatever it parses to must then either validate into options or fail the same way.
void FuzzConfigFile(absl::string_view text) {
  constexpr absl::string_view kOrigin = "fuzz.toml";
  const absl::StatusOr<daemon::ConfigFile> file = daemon::ParseConfigText(text, kOrigin);
  if (!Accepted(file, text)) {
    // "fuzz.toml:3:7: ...": a user with a long file needs the place, not only the problem.
    if (!absl::StartsWith(file.status().message(), absl::StrCat(kOrigin, ":"))) {
      Fail("a config-file error does not name the file and line", text);
    }
    return;
  }
  const absl::StatusOr<daemon::DaemonOptions> options =
      daemon::ParseOptions(file->settings, file->rules);
  if (!Accepted(options, text)) return;
  // What the daemon hands the data paths next: ToWire may refuse a filter only with a reason.
  Accepted(packet::ToWire(options->filter), text);
}

// The other direction, over every value the bytes can name: format, then parse back.
void FormatThenParse(absl::string_view bytes) {
  const auto byte = [&bytes](size_t i) -> uint8_t { return i < bytes.size() ? bytes[i] : 0; };
  const MacAddress mac = {byte(0), byte(1), byte(2), byte(3), byte(4), byte(5)};
  const absl::StatusOr<MacAddress> parsed_mac = packet::ParseMac(packet::FormatMac(mac));
  if (!parsed_mac.ok() || *parsed_mac != mac) Fail("FormatMac does not parse back", bytes);

  std::vector<Oui> ouis;
  for (size_t i = 0; i + 3 <= bytes.size() && ouis.size() < RF_MAX_OUIS; i += 3) {
    ouis.push_back(Oui{byte(i), byte(i + 1), byte(i + 2)});
  }
  const absl::StatusOr<std::vector<Oui>> parsed_ouis =
      packet::ParseOuiList(packet::FormatOuiList(ouis));
  if (!parsed_ouis.ok() || *parsed_ouis != ouis) Fail("FormatOuiList does not parse back", bytes);

  const uint16_t port = static_cast<uint16_t>(byte(0) << 8 | byte(1));
  const absl::StatusOr<uint16_t> parsed_port = packet::ParsePort(absl::StrCat(port));
  if (!parsed_port.ok() || *parsed_port != port) Fail("a port does not parse back", bytes);

  const uint8_t bits = byte(0) & RF_SIGS_ALL;
  if (bits != 0) {
    const absl::StatusOr<uint8_t> parsed = packet::ParseSignatures(packet::FormatSignatures(bits));
    if (!parsed.ok() || *parsed != bits) Fail("FormatSignatures does not parse back", bytes);
  }
}

void FuzzConfig(absl::string_view data) {
  if (data.empty()) return;
  const absl::string_view text = data.substr(1);
  switch (data[0]) {
    case 'm':
      FuzzMac(text);
      break;
    case 'o':
      FuzzOuiList(text);
      break;
    case 'p':
      FuzzPort(text);
      break;
    case 's':
      FuzzSignatures(text);
      break;
    case 'd':  // "datapath" mode: all, mac-ip, mac
      FuzzMode(text);
      break;
    case 'r':  // a rate cap: "100kfps,500Mbit"
      FuzzRateLimit(text);
      break;
    case 'v':
      FormatThenParse(text);
      break;
    case 'f':  // a whole reflectord config file
      FuzzConfigFile(text);
      break;
    default:
      break;
  }
}

}  // namespace
}  // namespace reflector::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  reflector::fuzz::FuzzConfig(absl::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
