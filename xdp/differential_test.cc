// Differential tests: at least 100,000 generated and mutated frames (random truncation, bit
// flips over every header byte, random VLAN tags), each run through a kernel program and
// through the userspace classifier and reflector. For the XDP program verdict, XDP action and
// output bytes must agree for every frame; for afpacket's tc program verdict, tc action (drop
// exactly the test frames) and bytes (never changed). Seeded, so a failure reproduces.
#include <linux/bpf.h>

#include <array>
#include <cstdio>
#include <functional>
#include <memory>
#include <random>
#include <vector>

#include "gtest/gtest.h"
#include "reflector/packet/config.h"
#include "reflector/packet/packet.h"
#include "reflector/packet/testing/frame_builder.h"
#include "reflector/packet/testing/frame_table.h"
#include "testing/lab/require_root.h"
#include "xdp/loader.h"
#include "xdp/tc_drop_filter.h"
#include "xdp/test_run.h"

namespace reflector::xdp {
namespace {

using packet::Mode;
using packet::Verdict;
using packet::testing::FrameBuilder;
using Rng = std::mt19937_64;

constexpr int kFrames = 120'000;
constexpr uint64_t kSeed = 0x5eed'2026'1124;
// Bit flips land anywhere, but mostly here: the longest header run is two tags, IPv6 and UDP
// plus the ITO signature (14 + 8 + 40 + 8 + 12 = 82 bytes).
constexpr size_t kHeaderBytes = 96;

template <typename T, size_t N>
const T& Pick(Rng& rng, const std::array<T, N>& choices) {
  return choices[std::uniform_int_distribution<size_t>(0, N - 1)(rng)];
}

bool Chance(Rng& rng, double p) { return std::bernoulli_distribution(p)(rng); }

uint32_t Uniform(Rng& rng, uint32_t low, uint32_t high) {
  return std::uniform_int_distribution<uint32_t>(low, high)(rng);
}

// A frame built from random but mostly plausible choices, so that most of them get deep into
// the classifier before a mutation makes them fail somewhere.
std::vector<uint8_t> RandomFrame(Rng& rng) {
  using packet::testing::kReflectorMac;
  using packet::testing::kTesterMac;
  static constexpr std::array<packet::MacAddress, 10> kSources = {
      kTesterMac, kTesterMac, kTesterMac, kTesterMac, kTesterMac, kTesterMac,
      packet::MacAddress{0x00, 0x19, 0xb3, 1, 2, 3},
      packet::MacAddress{0x01, 0xc0, 0x17, 0, 0, 1}, packet::MacAddress{}, kReflectorMac};
  static constexpr std::array<packet::MacAddress, 8> kDestinations = {
      kReflectorMac, kReflectorMac, kReflectorMac, kReflectorMac, kReflectorMac, kReflectorMac,
      packet::MacAddress{0x02, 0, 0x5e, 0x10, 0, 0x99},
      packet::MacAddress{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
  static constexpr std::array<const char*, 6> kSignatures = {"PROBEOT", "DATA:OT", "LATENCY",
                                                             "RFC2544", "Y.1564 ", "PROBEOX"};
  static constexpr std::array<uint16_t, 3> kTpids = {0x8100, 0x88a8, 0x9100};

  FrameBuilder b;
  b.SrcMac(Pick(rng, kSources)).DstMac(Pick(rng, kDestinations));
  for (uint32_t tags = Uniform(rng, 0, 3), i = 0; i < tags && Chance(rng, 0.5); ++i) {
    b.Vlan(static_cast<uint16_t>(Uniform(rng, 0, 0xffff)), Pick(rng, kTpids));
  }
  if (Chance(rng, 0.35)) {
    b.Ipv6(packet::testing::kTesterIpv6, packet::testing::kReflectorIpv6);
  } else if (Chance(rng, 0.25)) {
    b.Ipv4Options(std::vector<uint8_t>(4 * Uniform(rng, 1, 10), 0x01));
  }
  b.Ports(static_cast<uint16_t>(Uniform(rng, 0, 0xffff)),
          Chance(rng, 0.8) ? RF_DEFAULT_PORT : static_cast<uint16_t>(Uniform(rng, 0, 0xffff)));
  b.Ttl(static_cast<uint8_t>(Uniform(rng, 0, 255)))
      .Dscp(static_cast<uint8_t>(Uniform(rng, 0, 255)));
  const char* signature = Pick(rng, kSignatures);
  const size_t trailer = Uniform(rng, 0, 48);
  if (Chance(rng, 0.5)) {
    b.Ito(signature, trailer);
  } else {
    b.Custom(signature, trailer);
  }
  if (Chance(rng, 0.05)) b.FrameSize(Uniform(rng, 100, 1600));
  b.PadTo(Chance(rng, 0.7) ? 60 : 0).UdpChecksum(Chance(rng, 0.9));
  return b.Build();
}

struct FlipCoverage {
  std::array<int, kHeaderBytes> per_byte = {};
};

void Mutate(Rng& rng, std::vector<uint8_t>& frame, FlipCoverage& coverage) {
  if (Chance(rng, 0.15) && frame.size() >= 12) {  // a random tag right after the MACs
    static constexpr std::array<uint16_t, 4> kTpids = {0x8100, 0x88a8, 0x8100, 0x0800};
    const uint16_t tpid = Pick(rng, kTpids);
    const uint16_t tci = static_cast<uint16_t>(Uniform(rng, 0, 0xffff));
    const uint8_t tag[4] = {static_cast<uint8_t>(tpid >> 8), static_cast<uint8_t>(tpid),
                            static_cast<uint8_t>(tci >> 8), static_cast<uint8_t>(tci)};
    frame.insert(frame.begin() + 12, std::begin(tag), std::end(tag));
  }
  for (uint32_t flips = Uniform(rng, 0, 3), i = 0; i < flips && !frame.empty(); ++i) {
    const size_t limit = Chance(rng, 0.85) ? std::min(frame.size(), kHeaderBytes) : frame.size();
    const size_t at = Uniform(rng, 0, static_cast<uint32_t>(limit - 1));
    frame[at] ^= static_cast<uint8_t>(1u << Uniform(rng, 0, 7));
    if (at < kHeaderBytes) ++coverage.per_byte[at];
  }
  if (Chance(rng, 0.2)) frame.resize(Uniform(rng, 0, static_cast<uint32_t>(frame.size())));
}

// The configurations the frames are classified under, one drawn per frame.
std::vector<rf_config> Configs() {
  std::vector<rf_config> configs;
  auto add = [&configs](void (*edit)(packet::FilterConfig&)) {
    packet::FilterConfig config;
    config.interface_mac = packet::testing::kReflectorMac;
    edit(config);
    configs.push_back(*packet::ToWire(config));
  };
  add([](packet::FilterConfig&) {});
  add([](packet::FilterConfig& c) { c.port = 0; });
  add([](packet::FilterConfig& c) { c.ouis.clear(); });
  add([](packet::FilterConfig& c) { c.vlan = false; });
  add([](packet::FilterConfig& c) { c.ipv6 = false; });
  add([](packet::FilterConfig& c) { c.dst_mac_filter = false; });
  add([](packet::FilterConfig& c) { c.signatures = RF_SIGS_ITO; });
  add([](packet::FilterConfig& c) {
    c.ouis = {{0x00, 0x19, 0xb3}, {0x00, 0xc0, 0x17}};
    c.signatures = RF_SIG_BIT(RF_SIG_RFC2544) | RF_SIG_BIT(RF_SIG_Y1564);
  });
  return configs;
}

// One kernel program under test.
struct Subject {
  // Sets it up for one frame: config and, for the XDP program, action.
  std::function<absl::Status(const rf_config&, Action)> configure;
  // What userspace says it must do with the frame.
  std::function<ExpectedRun(absl::Span<const uint8_t>, const rf_config&, Action)> expect;
  // Frames the kernel refuses to test-run it on (EINVAL).
  std::function<bool(absl::Span<const uint8_t>)> refused;
  bool has_action;
};

// Runs the generated frames through `runner`'s program and compares each run with userspace.
// The tc program has no action: it is drawn all the same, so both programs see the same frames.
void ExpectAgreementOnMutatedFrames(TestRunner& runner, const Subject& subject) {
  // Seeds: the frame table's frames, then fresh random ones.
  std::vector<std::vector<uint8_t>> seeds;
  for (const packet::testing::FrameCase& c : packet::testing::FrameTable()) {
    if (c.frame.size() <= 1600) seeds.push_back(c.frame);
  }

  Rng rng(kSeed);
  const std::vector<rf_config> configs = Configs();
  static constexpr std::array<Action, 5> kActions = {Action::kReflect, Action::kReflect,
                                                     Action::kReflect, Action::kMonitor,
                                                     Action::kRedirect};
  FlipCoverage coverage;
  std::array<int, packet::kVerdictCount> verdicts = {};
  int compared = 0;
  int refused_by_kernel = 0;
  int failures = 0;
  for (int i = 0; i < kFrames && failures < 10; ++i) {
    std::vector<uint8_t> frame =
        Chance(rng, 0.2) ? seeds[Uniform(rng, 0, static_cast<uint32_t>(seeds.size() - 1))]
                         : RandomFrame(rng);
    Mutate(rng, frame, coverage);
    rf_config config = configs[Uniform(rng, 0, static_cast<uint32_t>(configs.size() - 1))];
    config.mode = static_cast<uint8_t>(Uniform(rng, 0, RF_MODE_COUNT - 1));
    const Action action = Pick(rng, kActions);
    if (subject.refused(frame)) {
      ++refused_by_kernel;
      continue;
    }
    ASSERT_TRUE(subject.configure(config, action).ok());
    absl::StatusOr<TestRunResult> run = runner.Run(frame);
    ASSERT_TRUE(run.ok()) << run.status();
    const ExpectedRun expected = subject.expect(frame, config, action);
    ++compared;
    ++verdicts[static_cast<int>(expected.verdict)];
    const bool same = run->verdict == expected.verdict && run->action == expected.action &&
                      run->frame == expected.frame;
    if (!same) {
      ++failures;
      ADD_FAILURE() << "frame " << i << " (" << (subject.has_action ? ActionName(action) : "tc")
                    << ", mode "
                    << static_cast<int>(config.mode) << "): kernel verdict "
                    << (run->verdict ? packet::VerdictName(*run->verdict) : "none")
                    << " action " << run->action << ", userspace "
                    << packet::VerdictName(expected.verdict) << " action " << expected.action
                    << "\n"
                    << packet::testing::DescribeDifference(expected.frame, run->frame) << "\n"
                    << packet::testing::HexDump(frame);
    }
  }

  std::printf("compared %d frames (%d the kernel refuses to test-run not run); verdicts:",
              compared, refused_by_kernel);
  for (int v = 0; v < packet::kVerdictCount; ++v) {
    std::printf(" %s=%d", std::string(packet::VerdictName(static_cast<Verdict>(v))).c_str(),
                verdicts[v]);
  }
  std::printf("\n");
  EXPECT_GE(compared, 100'000);
  // The generator must reach every verdict, and flip bits in every header byte.
  for (int v = 0; v < packet::kVerdictCount; ++v) {
    EXPECT_GT(verdicts[v], 100) << packet::VerdictName(static_cast<Verdict>(v));
  }
  for (size_t at = 0; at < kHeaderBytes; ++at) {
    EXPECT_GT(coverage.per_byte[at], 100) << "too few bit flips at byte " << at;
  }
}

TEST(DifferentialTest, KernelAgreesWithUserspaceOnMutatedFrames) {
  REFLECTOR_REQUIRE_ROOT();
  absl::StatusOr<std::unique_ptr<XdpProgram>> program = XdpProgram::Load();
  ASSERT_TRUE(program.ok()) << program.status();
  absl::StatusOr<TestRunner> runner = TestRunner::Create(program->get());
  ASSERT_TRUE(runner.ok()) << runner.status();
  // Unattached, Configure is two stores into the mapped config block: cheap per frame.
  ExpectAgreementOnMutatedFrames(
      *runner, {.configure = [&](const rf_config& config,
                                 Action action) { return (*program)->Configure(config, action); },
                .expect = ExpectRun,
                .refused = [](absl::Span<const uint8_t> frame) {
                  return frame.size() < kMinTestRunFrame;
                },
                .has_action = true});
}

TEST(DifferentialTest, TcProgramAgreesWithUserspaceOnMutatedFrames) {
  REFLECTOR_REQUIRE_ROOT();
  absl::StatusOr<std::unique_ptr<TcDropFilter>> program =
      TcDropFilter::Load(packet::testing::DefaultTestConfig());
  ASSERT_TRUE(program.ok()) << program.status();
  absl::StatusOr<TestRunner> runner = TestRunner::Create(program->get());
  ASSERT_TRUE(runner.ok()) << runner.status();
  ExpectAgreementOnMutatedFrames(
      *runner, {.configure = [&](const rf_config& config,
                                 Action) { return (*program)->SetConfig(config); },
                .expect = [](absl::Span<const uint8_t> frame, const rf_config& config,
                             Action) { return ExpectTcRun(frame, config); },
                .refused = TcTestRunRefuses,
                .has_action = false});
}

}  // namespace
}  // namespace reflector::xdp
