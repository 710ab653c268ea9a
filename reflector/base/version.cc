#include "reflector/base/version.h"

#include "absl/strings/str_cat.h"
#include "reflector/base/build_info.h"

namespace reflector::base {

std::string VersionLine(absl::string_view program) {
  const absl::string_view revision = REFLECTOR_BUILD_REVISION;
  return absl::StrCat(program, " ", kVersion, " (", REFLECTOR_BUILD_MODE, " build, ",
                      revision.empty() ? "revision unknown" : absl::StrCat("git ", revision),
                      ")");
}

}  // namespace reflector::base
