// The daemon's config file: TOML (toml++), one `key = value` per setting, the same names as
// the flags. Lists may be TOML arrays or comma-separated strings:
//   interface = "eth0"
//   port = 3842
//   oui = ["00:c0:17", "00:19:b3"]
//   vlan = true
#ifndef REFLECTOR_DAEMON_CONFIG_FILE_H_
#define REFLECTOR_DAEMON_CONFIG_FILE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "reflector/daemon/options.h"

namespace reflector::daemon {

// Parses file contents; `origin` names the file in errors ("reflector.toml:3:7: ...").
// Unknown keys, tables and values of the wrong shape are errors with line and column, and so is
// any byte but printable ASCII, tab and newline (LF or CRLF), comments included.
absl::StatusOr<Settings> ParseConfigText(absl::string_view text, absl::string_view origin);

// Reads and parses a regular file (or a symlink to one); anything else is an error.
absl::StatusOr<Settings> LoadConfigFile(const std::string& path);

}  // namespace reflector::daemon

#endif  // REFLECTOR_DAEMON_CONFIG_FILE_H_
