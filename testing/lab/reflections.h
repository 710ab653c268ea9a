// The smallest end-to-end check of a running reflector: one ITO test frame out, its exact
// reflection back.
#ifndef REFLECTOR_TESTING_LAB_REFLECTIONS_H_
#define REFLECTOR_TESTING_LAB_REFLECTIONS_H_

#include <cstddef>
#include <cstdint>

#include "absl/status/statusor.h"
#include "testing/lab/reflector_lab.h"

namespace reflector::testing::lab {

// Sends the frame builder's default ITO frame with IP ID `id` from the tester and returns how
// many frames equal to its reflection (mode all, ToS handshake on) came back within 3 s.
absl::StatusOr<size_t> CountReflections(ReflectorLab& lab, uint16_t id);

}  // namespace reflector::testing::lab

#endif  // REFLECTOR_TESTING_LAB_REFLECTIONS_H_
