#include "testing/golden/classifier_flags.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "reflector/packet/packet.h"

namespace reflector::testing::golden {
namespace {

const char* Bool(bool value) { return value ? "true" : "false"; }

}  // namespace

absl::StatusOr<std::vector<std::string>> ClassifierFlags(const packet::FilterConfig& filter,
                                                         bool with_mode) {
  if (!filter.rules.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "rule \"", filter.rules.front().name,
        "\" is a custom rule: it has no flag, state it as a [[rule]] table of a config file"));
  }
  std::vector<std::string> flags = {
      absl::StrCat("--port=", filter.port),
      absl::StrCat("--oui=", packet::FormatOuiList(filter.ouis)),
      absl::StrCat("--dst_mac_filter=", Bool(filter.dst_mac_filter)),
      absl::StrCat("--signatures=", packet::FormatSignatures(filter.signatures)),
      absl::StrCat("--vlan=", Bool(filter.vlan)),
      absl::StrCat("--ipv6=", Bool(filter.ipv6)),
  };
  // The profile settings only when set, so the flags of a default config stay today's.
  const packet::FilterConfig defaults;
  if (filter.profiles != defaults.profiles) {
    flags.push_back(absl::StrCat("--profile=", packet::FormatProfiles(filter.profiles)));
  }
  if (filter.tos_handshake != defaults.tos_handshake) {
    flags.push_back(absl::StrCat("--tos_handshake=", Bool(filter.tos_handshake)));
  }
  if (filter.loopback_ports.has_value()) {
    flags.push_back(
        absl::StrCat("--loopback_ports=", packet::FormatPortRange(*filter.loopback_ports)));
  }
  if (!filter.loopback_addresses.empty()) {
    flags.push_back(absl::StrCat(
        "--loopback_addresses=",
        absl::StrJoin(filter.loopback_addresses, ",",
                      [](std::string* out, const packet::IpPrefix& prefix) {
                        out->append(packet::FormatPrefix(prefix));
                      })));
  }
  if (with_mode) flags.push_back(absl::StrCat("--mode=", packet::ModeName(filter.mode)));
  return flags;
}

}  // namespace reflector::testing::golden
