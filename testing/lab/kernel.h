// What the running kernel has, for tests whose expectation depends on it (a fallback is
// tested where it runs, the preferred way where the kernel offers it).
#ifndef REFLECTOR_TESTING_LAB_KERNEL_H_
#define REFLECTOR_TESTING_LAB_KERNEL_H_

#include <sys/utsname.h>

#include <cstdio>

namespace reflector::testing::lab {

// True when the kernel release is at least major.minor.
inline bool KernelAtLeast(int major, int minor) {
  utsname name = {};
  int have_major = 0;
  int have_minor = 0;
  if (uname(&name) != 0 || std::sscanf(name.release, "%d.%d", &have_major, &have_minor) != 2) {
    return false;
  }
  return have_major > major || (have_major == major && have_minor >= minor);
}

// tcx, the bpf_link way to attach tc programs, arrived in Linux 6.6.
inline bool KernelHasTcx() { return KernelAtLeast(6, 6); }

}  // namespace reflector::testing::lab

#endif  // REFLECTOR_TESTING_LAB_KERNEL_H_
