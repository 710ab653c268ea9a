// Whether this reflectord has a data path compiled in. A data path still being written is
// registered later; its lab tests skip, naming it, only while the daemon itself says "not
// built" (exit 2) — any other failure fails the test.
#ifndef REFLECTOR_TESTING_DAEMON_DATAPATH_AVAILABILITY_H_
#define REFLECTOR_TESTING_DAEMON_DATAPATH_AVAILABILITY_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "testing/lab/reflector_lab.h"

namespace reflector::testing {

// Runs `reflectord --datapath=<datapath>` briefly on the lab's interface: false when it
// exits 2 saying the data path is not built, true when it starts (it is stopped again).
// `datapath` may name a variant (lab/datapath_variant.h): it runs with the variant's flags.
absl::StatusOr<bool> DataPathBuilt(lab::ReflectorLab& lab, absl::string_view datapath);

std::string NotBuiltMessage(absl::string_view datapath);

}  // namespace reflector::testing

#endif  // REFLECTOR_TESTING_DAEMON_DATAPATH_AVAILABILITY_H_
