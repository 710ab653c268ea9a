// The kernel program (xdp/reflector.bpf.c) against the userspace library it is compiled from:
// every input runs through both under every XDP action, and verdict, XDP action and output
// bytes must be identical. The input layout is classify_fuzzer's (classify_input.h), so the two
// share seeds and each can replay the other's findings.
//
// Needs root (CAP_BPF, CAP_NET_ADMIN) to load the program. Without it the binary says so and
// exits: with status 1 where REFLECTOR_REQUIRE_LAB=1 (CI must not pass by skipping), else 0.
//
// Coverage guidance comes from the userspace side only (the verifier-checked BPF code is not
// instrumented); the kernel is the oracle, not the target, so the mutations that matter are the
// ones that move the userspace classifier.
#include <linux/bpf.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "fuzz/classify_input.h"
#include "reflector/packet/packet.h"
#include "reflector/packet/testing/frame_builder.h"
#include "testing/lab/require_root.h"
#include "xdp/loader.h"
#include "xdp/test_run.h"

namespace reflector::fuzz {
namespace {

using xdp::Action;

// bpf_prog_test_run gives an XDP program one page: 4096 bytes less XDP_PACKET_HEADROOM (256)
// and the skb_shared_info tail (320 on x86-64). Larger inputs fail with EINVAL, as they would
// never arrive in one buffer on a real interface without multi-buffer XDP, which the program
// does not declare.
constexpr size_t kMaxTestRunFrame = 4096 - 256 - 320;

constexpr Action kActions[] = {Action::kReflect, Action::kMonitor, Action::kRedirect};

struct Kernel {
  std::unique_ptr<xdp::XdpProgram> program;
  std::optional<xdp::XdpTestRunner> runner;
};

// Loaded once per process (LLVMFuzzerInitialize) and never freed: loading costs a verifier
// pass, and a pointer held by a static keeps LeakSanitizer from reporting libbpf's objects.
Kernel* kernel = nullptr;

[[noreturn]] void Fail(const std::string& what, absl::Span<const uint8_t> frame) {
  std::fprintf(stderr, "xdp_differential_fuzzer: %s\ninput frame:\n%s\n", what.c_str(),
               packet::testing::HexDump(frame).c_str());
  std::abort();
}

void LoadOrExit() {
  if (!testing::lab::HaveRoot()) {
    const bool required = testing::lab::LabRequired();
    std::fprintf(stderr, "xdp_differential_fuzzer: %s: %s\n",
                 required ? "needs root (REFLECTOR_REQUIRE_LAB=1)" : "skipped",
                 testing::lab::kNeedsRoot);
    std::exit(required ? 1 : 0);
  }
  absl::StatusOr<std::unique_ptr<xdp::XdpProgram>> program = xdp::XdpProgram::Load();
  if (!program.ok()) {
    std::fprintf(stderr, "xdp_differential_fuzzer: cannot load the XDP program: %s\n",
                 program.status().ToString().c_str());
    std::exit(1);
  }
  kernel = new Kernel{std::move(*program), std::nullopt};
  absl::StatusOr<xdp::XdpTestRunner> runner = xdp::XdpTestRunner::Create(kernel->program.get());
  if (!runner.ok()) {
    std::fprintf(stderr, "xdp_differential_fuzzer: %s\n", runner.status().ToString().c_str());
    std::exit(1);
  }
  kernel->runner.emplace(std::move(*runner));
}

void Compare(absl::Span<const uint8_t> frame, const rf_config& config, Action action) {
  // Unattached, Configure is two stores into the mapped config block: cheap per run.
  const absl::Status configured = kernel->program->Configure(config, action);
  if (!configured.ok()) Fail(absl::StrCat("Configure: ", configured.ToString()), frame);
  const absl::StatusOr<xdp::TestRunResult> run = kernel->runner->Run(frame);
  if (!run.ok()) Fail(absl::StrCat("test run: ", run.status().ToString()), frame);
  const xdp::ExpectedRun expected = xdp::ExpectRun(frame, config, action);
  const packet::Classification userspace = packet::Classify(frame, config);
  const int expected_rule = userspace.reflect() ? userspace.rule() : -1;
  if (run->verdict == expected.verdict && run->rule == expected_rule &&
      run->action == expected.action && run->frame == expected.frame) {
    return;
  }
  Fail(absl::StrCat("kernel and userspace disagree (", xdp::ActionName(action), ", ",
                    config.rule_count, " rules): kernel verdict ",
                    run->verdict ? packet::VerdictName(*run->verdict) : "none (or several)",
                    " rule ", run->rule, " action ", run->action, ", userspace ",
                    packet::VerdictName(expected.verdict), " rule ", expected_rule, " action ",
                    expected.action, "\n",
                    packet::testing::DescribeDifference(expected.frame, run->frame)),
       frame);
}

void FuzzDifferential(absl::Span<const uint8_t> data) {
  const std::optional<ClassifyInput> input = DecodeClassifyInput(data);
  if (!input.has_value()) return;
  // The kernel refuses frames shorter than an Ethernet header (EINVAL); no interface delivers
  // them either, so there is nothing to compare.
  if (input->frame.size() < xdp::kMinTestRunFrame) return;
  if (input->frame.size() > kMaxTestRunFrame) return;
  for (Action action : kActions) Compare(input->frame, input->config, action);
}

}  // namespace
}  // namespace reflector::fuzz

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  reflector::fuzz::LoadOrExit();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  reflector::fuzz::FuzzDifferential(absl::Span<const uint8_t>(data, size));
  return 0;
}
