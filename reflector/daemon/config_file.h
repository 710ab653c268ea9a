// The daemon's config file: TOML (toml++), one `key = value` per setting, the same names as
// the flags, and custom rules as [[rule]] tables (tried before the profiles' rules, in file
// order). Lists may be TOML arrays or comma-separated strings:
//   interface = "eth0"
//   port = 3842
//   oui = ["00:c0:17", "00:19:b3"]
//   vlan = true
//
//   [[rule]]
//   name = "spirent"           # required: a-z 0-9 _ -, at most 32 characters
//   dst_port = "5000-5010"     # or 5001; src_port likewise; default any
//   dst_ip = ["198.18.0.0/15"] # or "198.18.0.0/15,2001:2::/48"; src_ip likewise; default any
//   ip_version = 4             # 4 or 6; default either
//   vlan = 100                 # outer VLAN ID; inner_vlan = 200 needs two tags
//   untagged = true            # only frames without a tag
//   oui = ["00:c0:17"]         # source MAC OUIs; default any
//   payload = "RFC2544"        # printable ASCII, or payload_hex = "52:46:43"; at most 16 bytes
//   payload_mask = "ff:ff:00"  # optional, as long as the pattern
//   payload_offset = 0         # in the UDP payload, 0..1024
//   mode = "all"               # all, mac-ip, mac; default the `mode` setting
//   tos_handshake = false      # toggle the IPv4 ToS bit 0 when reflecting; default false
#ifndef REFLECTOR_DAEMON_CONFIG_FILE_H_
#define REFLECTOR_DAEMON_CONFIG_FILE_H_

#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "reflector/daemon/options.h"

namespace reflector::daemon {

// What a config file says: settings as flags would give them, and the custom rules.
struct ConfigFile {
  Settings settings;
  std::vector<RuleEntry> rules;  // [[rule]] tables, in file order; origin "file:line:col"
  friend bool operator==(const ConfigFile&, const ConfigFile&) = default;
};

// Parses file contents; `origin` names the file in errors ("reflector.toml:3:7: ...").
// Unknown keys, tables and values of the wrong shape are errors with line and column, and so is
// any byte but printable ASCII, tab and newline (LF or CRLF), comments included. A [[rule]]
// must be valid on its own (packet::ValidateRule), and there may be at most RF_MAX_RULES:
// errors read "file:line:col: rule \"name\": reason". What depends on the settings too (the
// profiles' rules) is ParseOptions' to check.
absl::StatusOr<ConfigFile> ParseConfigText(absl::string_view text, absl::string_view origin);

// Reads and parses a regular file (or a symlink to one); anything else is an error.
absl::StatusOr<ConfigFile> LoadConfigFile(const std::string& path);

// The options as reflectord reads them at start and on SIGHUP, and pcap-reflect too: `flags`
// (settings by name, as the flags carry them), but for the settings not in `given` (given on
// the command line) the config file's values when `config_path` names one, and its rules;
// then ParseOptions.
absl::StatusOr<DaemonOptions> LoadOptions(const Settings& flags,
                                          const std::set<std::string>& given,
                                          const std::string& config_path);

}  // namespace reflector::daemon

#endif  // REFLECTOR_DAEMON_CONFIG_FILE_H_
