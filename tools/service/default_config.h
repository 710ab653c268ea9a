// The commented default /etc/reflector/<interface>.toml that the package installs, written from
// settings.inc so that it names every setting with its current default and help.
#ifndef REFLECTOR_TOOLS_SERVICE_DEFAULT_CONFIG_H_
#define REFLECTOR_TOOLS_SERVICE_DEFAULT_CONFIG_H_

#include <string>

namespace reflector::service {

// Every setting as a commented-out `name = default` line after its help; `interface` is left
// to the unit's command line. Removing the "# " of any setting line gives a valid setting.
std::string DefaultConfigToml();

}  // namespace reflector::service

#endif  // REFLECTOR_TOOLS_SERVICE_DEFAULT_CONFIG_H_
