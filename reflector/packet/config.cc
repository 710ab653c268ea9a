#include "reflector/packet/config.h"

#include <algorithm>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "reflector/base/status_macros.h"

namespace reflector::packet {
namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Parses `groups` colon-separated pairs of hex digits into `out`.
absl::Status ParseHexGroups(absl::string_view text, absl::string_view what,
                            absl::string_view example, uint8_t* out, size_t groups) {
  const std::vector<absl::string_view> parts = absl::StrSplit(text, ':');
  if (parts.size() != groups) {
    return absl::InvalidArgumentError(
        absl::StrFormat("invalid %s \"%s\": expected %d colon-separated bytes like %s", what,
                        text, groups, example));
  }
  for (size_t i = 0; i < groups; ++i) {
    const absl::string_view part = parts[i];
    if (part.size() != 2 || HexDigit(part[0]) < 0 || HexDigit(part[1]) < 0) {
      return absl::InvalidArgumentError(
          absl::StrFormat("invalid %s \"%s\": \"%s\" is not two hex digits (expected %s)", what,
                          text, part, example));
    }
    out[i] = static_cast<uint8_t>(HexDigit(part[0]) * 16 + HexDigit(part[1]));
  }
  return absl::OkStatus();
}

struct SignatureGroup {
  absl::string_view name;
  uint8_t bits;
};

constexpr SignatureGroup kSignatureGroups[] = {
    {"all", RF_SIGS_ALL},
    {"ito", RF_SIGS_ITO},
    {"rfc2544", RF_SIG_BIT(RF_SIG_RFC2544)},
    {"y1564", RF_SIG_BIT(RF_SIG_Y1564)},
    {"probeot", RF_SIG_BIT(RF_SIG_PROBEOT)},
    {"dataot", RF_SIG_BIT(RF_SIG_DATAOT)},
    {"latency", RF_SIG_BIT(RF_SIG_LATENCY)},
};

}  // namespace

absl::StatusOr<rf_config> ToWire(const FilterConfig& config) {
  if (config.ouis.size() > RF_MAX_OUIS) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "too many OUIs: %d given, at most %d supported", config.ouis.size(), RF_MAX_OUIS));
  }
  if ((config.signatures & RF_SIGS_ALL) == 0) {
    return absl::InvalidArgumentError("no signature enabled: nothing would ever be reflected");
  }
  rf_config wire;
  std::memset(&wire, 0, sizeof(wire));
  std::memcpy(wire.if_mac, config.interface_mac.data(), RF_ETH_ALEN);
  wire.port = config.port;
  for (size_t i = 0; i < config.ouis.size(); ++i) {
    std::memcpy(wire.ouis[i], config.ouis[i].data(), 3);
  }
  wire.oui_count = static_cast<__u8>(config.ouis.size());
  wire.signatures = config.signatures & RF_SIGS_ALL;
  wire.flags = (config.dst_mac_filter ? RF_CFG_DST_MAC_FILTER : 0) |
               (config.vlan ? RF_CFG_VLAN : 0) | (config.ipv6 ? RF_CFG_IPV6 : 0);
  wire.mode = static_cast<__u8>(config.mode);
  return wire;
}

absl::StatusOr<MacAddress> ParseMac(absl::string_view text) {
  MacAddress mac;
  REFLECTOR_RETURN_IF_ERROR(
      ParseHexGroups(text, "MAC address", "aa:bb:cc:dd:ee:ff", mac.data(), mac.size()));
  return mac;
}

absl::StatusOr<std::vector<Oui>> ParseOuiList(absl::string_view text) {
  std::vector<Oui> ouis;
  const absl::string_view trimmed = absl::StripAsciiWhitespace(text);
  if (trimmed.empty() || trimmed == "any") return ouis;
  for (absl::string_view token : absl::StrSplit(trimmed, ',')) {
    token = absl::StripAsciiWhitespace(token);
    Oui oui;
    REFLECTOR_RETURN_IF_ERROR(ParseHexGroups(token, "OUI", "00:c0:17", oui.data(), oui.size()));
    ouis.push_back(oui);
  }
  if (ouis.size() > RF_MAX_OUIS) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "invalid OUI list: %d OUIs given, at most %d supported", ouis.size(), RF_MAX_OUIS));
  }
  return ouis;
}

absl::StatusOr<uint16_t> ParsePort(absl::string_view text) {
  const absl::string_view trimmed = absl::StripAsciiWhitespace(text);
  uint32_t port = 0;
  const bool digits_only =
      !trimmed.empty() && trimmed.size() <= 5 &&
      std::all_of(trimmed.begin(), trimmed.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!digits_only || !absl::SimpleAtoi(trimmed, &port) || port > 65535) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "invalid port \"%s\": expected a number from 0 to 65535 (0 = any port)", text));
  }
  return static_cast<uint16_t>(port);
}

absl::StatusOr<uint8_t> ParseSignatures(absl::string_view text) {
  uint8_t bits = 0;
  for (absl::string_view token : absl::StrSplit(text, ',')) {
    token = absl::StripAsciiWhitespace(token);
    const std::string lower = absl::AsciiStrToLower(token);
    const SignatureGroup* match = nullptr;
    for (const SignatureGroup& group : kSignatureGroups) {
      if (group.name == lower) match = &group;
    }
    if (match == nullptr) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "invalid signature \"%s\" in \"%s\": expected a comma-separated list of ito, "
          "rfc2544, y1564, probeot, dataot, latency or all",
          token, text));
    }
    bits |= match->bits;
  }
  return bits;
}

absl::StatusOr<Mode> ParseMode(absl::string_view text) {
  for (Mode mode : kAllModes) {
    if (ModeName(mode) == text) return mode;
  }
  return absl::InvalidArgumentError(
      absl::StrFormat("invalid mode \"%s\": expected all, mac-ip or mac", text));
}

std::string FormatMac(const MacAddress& mac) {
  return absl::StrFormat("%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
                         mac[4], mac[5]);
}

std::string FormatOuiList(const std::vector<Oui>& ouis) {
  if (ouis.empty()) return "any";
  return absl::StrJoin(ouis, ",", [](std::string* out, const Oui& oui) {
    absl::StrAppendFormat(out, "%02x:%02x:%02x", oui[0], oui[1], oui[2]);
  });
}

std::string FormatSignatures(uint8_t signatures) {
  std::vector<absl::string_view> names;
  for (int i = 0; i < kSignatureCount; ++i) {
    if (signatures & RF_SIG_BIT(i)) names.push_back(SignatureName(static_cast<Signature>(i)));
  }
  return names.empty() ? "none" : absl::StrJoin(names, ",");
}

}  // namespace reflector::packet
