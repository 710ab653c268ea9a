// The project's version: the one place it is written. Every binary prints it with --version
// (cli.h), and reflectord's banner names it.
#ifndef REFLECTOR_BASE_VERSION_H_
#define REFLECTOR_BASE_VERSION_H_

#include <string>

#include "absl/strings/string_view.h"

namespace reflector::base {

inline constexpr char kVersion[] = "0.1.0";

// "<program> 0.1.0 (opt build, git v0.1-3-gabcdef0)": the version, Bazel's compilation mode
// and the `git describe` of a --config=release build, "revision unknown" in any other build
// (a revision in every build would relink every binary, and rerun every test that runs one,
// on each commit).
std::string VersionLine(absl::string_view program);

}  // namespace reflector::base

#endif  // REFLECTOR_BASE_VERSION_H_
