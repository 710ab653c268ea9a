// Writes the commented default config (default_config.h) to stdout; with --help_list, the
// settings as a --help flag list for the man page.
#include <cstdio>
#include <cstring>

#include "tools/service/default_config.h"

int main(int argc, char** argv) {
  const bool help_list = argc > 1 && std::strcmp(argv[1], "--help_list") == 0;
  std::fputs((help_list ? reflector::service::SettingsHelpList()
                        : reflector::service::DefaultConfigToml())
                 .c_str(),
             stdout);
  return std::ferror(stdout) ? 1 : 0;
}
