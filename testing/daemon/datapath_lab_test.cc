#include "testing/daemon/datapath_lab_test.h"

#include "testing/daemon/datapath_availability.h"
#include "testing/lab/require_root.h"

namespace reflector::testing {

void DataPathLabTest::SetUp() {
  REFLECTOR_REQUIRE_ROOT();
  absl::StatusOr<std::unique_ptr<lab::ReflectorLab>> lab = lab::ReflectorLab::Create(LabOptions());
  ASSERT_TRUE(lab.ok()) << lab.status();
  lab_ = *std::move(lab);
  absl::StatusOr<bool> built = DataPathBuilt(*lab_, GetParam());
  ASSERT_TRUE(built.ok()) << built.status();
  if (!*built) GTEST_SKIP() << NotBuiltMessage(GetParam());
}

}  // namespace reflector::testing
