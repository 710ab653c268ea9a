// The commented default /etc/reflector/<interface>.toml that the package installs, written from
// settings.inc so that it names every setting with its current default and help.
#ifndef REFLECTOR_TOOLS_SERVICE_DEFAULT_CONFIG_H_
#define REFLECTOR_TOOLS_SERVICE_DEFAULT_CONFIG_H_

#include <string>

namespace reflector::service {

// Every setting as a commented-out `name = default` line after its help; `interface` is left
// to the unit's command line. Removing the "# " of any setting line gives a valid setting.
std::string DefaultConfigToml();

// Every setting in the shape of --help's flag list ("Flags:", "  --name (default: X)", the
// help indented by six spaces) with what SIGHUP does with it, for the man page's key list
// (tools/man/help_to_mdoc.awk -v keys=1).
std::string SettingsHelpList();

}  // namespace reflector::service

#endif  // REFLECTOR_TOOLS_SERVICE_DEFAULT_CONFIG_H_
