// Writes the commented default config (default_config.h) to stdout.
#include <cstdio>

#include "tools/service/default_config.h"

int main() {
  std::fputs(reflector::service::DefaultConfigToml().c_str(), stdout);
  return std::ferror(stdout) ? 1 : 0;
}
