// A gtest fixture for in-process tests of the XDP program over a table of cases: one program
// loaded per suite (loading verifies ~250k instructions, too slow per case), printed with its
// verifier figure, and freed at the end. Without root nothing is loaded; the tests skip
// through REFLECTOR_REQUIRE_ROOT.
#ifndef REFLECTOR_XDP_SHARED_PROGRAM_TEST_H_
#define REFLECTOR_XDP_SHARED_PROGRAM_TEST_H_

#include <cstdio>
#include <memory>

#include "gtest/gtest.h"
#include "testing/lab/require_root.h"
#include "xdp/loader.h"

namespace reflector::xdp {

template <typename Param>
class SharedProgramTest : public ::testing::TestWithParam<Param> {
 protected:
  static void SetUpTestSuite() {
    if (!testing::lab::HaveRoot()) return;
    absl::StatusOr<std::unique_ptr<XdpProgram>> loaded = XdpProgram::Load();
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    program_ = std::move(*loaded).release();
    std::printf("verifier: %u instructions processed\n", program_->verified_instructions());
  }
  static void TearDownTestSuite() {
    delete program_;
    program_ = nullptr;
  }
  static inline XdpProgram* program_ = nullptr;
};

}  // namespace reflector::xdp

#endif  // REFLECTOR_XDP_SHARED_PROGRAM_TEST_H_
