// Last-resort cleanup when a lab test is interrupted (Ctrl-C, or Bazel's SIGTERM on timeout):
// destructors do not run then, so namespaces and the daemons started in them would stay
// behind. The handler kills registered child processes and unmounts and unlinks registered
// namespaces (a namespace with no mount and no process left is freed by the kernel, and its
// veth with it), then re-raises the signal. It uses only async-signal-safe system calls.
#ifndef REFLECTOR_TESTING_LAB_SIGNAL_CLEANUP_H_
#define REFLECTOR_TESTING_LAB_SIGNAL_CLEANUP_H_

#include <sys/types.h>

#include "absl/strings/string_view.h"

namespace reflector::testing::lab {

// Each returns a slot for the matching Forget call, or -1 when the table is full (then the
// resource is only cleaned up by its destructor). The first call installs the handlers for
// SIGINT and SIGTERM.
int RememberNamespace(absl::string_view name);
void ForgetNamespace(int slot);
int RememberChild(pid_t pid);
void ForgetChild(int slot);

}  // namespace reflector::testing::lab

#endif  // REFLECTOR_TESTING_LAB_SIGNAL_CLEANUP_H_
