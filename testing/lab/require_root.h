// Lab tests (BPF programs, namespaces, veth) need root. Without it they skip with the reason,
// except where REFLECTOR_REQUIRE_LAB=1 (CI) turns the skip into a failure, so that a run cannot
// go green by skipping.
#ifndef REFLECTOR_TESTING_LAB_REQUIRE_ROOT_H_
#define REFLECTOR_TESTING_LAB_REQUIRE_ROOT_H_

#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "gtest/gtest.h"

namespace reflector::testing::lab {

inline bool HaveRoot() { return geteuid() == 0; }

inline bool LabRequired() {
  const char* value = std::getenv("REFLECTOR_REQUIRE_LAB");
  return value != nullptr && std::strcmp(value, "1") == 0;
}

inline constexpr char kNeedsRoot[] =
    "this lab test needs root (CAP_BPF and CAP_NET_ADMIN for XDP, CAP_SYS_ADMIN for network "
    "namespaces): run bazel test as root";

}  // namespace reflector::testing::lab

// Use at the top of a TEST body (or SetUp): returns from it unless running as root.
#define REFLECTOR_REQUIRE_ROOT()                                     \
  do {                                                               \
    if (::reflector::testing::lab::HaveRoot()) break;                \
    if (::reflector::testing::lab::LabRequired()) {                  \
      GTEST_FAIL() << ::reflector::testing::lab::kNeedsRoot;         \
    }                                                                \
    GTEST_SKIP() << ::reflector::testing::lab::kNeedsRoot;           \
  } while (0)

#endif  // REFLECTOR_TESTING_LAB_REQUIRE_ROOT_H_
