// ito-tester against reflectord in the SPEC §7 lab: two namespaces joined by a veth pair,
// reflectord --datapath=xdp in one, the tester in the other. Needs root; both binaries come
// from the test's runfiles. Every subprocess has a deadline, and the namespaces (with the
// veth and anything attached to it) go away with the NetNamespace owners, also on failure.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#define JSON_NOEXCEPTION 1
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "testing/lab/netns.h"
#include "testing/lab/require_root.h"
#include "testing/lab/veth.h"

namespace reflector::tester {
namespace {

namespace lab = ::reflector::testing::lab;

std::string Runfile(const std::string& path) {
  const char* dir = std::getenv("TEST_SRCDIR");
  return absl::StrCat(dir != nullptr ? dir : ".", "/reflector/", path);
}

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return absl::StrCat(dir != nullptr ? dir : "/tmp", "/", name, ".", getpid());
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A child process in a namespace (`ip netns exec`), stdout and stderr into files. The owner
// ends it (SIGTERM, then SIGKILL) if it is still running when the owner goes away.
class Child {
 public:
  Child(const std::string& ns, std::vector<std::string> argv, const std::string& name)
      : out_(TempPath(name + ".out")), err_(TempPath(name + ".err")) {
    argv.insert(argv.begin(), {"ip", "netns", "exec", ns});
    pid_ = fork();
    if (pid_ == 0) {
      const int out = open(out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      const int err = open(err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(out, 1);
      dup2(err, 2);
      std::vector<char*> args;
      for (std::string& a : argv) args.push_back(a.data());
      args.push_back(nullptr);
      execvp(args[0], args.data());
      _exit(127);
    }
  }
  ~Child() {
    if (pid_ <= 0 || exited_) return;
    kill(pid_, SIGTERM);
    if (!Wait(std::chrono::seconds(3))) {
      kill(pid_, SIGKILL);
      Wait(std::chrono::seconds(3));
    }
  }

  // True once the child has exited (within `timeout`); status() is then its exit code.
  bool Wait(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!exited_) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        exited_ = true;
        exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        break;
      }
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
  }
  int exit_code() const { return exit_code_; }
  std::string out() const { return ReadFile(out_); }
  std::string err() const { return ReadFile(err_); }

 private:
  std::string out_;
  std::string err_;
  pid_t pid_ = -1;
  bool exited_ = false;
  int exit_code_ = -1;
};

class TesterLabTest : public ::testing::Test {
 protected:
  void SetUp() override {
    REFLECTOR_REQUIRE_ROOT();
    const std::string base = lab::UniqueLabName("rftst");
    absl::StatusOr<lab::NetNamespace> reflector = lab::NetNamespace::Create(base + "r");
    ASSERT_TRUE(reflector.ok()) << reflector.status();
    reflector_ns_ = std::make_unique<lab::NetNamespace>(*std::move(reflector));
    absl::StatusOr<lab::NetNamespace> tester = lab::NetNamespace::Create(base + "t");
    ASSERT_TRUE(tester.ok()) << tester.status();
    tester_ns_ = std::make_unique<lab::NetNamespace>(*std::move(tester));
    reflector_if_ = base + "r0";
    tester_if_ = base + "t0";
    // The tester's MAC has the NetAlly OUI that reflectord accepts by default.
    const absl::Status veth = lab::CreateVethPair(
        {tester_ns_.get(), tester_if_, "00:c0:17:54:05:98", {"198.18.0.1/24", "2001:2::1/64"}},
        {reflector_ns_.get(), reflector_if_, "02:00:5e:10:00:02",
         {"198.18.0.2/24", "2001:2::2/64"}});
    ASSERT_TRUE(veth.ok()) << veth;

    reflectord_ = std::make_unique<Child>(
        reflector_ns_->name(),
        std::vector<std::string>{Runfile("reflector/reflectord"), "--interface=" + reflector_if_,
                                 "--datapath=xdp", "--stats_interval=0"},
        "reflectord");
    // The banner names the data path once the program is attached.
    for (int i = 0; i < 100 && reflectord_->out().find("data path") == std::string::npos; ++i) {
      ASSERT_FALSE(reflectord_->Wait(std::chrono::milliseconds(50)))
          << "reflectord exited: " << reflectord_->err();
    }
    ASSERT_NE(reflectord_->out().find("data path"), std::string::npos)
        << "no banner from reflectord: " << reflectord_->err();
  }

  // Runs the tester to the end (at most 20 s) and returns its exit code.
  int RunTester(const std::vector<std::string>& flags, std::string* out, std::string* err) {
    std::vector<std::string> argv = {Runfile("tools/ito-tester"), "--interface=" + tester_if_};
    argv.insert(argv.end(), flags.begin(), flags.end());
    Child tester(tester_ns_->name(), argv, "ito-tester");
    if (!tester.Wait(std::chrono::seconds(20))) return -1;
    *out = tester.out();
    *err = tester.err();
    return tester.exit_code();
  }

  void ExpectNoLossWithRtt(const std::vector<std::string>& flags, uint64_t frames) {
    std::string out, err;
    ASSERT_EQ(RunTester(flags, &out, &err), 0) << err;
    const nlohmann::json report = nlohmann::json::parse(out, nullptr, /*allow_exceptions=*/false);
    ASSERT_FALSE(report.is_discarded()) << out;
    const nlohmann::json& r = report["result"];
    EXPECT_EQ(r["sent"].get<uint64_t>(), frames) << out;
    EXPECT_EQ(r["received"].get<uint64_t>(), frames) << out;
    EXPECT_EQ(r["lost"].get<uint64_t>(), 0u) << out;
    EXPECT_EQ(r["duplicates"].get<uint64_t>(), 0u) << out;
    EXPECT_EQ(r["xdp_received"].get<uint64_t>(), frames) << out;
    ASSERT_TRUE(r.contains("rtt_us")) << out;
    EXPECT_GT(r["rtt_us"]["min"].get<double>(), 0) << out;
    EXPECT_GE(r["rtt_us"]["p99"].get<double>(), r["rtt_us"]["p50"].get<double>()) << out;
    EXPECT_GE(r["rtt_us"]["max"].get<double>(), r["rtt_us"]["p99.9"].get<double>()) << out;
    EXPECT_TRUE(r.contains("jitter_us")) << out;
  }

  std::unique_ptr<lab::NetNamespace> reflector_ns_;
  std::unique_ptr<lab::NetNamespace> tester_ns_;
  std::string reflector_if_;
  std::string tester_if_;
  // Declared last: the daemon stops before the namespaces go.
  std::unique_ptr<Child> reflectord_;
};

TEST_F(TesterLabTest, Ipv4StreamComesBackWhole) {
  // The destination MAC comes from ARP: the tester resolves it itself.
  ExpectNoLossWithRtt({"--dst_ip=198.18.0.2", "--rate=2000", "--count=2000", "--json"}, 2000);
}

TEST_F(TesterLabTest, TaggedIpv6CustomSignatureComesBackWhole) {
  ExpectNoLossWithRtt({"--dst_ip=2001:2::2", "--dst_mac=02:00:5e:10:00:02", "--vlan=100",
                       "--signature=rfc2544", "--frame_size=128", "--rate=2000", "--count=1000",
                       "--json"},
                      1000);
}

TEST_F(TesterLabTest, LineRateEngineCountsReflections) {
  std::string out, err;
  ASSERT_EQ(RunTester({"--dst_ip=198.18.0.2", "--engine=linerate", "--signature=rfc2544",
                       "--frame_size=64", "--count=100000", "--json"},
                      &out, &err),
            0)
      << err;
  const nlohmann::json report = nlohmann::json::parse(out, nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << out;
  EXPECT_EQ(report["result"]["sent"].get<uint64_t>(), 100000u) << out;
  // Counts only, and no assertion on loss at an unpaced load: speed is for benchmarks.
  EXPECT_GT(report["result"]["received"].get<uint64_t>(), 0u) << out;
  EXPECT_FALSE(report["result"].contains("rtt_us")) << out;
}

TEST_F(TesterLabTest, BadInputIsOneLineAndExitTwo) {
  for (const std::vector<std::string>& flags :
       std::vector<std::vector<std::string>>{{"--dst_ip=198.18.0.2", "--rate=-1"},
                                             {"--dst_ip=198.18.0.2", "--frame_size=20"},
                                             {"--dst_ip=198.18.0.2", "--dst_mac=00:11"}}) {
    std::string out, err;
    EXPECT_EQ(RunTester(flags, &out, &err), 2) << flags.back();
    EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
  }
}

}  // namespace
}  // namespace reflector::tester
