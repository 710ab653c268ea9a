// reflectord refuses bad input with one clear line on stderr, nothing on stdout and exit code 2
// (SPEC §6), run
// inside a lab namespace so the interface list it prints is known: lo and the lab's veth.
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
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

constexpr absl::Duration kExitTimeout = absl::Seconds(10);

class ReflectordBadInputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    REFLECTOR_REQUIRE_ROOT();
    absl::StatusOr<std::unique_ptr<lab::ReflectorLab>> lab = lab::ReflectorLab::Create();
    ASSERT_TRUE(lab.ok()) << lab.status();
    lab_ = *std::move(lab);
  }

  // Runs the daemon with `args`, expects exit 2, and returns its stderr.
  std::string RunExpectingBadInput(const std::vector<std::string>& args) {
    absl::StatusOr<lab::LabProcess> daemon = lab_->RunReflectordToExit(args, kExitTimeout);
    EXPECT_TRUE(daemon.ok()) << daemon.status();
    if (!daemon.ok()) return "";
    EXPECT_EQ(daemon->Poll(), 2) << daemon->Describe();
    const std::string err = daemon->Stderr();
    const std::vector<absl::string_view> lines =
        absl::StrSplit(absl::StripSuffix(err, "\n"), '\n');
    EXPECT_EQ(lines.size(), 1u) << "expected one line on stderr, got:\n" << err;
    EXPECT_EQ(daemon->Stdout(), "") << "bad input prints nothing on stdout";
    return err;
  }

  std::unique_ptr<lab::ReflectorLab> lab_;
};

TEST_F(ReflectordBadInputTest, UnknownInterfaceListsTheExistingOnes) {
  const std::string err = RunExpectingBadInput({"--interface=nosuch0"});
  EXPECT_THAT(err, HasSubstr("nosuch0"));
  EXPECT_THAT(err, HasSubstr("lo"));
  EXPECT_THAT(err, HasSubstr(lab_->reflector_if()));
}

TEST_F(ReflectordBadInputTest, MalformedSettingsNameTheFlag) {
  const std::string interface = "--interface=" + lab_->reflector_if();
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"--port=70000", "port"},   {"--port=echo", "port"}, {"--oui=00:c0", "oui"},
      {"--mode=bounce", "mode"},  {"--datapath=warp", "datapath"},
      {"--signatures=pings", "signatures"},
  };
  for (const auto& [flag, name] : cases) {
    SCOPED_TRACE(flag);
    EXPECT_THAT(RunExpectingBadInput({interface, flag}), HasSubstr(name));
  }
}

// --datapath=dpdk (issue 18): EAL arguments the EAL refuses, or none, are bad input too, and
// the EAL's own output stays out of the daemon's. Skips where reflectord has no DPDK.
class ReflectordDpdkBadInputTest : public ReflectordBadInputTest {
 protected:
  // stderr of the daemon run with `eal_args`; "" after GTEST_SKIP when DPDK is not built in.
  std::string RunWithEalArgs(const std::string& eal_args) {
    const std::string err = RunExpectingBadInput({"--interface=" + lab_->reflector_if(),
                                                  "--datapath=dpdk",
                                                  "--dpdk_eal_args=" + eal_args});
    EXPECT_TRUE(lab_->CheckNothingAttached().ok()) << lab_->CheckNothingAttached();
    if (absl::StrContains(err, "not built")) {
      [&] { GTEST_SKIP() << "reflectord is built without DPDK: " << err; }();
    }
    return err;
  }
};

TEST_F(ReflectordDpdkBadInputTest, AnOptionTheEalDoesNotKnow) {
  const std::string err = RunWithEalArgs("-l 0 --no-huge --no-such-eal-option");
  if (IsSkipped()) return;
  EXPECT_THAT(err, HasSubstr("--dpdk_eal_args"));
  EXPECT_THAT(err, HasSubstr("unrecognized option '--no-such-eal-option'"));
}

TEST_F(ReflectordDpdkBadInputTest, AVdevOnNoInterface) {
  const std::string err = RunWithEalArgs(lab::DpdkVdevEalArgs("nosuch0"));
  if (IsSkipped()) return;
  EXPECT_THAT(err, HasSubstr("--dpdk_eal_args"));
}

TEST_F(ReflectordDpdkBadInputTest, NoEalArguments) {
  const std::string err = RunWithEalArgs("");
  if (IsSkipped()) return;
  EXPECT_THAT(err, HasSubstr("--dpdk_eal_args is empty"));
}

// HTTPS settings that cannot work stop the daemon with one line (exit 2), even on the default
// address, where a port that is taken only costs the API.
TEST_F(ReflectordBadInputTest, UnusableHttpsFilesNameTheFlag) {
  const std::string interface = "--interface=" + lab_->reflector_if();
  const char* dir = std::getenv("TEST_TMPDIR");
  const std::string garbage = absl::StrCat(dir ? dir : "/tmp", "/not-a-cert.pem");
  std::ofstream(garbage) << "not a certificate\n";
  EXPECT_THAT(RunExpectingBadInput({interface, "--http_cert=" + garbage}),
              HasSubstr("--http_cert and --http_key go together"));
  EXPECT_THAT(RunExpectingBadInput({interface, "--http_cert=/nonexistent/cert.pem",
                                    "--http_key=" + garbage}),
              HasSubstr("--http_cert: cannot read /nonexistent/cert.pem: No such file"));
  EXPECT_THAT(RunExpectingBadInput({interface, "--http_cert=" + garbage, "--http_key=" + garbage}),
              HasSubstr("not a PEM certificate and its private key"));
}

}  // namespace
}  // namespace reflector::testing
