// The dpdk data path's own failure modes (issue 18): arguments the EAL refuses, or none, end
// reflectord with one line on stderr that names --dpdk_eal_args, and exit 2, leaving nothing on
// the interface. Its frame table runs in reflectord_veth_test ("dpdk"). Skips, saying so, where
// reflectord was built without DPDK.
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/lab/datapath_variant.h"
#include "testing/lab/reflector_lab.h"
#include "testing/lab/require_root.h"

namespace reflector::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr absl::Duration kExitTimeout = absl::Seconds(20);

class ReflectordDpdkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    REFLECTOR_REQUIRE_ROOT();
    absl::StatusOr<std::unique_ptr<lab::ReflectorLab>> lab = lab::ReflectorLab::Create();
    ASSERT_TRUE(lab.ok()) << lab.status();
    lab_ = *std::move(lab);
  }

  // Runs the daemon with --datapath=dpdk and `eal_args`; expects exit 2 and one line on
  // stderr, and returns it ("" after GTEST_SKIP when DPDK is not built in).
  std::string RunWithEalArgs(const std::string& eal_args) {
    absl::StatusOr<lab::LabProcess> daemon = lab_->RunReflectordToExit(
        {"--interface=" + lab_->reflector_if(), "--datapath=dpdk", "--dpdk_eal_args=" + eal_args},
        kExitTimeout);
    EXPECT_TRUE(daemon.ok()) << daemon.status();
    if (!daemon.ok()) return "";
    EXPECT_EQ(daemon->Poll(), 2) << daemon->Describe();
    const std::string err = daemon->Stderr();
    const std::vector<absl::string_view> lines =
        absl::StrSplit(absl::StripSuffix(err, "\n"), '\n');
    EXPECT_EQ(lines.size(), 1u) << "expected one line on stderr, got:\n" << err;
    EXPECT_THAT(daemon->Stdout(), Not(HasSubstr("EAL"))) << "the EAL's own output leaked";
    EXPECT_TRUE(lab_->CheckNothingAttached().ok()) << lab_->CheckNothingAttached();
    return err;
  }

  bool DpdkBuiltIn(const std::string& err) { return !absl::StrContains(err, "not built"); }

  std::unique_ptr<lab::ReflectorLab> lab_;
};

TEST_F(ReflectordDpdkTest, AnOptionTheEalDoesNotKnowIsOneLineAndExit2) {
  const std::string err = RunWithEalArgs("-l 0 --no-huge --no-such-eal-option");
  if (!DpdkBuiltIn(err)) GTEST_SKIP() << "reflectord is built without DPDK: " << err;
  EXPECT_THAT(err, HasSubstr("--dpdk_eal_args"));
  EXPECT_THAT(err, HasSubstr("no-such-eal-option"));
}

TEST_F(ReflectordDpdkTest, ADeviceTheEalCannotOpenIsOneLineAndExit2) {
  const std::string err = RunWithEalArgs(lab::DpdkVdevEalArgs("nosuch0"));
  if (!DpdkBuiltIn(err)) GTEST_SKIP() << "reflectord is built without DPDK: " << err;
  EXPECT_THAT(err, HasSubstr("--dpdk_eal_args"));
}

TEST_F(ReflectordDpdkTest, NoEalArgumentsIsOneLineAndExit2) {
  const std::string err = RunWithEalArgs("");
  if (!DpdkBuiltIn(err)) GTEST_SKIP() << "reflectord is built without DPDK: " << err;
  EXPECT_THAT(err, HasSubstr("--dpdk_eal_args is empty"));
}

}  // namespace
}  // namespace reflector::testing
