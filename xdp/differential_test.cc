// Differential tests: at least 100,000 generated and mutated frames (random truncation, bit
// flips over every header byte, random VLAN tags), each under a random rule table (up to 32
// rules with random VLAN, IP version, prefix, port range, OUI, payload pattern and mask, mode
// and ToS handshake conditions, often taken from the frame itself so that they match) or a
// profile config, run through a kernel program and through the userspace classifier and
// reflector. For the XDP program verdict, matching rule, XDP action, output bytes and counters
// must agree for every frame; for afpacket's tc program verdict, rule, tc action (drop exactly
// the test frames), bytes (never changed) and counters. Seeded, so a failure reproduces.
#include <linux/bpf.h>

#include <sched.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/hash/hash.h"
#include "absl/strings/string_view.h"
#include "fuzz/classify_input.h"
#include "gtest/gtest.h"
#include "reflector/packet/config.h"
#include "reflector/packet/loop_guard.h"
#include "reflector/packet/packet.h"
#include "reflector/packet/testing/frame_builder.h"
#include "reflector/packet/testing/frame_table.h"
#include "reflector/packet/testing/cfm_frames.h"
#include "reflector/packet/testing/stamp_frames.h"
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

// The profile configurations, one of which a frame is classified under part of the time.
std::vector<packet::FilterConfig> ProfileConfigs() {
  std::vector<packet::FilterConfig> configs;
  auto add = [&configs](void (*edit)(packet::FilterConfig&)) {
    packet::FilterConfig config = packet::testing::DefaultTestFilter();
    edit(config);
    configs.push_back(config);
  };
  add([](packet::FilterConfig&) {});
  add([](packet::FilterConfig& c) { c.port = 0; });
  add([](packet::FilterConfig& c) { c.ouis.clear(); });
  add([](packet::FilterConfig& c) { c.vlan = false; });
  add([](packet::FilterConfig& c) { c.ipv6 = false; });
  add([](packet::FilterConfig& c) { c.dst_mac_filter = false; });
  add([](packet::FilterConfig& c) { c.signatures = RF_SIGS_ITO; });
  add([](packet::FilterConfig& c) { c.tos_handshake = false; });
  add([](packet::FilterConfig& c) {
    c.ouis = {{0x00, 0x19, 0xb3}, {0x00, 0xc0, 0x17}};
    c.signatures = RF_SIG_BIT(RF_SIG_RFC2544) | RF_SIG_BIT(RF_SIG_Y1564);
  });
  add([](packet::FilterConfig& c) {
    c.profiles |= packet::ProfileBit(packet::Profile::kLoopback);
    c.loopback_ports = packet::PortRange{1, 40000};
  });
  add([](packet::FilterConfig& c) {
    c.profiles = packet::ProfileBit(packet::Profile::kLoopback);
    c.loopback_addresses = {*packet::ParsePrefix("198.18.0.0/31"),
                            *packet::ParsePrefix("2001:2::/64")};
  });
  return configs;
}

// What the config draws counted, for the figures the test prints.
struct ConfigDraws {
  int random_tables = 0;
  int refused = 0;  // random bytes that Compile refuses (drawn again)
  int rules_total = 0;
  std::set<size_t> distinct;  // hashes of the compiled configs
};

// Whether `rule` alone (with the safety settings of `filter`) reflects `frame`.
bool Matches(const packet::FilterConfig& filter, const packet::Rule& rule,
             absl::Span<const uint8_t> frame) {
  packet::FilterConfig alone = filter;
  alone.profiles = 0;
  alone.rules = {rule};
  absl::StatusOr<rf_config> config = packet::ToWire(alone);
  return config.ok() && packet::Classify(frame, *config).reflect();
}

// A random rule table for `frame` (the layout of fuzz/classify_input.h fed with random bytes),
// or one of the profile configs, in a random mode.
rf_config DrawConfig(Rng& rng, absl::Span<const uint8_t> frame,
                     const std::vector<packet::FilterConfig>& profiles, ConfigDraws& draws) {
  std::optional<packet::FilterConfig> filter;
  if (Chance(rng, 0.25)) {
    filter = profiles[Uniform(rng, 0, static_cast<uint32_t>(profiles.size() - 1))];
    filter->mode = packet::kAllModes[Uniform(rng, 0, RF_MODE_COUNT - 1)];
  } else {
    ++draws.random_tables;
    std::vector<uint8_t> bytes(1024);
    while (!filter.has_value()) {
      for (uint8_t& b : bytes) b = static_cast<uint8_t>(Uniform(rng, 0, 255));
      // Mostly the frame's own MAC as the interface MAC, the dst MAC filter on, VLAN and IPv6
      // on: rules are what is under test here, and the safety stage rejects the rest.
      if (Chance(rng, 0.8)) bytes[0] |= 0x87;
      filter = fuzz::DecodeFilterConfig(bytes, frame);
      if (!filter.has_value()) ++draws.refused;
    }
    // Each rule matches the frame often, so the first few would take every reflection: part of
    // the time the rules that match move behind those that do not, to the table's far end.
    if (Chance(rng, 0.4)) {
      std::stable_partition(filter->rules.begin(), filter->rules.end(),
                            [&](const packet::Rule& rule) { return !Matches(*filter, rule, frame); });
    }
  }
  absl::StatusOr<packet::CompiledConfig> compiled = packet::Compile(*filter);
  EXPECT_TRUE(compiled.ok()) << compiled.status();
  draws.rules_total += compiled->wire.rule_count;
  draws.distinct.insert(absl::HashOf(absl::string_view(
      reinterpret_cast<const char*>(&compiled->wire), sizeof(compiled->wire))));
  return compiled->wire;
}

// What the program adds to its counters for `frame`, from userspace's verdict: one verdict
// (reject) or one rule (reflect) slot with the frame's bytes, and the XDP action's own count.
rf_xdp_counters ExpectedCounters(absl::Span<const uint8_t> frame, const rf_config& config,
                                 std::optional<Action> action) {
  rf_xdp_counters counted = {};
  const packet::Classification c = packet::Classify(frame, config);
  if (!c.reflect()) {
    counted.verdict_frames[static_cast<int>(c.verdict)] = 1;
    counted.rejected_bytes = frame.size();
    return counted;
  }
  counted.rule_frames[c.rule()] = 1;
  counted.rule_bytes[c.rule()] = frame.size();
  // bpf_prog_test_run has no AF_XDP socket on its queue: a redirect falls back to pass.
  if (action == Action::kRedirect) counted.redirect_fallback = 1;
  // A STAMP answer's T2, from the software clock in the program run here (issue 14).
  if (action == Action::kReflect && (c.where.actions & RF_ACTION_STAMP)) {
    counted.stamp_rx_time[0] = 1;
  }
  return counted;
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
  const std::vector<packet::FilterConfig> profiles = ProfileConfigs();
  ConfigDraws draws;
  std::array<int, RF_MAX_RULES> rule_matches = {};
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
    // Rules from the frame before its mutation too, so mutations break matches near a rule.
    const std::vector<uint8_t> unmutated = frame;
    Mutate(rng, frame, coverage);
    const rf_config config =
        DrawConfig(rng, Chance(rng, 0.3) ? unmutated : frame, profiles, draws);
    const Action action = Pick(rng, kActions);
    if (subject.refused(frame)) {
      ++refused_by_kernel;
      continue;
    }
    ASSERT_TRUE(subject.configure(config, action).ok());
    absl::StatusOr<TestRunResult> run = runner.Run(frame);
    ASSERT_TRUE(run.ok()) << run.status();
    const ExpectedRun expected = subject.expect(frame, config, action);
    const packet::Classification userspace = packet::Classify(frame, config);
    const int expected_rule = userspace.reflect() ? userspace.rule() : -1;
    const rf_xdp_counters expected_counters = ExpectedCounters(
        frame, config, subject.has_action ? std::optional<Action>(action) : std::nullopt);
    ++compared;
    ++verdicts[static_cast<int>(expected.verdict)];
    if (expected_rule >= 0) ++rule_matches[expected_rule];
    const bool same =
        run->verdict == expected.verdict && run->rule == expected_rule &&
        run->action == expected.action && run->frame == expected.frame &&
        std::memcmp(&run->counted, &expected_counters, sizeof(expected_counters)) == 0;
    if (!same) {
      ++failures;
      ADD_FAILURE() << "frame " << i << " (" << (subject.has_action ? ActionName(action) : "tc")
                    << ", mode "
                    << static_cast<int>(config.rule_count) << " rules): kernel verdict "
                    << (run->verdict ? packet::VerdictName(*run->verdict) : "none") << " rule "
                    << run->rule << " action " << run->action << ", userspace "
                    << packet::VerdictName(expected.verdict) << " rule " << expected_rule
                    << " action " << expected.action
                    << (std::memcmp(&run->counted, &expected_counters,
                                    sizeof(expected_counters)) == 0
                            ? ""
                            : ", counters differ")
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
  std::printf("\nconfigs: %d random rule tables (%d more drawn and refused by Compile), %zu "
              "distinct compiled configs, %.1f rules per config on average\n",
              draws.random_tables, draws.refused, draws.distinct.size(),
              static_cast<double>(draws.rules_total) / (compared + refused_by_kernel));
  int distinct_verdicts = 0;
  for (int count : verdicts) distinct_verdicts += count > 0;
  int rules_matched = 0;
  std::printf("distinct verdicts: %d of %d; reflections by rule index:", distinct_verdicts,
              packet::kClassifierVerdictCount);
  for (int r = 0; r < RF_MAX_RULES; ++r) {
    std::printf(" %d=%d", r, rule_matches[r]);
    rules_matched += rule_matches[r] > 0;
  }
  std::printf("\n");
  EXPECT_GE(compared, 100'000);
  // Rules at every index of the table match, random tables are many and mostly distinct.
  EXPECT_EQ(rules_matched, RF_MAX_RULES);
  EXPECT_GT(draws.random_tables, compared / 2);
  EXPECT_GT(static_cast<int>(draws.distinct.size()), compared / 2);
  // The generator must reach every classifier verdict, and flip bits in every header byte.
  for (int v = 0; v < packet::kClassifierVerdictCount; ++v) {
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
                .expect = [](absl::Span<const uint8_t> frame, const rf_config& config,
                             Action action) { return ExpectRun(frame, config, action); },
                .refused = [](absl::Span<const uint8_t> frame) {
                  return frame.size() < kMinTestRunFrame;
                },
                .has_action = true});
}

// Keeps the calling thread on the CPU it runs on: the program's per-CPU state (the loop guard's
// table, the rule hint) is then the same for every run.
void StayOnThisCpu() {
  cpu_set_t one_cpu;
  CPU_ZERO(&one_cpu);
  CPU_SET(sched_getcpu(), &one_cpu);
  ASSERT_EQ(sched_setaffinity(0, sizeof(one_cpu), &one_cpu), 0);
}

// The second fast tier in the kernel (rf_classify_shaped in rf_xdp_undecided): test streams
// of tagged and IPv6 frames, each frame sent as built and then mutated, under the profile
// configurations. The frame as built leaves the hint at its rule (the exact classifier sets it),
// so the mutated one meets the second tier with the hint of a stream; every run is compared
// with userspace. Counts the runs the second tier can take (the hinted rule, a shortcut
// without lists, takes the frame in userspace's second tier), which must be many.
TEST(DifferentialTest, KernelSecondTierAgreesWithUserspaceOnStreams) {
  REFLECTOR_REQUIRE_ROOT();
  ASSERT_NO_FATAL_FAILURE(StayOnThisCpu());  // the hint is per CPU
  absl::StatusOr<std::unique_ptr<XdpProgram>> program = XdpProgram::Load();
  ASSERT_TRUE(program.ok()) << program.status();
  absl::StatusOr<TestRunner> runner = TestRunner::Create(program->get());
  ASSERT_TRUE(runner.ok()) << runner.status();

  Rng rng(kSeed + 3);
  const std::vector<packet::FilterConfig> profiles = ProfileConfigs();
  static constexpr std::array<const char*, 4> kSignatures = {"RFC2544", "Y.1564 ", "PROBEOT",
                                                             "LATENCY"};
  static constexpr std::array<uint16_t, 2> kTpids = {0x8100, 0x88a8};
  FlipCoverage coverage;
  int compared = 0;
  int second_tier = 0;
  int failures = 0;
  uint32_t hint = RF_NO_RULE_HINT;  // the kernel's, as userspace follows it
  for (int i = 0; i < 20'000 && failures < 10; ++i) {
    packet::FilterConfig filter =
        profiles[Uniform(rng, 0, static_cast<uint32_t>(profiles.size() - 1))];
    filter.mode = packet::kAllModes[Uniform(rng, 0, RF_MODE_COUNT - 1)];
    absl::StatusOr<rf_config> config = packet::ToWire(filter);
    ASSERT_TRUE(config.ok()) << config.status();
    ASSERT_TRUE((*program)->Configure(*config, Action::kReflect).ok());
    FrameBuilder b;
    for (uint32_t tags = Uniform(rng, 0, 2), t = 0; t < tags; ++t) {
      b.Vlan(static_cast<uint16_t>(Uniform(rng, 0, 0xffff)), Pick(rng, kTpids));
    }
    if (Chance(rng, 0.6)) b.Ipv6(packet::testing::kTesterIpv6, packet::testing::kReflectorIpv6);
    const char* signature = Pick(rng, kSignatures);
    if (signature[0] == 'R' || signature[0] == 'Y') {
      b.Custom(signature, Uniform(rng, 0, 40));
    } else {
      b.Ito(signature, Uniform(rng, 0, 40));
    }
    const std::vector<uint8_t> built = b.PadTo(60).Build();
    std::vector<uint8_t> mutated = built;
    Mutate(rng, mutated, coverage);
    const std::array<const std::vector<uint8_t>*, 2> stream = {&built, &mutated};
    for (const std::vector<uint8_t>* frame : stream) {
      if (frame->size() < kMinTestRunFrame) continue;
      uint32_t shaped_hint = hint;
      rf_result shaped = {};
      const __u8* data = frame->data();
      const __u8* end = data + frame->size();
      if (rf_classify_fast(data, end, &*config, &shaped_hint, &shaped) == RF_FAST_UNDECIDED &&
          rf_classify_shaped(data, end, &*config, &shaped_hint, &shaped) == RF_REFLECT &&
          shaped.rule == hint &&
          (config->rules[shaped.rule].flags & (RF_RULE_SHORTCUT | RF_RULE_LISTS)) ==
              RF_RULE_SHORTCUT) {
        ++second_tier;
      }
      absl::StatusOr<TestRunResult> run = runner->Run(*frame);
      ASSERT_TRUE(run.ok()) << run.status();
      const ExpectedRun expected = ExpectRun(*frame, *config, Action::kReflect);
      const packet::Classification userspace = packet::Classify(*frame, *config);
      const int expected_rule = userspace.reflect() ? userspace.rule() : -1;
      // The kernel's tiers move the hint to the rule of every frame they reflect.
      if (userspace.reflect()) hint = static_cast<uint32_t>(userspace.rule());
      ++compared;
      if (run->verdict != expected.verdict || run->rule != expected_rule ||
          run->action != expected.action || run->frame != expected.frame) {
        ++failures;
        ADD_FAILURE() << "stream " << i << ": kernel "
                      << (run->verdict ? packet::VerdictName(*run->verdict) : "none") << " rule "
                      << run->rule << ", userspace " << packet::VerdictName(expected.verdict)
                      << " rule " << expected_rule << "\n"
                      << packet::testing::DescribeDifference(expected.frame, run->frame) << "\n"
                      << packet::testing::HexDump(*frame);
      }
    }
  }
  std::printf("second tier streams: compared %d frames, %d with the hint the second tier takes\n",
              compared, second_tier);
  EXPECT_GT(second_tier, 2000);
}

// A pool of frames to draw from again and again for the guard stage's tests: the frame
// table's (short enough to test-run), `extra`, then random ones, some mutated, up to `size`.
std::vector<std::vector<uint8_t>> GuardPool(Rng& rng, std::vector<std::vector<uint8_t>> extra,
                                            size_t size) {
  FlipCoverage coverage;
  std::vector<std::vector<uint8_t>> pool;
  for (const packet::testing::FrameCase& c : packet::testing::FrameTable()) {
    if (c.frame.size() >= kMinTestRunFrame && c.frame.size() <= 1600) pool.push_back(c.frame);
  }
  for (std::vector<uint8_t>& frame : extra) pool.push_back(std::move(frame));
  while (pool.size() < size) {
    std::vector<uint8_t> frame = RandomFrame(rng);
    if (Chance(rng, 0.3)) Mutate(rng, frame, coverage);
    if (frame.size() >= kMinTestRunFrame) pool.push_back(frame);
  }
  return pool;
}

// Draws `draws` frames from `pool` through the program (configured with `config`) and the
// userspace oracle with the guard's state (`loops`, `rates`), failing on any difference;
// returns how many of each verdict the oracle gave. `check` runs on every drawn frame.
std::array<int, packet::kVerdictCount> CompareGuardDraws(
    TestRunner& runner, const rf_config& config, const std::vector<std::vector<uint8_t>>& pool,
    Rng& rng, int draws, packet::LoopGuard* loops, packet::RateBuckets* rates,
    const std::function<void(const std::vector<uint8_t>&, const ExpectedRun&,
                             const TestRunResult&)>& check) {
  std::array<int, packet::kVerdictCount> verdicts = {};
  int failures = 0;
  for (int i = 0; i < draws && failures < 10; ++i) {
    const std::vector<uint8_t>& frame = pool[Uniform(rng, 0, pool.size() - 1)];
    absl::StatusOr<TestRunResult> run = runner.Run(frame);
    EXPECT_TRUE(run.ok()) << run.status();
    if (!run.ok()) break;
    const ExpectedRun expected = ExpectRun(frame, config, Action::kReflect, loops, 0, rates);
    ++verdicts[static_cast<int>(expected.verdict)];
    if (run->verdict != expected.verdict || run->action != expected.action ||
        run->frame != expected.frame) {
      ++failures;
      ADD_FAILURE() << "draw " << i << ": kernel "
                    << (run->verdict ? packet::VerdictName(*run->verdict) : "none") << " action "
                    << run->action << ", userspace " << packet::VerdictName(expected.verdict)
                    << " action " << expected.action << "\n"
                    << packet::testing::HexDump(frame);
    }
    check(frame, expected, *run);
  }
  return verdicts;
}

// The guard stage (guard.h): frames drawn again and again from a small pool, so many repeat,
// through the XDP program with the loop guard on and through userspace's LoopGuard. The window
// is an hour, so that every repeat falls inside it on both clocks whatever the test's speed,
// and the thread stays on one CPU, whose table the program uses.
TEST(DifferentialTest, KernelLoopGuardAgreesWithUserspace) {
  REFLECTOR_REQUIRE_ROOT();
  ASSERT_NO_FATAL_FAILURE(StayOnThisCpu());
  absl::StatusOr<std::unique_ptr<XdpProgram>> program = XdpProgram::Load();
  ASSERT_TRUE(program.ok()) << program.status();
  absl::StatusOr<TestRunner> runner = TestRunner::Create(program->get());
  ASSERT_TRUE(runner.ok()) << runner.status();

  rf_config config = packet::testing::DefaultTestConfig();
  config.guard.loop_window_ticks = packet::LoopWindowTicks(absl::Hours(1));
  ASSERT_TRUE((*program)->Configure(config, Action::kReflect).ok());
  Rng rng(kSeed + 1);
  const std::vector<std::vector<uint8_t>> pool = GuardPool(rng, {}, 4000);
  packet::LoopGuard guard;
  const std::array<int, packet::kVerdictCount> verdicts = CompareGuardDraws(
      *runner, config, pool, rng, 20'000, &guard, nullptr,
      [](const std::vector<uint8_t>& frame, const ExpectedRun& expected,
         const TestRunResult& run) {
        if (expected.verdict == Verdict::kLoop) {
          EXPECT_EQ(run.counted.loop_peer, rf_mac_number(frame.data() + RF_ETH_ALEN));
        }
      });
  std::printf("loop guard: reflect=%d loop=%d, other verdicts %d\n",
              verdicts[static_cast<int>(Verdict::kReflect)],
              verdicts[static_cast<int>(Verdict::kLoop)],
              20'000 - verdicts[static_cast<int>(Verdict::kReflect)] -
                  verdicts[static_cast<int>(Verdict::kLoop)]);
  // Both outcomes of the guard, many times: first sightings and slots that other frames took
  // reflect, repeats are loops.
  EXPECT_GT(verdicts[static_cast<int>(Verdict::kReflect)], 300);
  EXPECT_GT(verdicts[static_cast<int>(Verdict::kLoop)], 1000);
}

// The rate caps (guard.h): the program's buckets against userspace's RateBuckets on the same
// frames. The caps are one frame an hour with two hours of burst, so every source and rule
// gets exactly three frames whatever the test's speed, and the verdicts cannot depend on when
// each side reads its clock: per source (global scope), on rule 1 as a whole, and per source
// within rule 2, with many sources sharing slots now and then.
TEST(DifferentialTest, KernelRateCapsAgreeWithUserspace) {
  REFLECTOR_REQUIRE_ROOT();
  absl::StatusOr<std::unique_ptr<XdpProgram>> program = XdpProgram::Load();
  ASSERT_TRUE(program.ok()) << program.status();
  absl::StatusOr<TestRunner> runner = TestRunner::Create(program->get());
  ASSERT_TRUE(runner.ok()) << runner.status();

  rf_config config = packet::testing::DefaultTestConfig();
  const uint64_t hour = uint64_t{3600'000'000'000} << RF_RATE_SHIFT;
  config.guard.rate_burst = 2 * hour;
  config.guard.global.per_source.frame_cost = hour;
  config.guard.rules[1].all.frame_cost = hour;
  config.guard.rules[2].per_source.frame_cost = hour;
  config.guard.rules[2].per_source.byte_cost = 1;  // the larger cost binds: still the hour
  config.guard.flags |= RF_GUARD_RATE_CAPS;
  ASSERT_TRUE((*program)->Configure(config, Action::kReflect).ok());
  Rng rng(kSeed + 2);
  // Test frames from 1,000 sources, IPv4 and IPv6, of each ITO signature (rules 0, 1, 2), in
  // a pool with the frame table's and random ones, so sources repeat.
  std::vector<std::vector<uint8_t>> sources;
  const char* const kSignatures[] = {"PROBEOT", "DATA:OT", "LATENCY"};
  for (int k = 0; k < 1000; ++k) {
    packet::testing::FrameBuilder builder;
    if (k % 4 == 3) {
      packet::testing::Ipv6Address source = packet::testing::kTesterIpv6;
      source[14] = static_cast<uint8_t>(k >> 8);
      source[15] = static_cast<uint8_t>(k);
      builder.Ipv6(source, packet::testing::kReflectorIpv6);
    } else {
      builder.Ipv4({198, 18, static_cast<uint8_t>(k >> 8), static_cast<uint8_t>(k)},
                   packet::testing::kReflectorIpv4);
    }
    if (k % 5 == 0) builder.Vlan(100);
    sources.push_back(builder.Ito(kSignatures[k % 3]).FrameSize(64 + k % 200).Build());
  }
  const std::vector<std::vector<uint8_t>> pool = GuardPool(rng, std::move(sources), 4000);
  packet::RateBuckets buckets;
  const std::array<int, packet::kVerdictCount> verdicts =
      CompareGuardDraws(*runner, config, pool, rng, 20'000, nullptr, &buckets,
                        [](const auto&, const auto&, const auto&) {});
  const int reflected = verdicts[static_cast<int>(Verdict::kReflect)];
  const int limited = verdicts[static_cast<int>(Verdict::kRateLimited)];
  std::printf("rate caps: reflect=%d rate_limited=%d, other verdicts %d\n", reflected, limited,
              20'000 - reflected - limited);
  EXPECT_GT(reflected, 300);
  EXPECT_GT(limited, 1000);
}

// STAMP / TWAMP-Light (issue 14): the stamp table's frames and random STAMP packets (tags,
// IPv6, IPv4 options, sizes, among them senders shorter than the answer, whose frames the
// program grows with bpf_xdp_adjust_tail, PTP or NTP, TTLs, RFC 8972 TLV lists and ToS), mutated
// like the rest, under the stamp test config with VLAN or IPv6 off or more STAMP ports. Verdict,
// rule, action and counters must be userspace's; the bytes too, but for the two timestamps and
// the UDP checksum that covers them (each side reads its own clock), which must instead be
// T2 <= T3 inside the run's window.
TEST(DifferentialTest, KernelAgreesWithUserspaceOnMutatedStampFrames) {
  REFLECTOR_REQUIRE_ROOT();
  absl::StatusOr<std::unique_ptr<XdpProgram>> program = XdpProgram::Load();
  ASSERT_TRUE(program.ok()) << program.status();
  absl::StatusOr<TestRunner> runner = TestRunner::Create(program->get());
  ASSERT_TRUE(runner.ok()) << runner.status();
  std::vector<rf_config> configs;
  for (int s = 0; s < 8; ++s) {
    packet::FilterConfig filter = packet::testing::StampTestFilter();
    if (s & 1) filter.vlan = false;
    if (s & 2) filter.ipv6 = false;
    if (s & 4) filter.stamp_ports.push_back(packet::PortRange{RF_DEFAULT_PORT, RF_DEFAULT_PORT + 1});
    absl::StatusOr<rf_config> config = packet::ToWire(filter);
    ASSERT_TRUE(config.ok()) << config.status();
    config->stamp_clock.ntp_shift = 2208988800 - 37;
    config->stamp_clock.error_estimate = RF_STAMP_S | 0x0203;
    configs.push_back(*config);
  }
  Rng rng(kSeed + 2);
  FlipCoverage coverage;
  std::array<int, packet::kVerdictCount> verdicts = {};
  int answered = 0;
  int grown = 0;  // answers longer than their frames
  int failures = 0;
  constexpr int kStampFrames = 30'000;
  for (int i = 0; i < kStampFrames && failures < 10; ++i) {
    std::vector<uint8_t> frame;
    if (Chance(rng, 0.2)) {
      const auto& table = packet::testing::StampTable();
      frame = table[Uniform(rng, 0, static_cast<uint32_t>(table.size() - 1))].frame();
    } else {
      FrameBuilder b;
      for (uint32_t tags = Uniform(rng, 0, 2), t = 0; t < tags; ++t) {
        b.Vlan(static_cast<uint16_t>(Uniform(rng, 0, 0xffff)), t == 0 ? 0x88a8 : 0x8100);
      }
      if (Chance(rng, 0.35)) {
        b.Ipv6(packet::testing::kTesterIpv6, packet::testing::kReflectorIpv6);
      } else if (Chance(rng, 0.2)) {
        b.Ipv4Options(std::vector<uint8_t>(4 * Uniform(rng, 1, 10), 0x01));
      }
      static constexpr std::array<uint16_t, 4> kPorts = {RF_STAMP_PORT, RF_STAMP_PORT,
                                                         packet::testing::kTwampLightTestPort,
                                                         RF_DEFAULT_PORT};
      b.Ports(static_cast<uint16_t>(Uniform(rng, 1, 0xffff)), Pick(rng, kPorts));
      b.Ttl(static_cast<uint8_t>(Uniform(rng, 0, 255)));
      const uint16_t error = static_cast<uint16_t>(Uniform(rng, 0, 0xffff));
      std::vector<uint8_t> extra(Chance(rng, 0.5) ? Uniform(rng, 0, 64) : 0);
      for (uint8_t& byte : extra) byte = static_cast<uint8_t>(Uniform(rng, 0, 255));
      if (Chance(rng, 0.5)) {
        // RFC 8972 TLVs (stamp_tlv.h): understood and not, lengths mostly right, then maybe
        // the random bytes above as a malformed tail.
        static constexpr std::array<uint8_t, 6> kTypes = {1, 3, 4, 5, 8, 200};
        std::vector<uint8_t> tlvs;
        for (uint32_t n = Uniform(rng, 1, 20), t = 0; t < n; ++t) {
          const uint8_t type = Pick(rng, kTypes);
          const uint32_t length =
              (type == 3 || type == 4) && Chance(rng, 0.9) ? 4 : Uniform(rng, 0, 12);
          tlvs.insert(tlvs.end(), {static_cast<uint8_t>(Uniform(rng, 0, 255)), type, 0,
                                   static_cast<uint8_t>(length)});
          for (uint32_t v = 0; v < length; ++v) {
            tlvs.push_back(static_cast<uint8_t>(Uniform(rng, 0, 255)));
          }
        }
        if (Chance(rng, 0.7)) extra.clear();
        extra.insert(extra.begin(), tlvs.begin(), tlvs.end());
        b.Dscp(static_cast<uint8_t>(Uniform(rng, 0, 255)));
      }
      std::vector<uint8_t> payload = packet::testing::StampSenderPayload(
          Uniform(rng, 0, 0xffffffff), (uint64_t{Uniform(rng, 0, 0xffffffff)} << 32) | i, error,
          static_cast<uint16_t>(Uniform(rng, 0, 0xffff)), extra);
      // Short senders (TWAMP-Light's 14 bytes and up): the answer grows the frame.
      if (Chance(rng, 0.25)) payload.resize(Uniform(rng, 0, RF_STAMP_LEN));
      b.Payload(payload).UdpChecksum(Chance(rng, 0.9));
      frame = b.Build();
    }
    Mutate(rng, frame, coverage);
    if (frame.size() < kMinTestRunFrame) continue;
    const rf_config& config = configs[Uniform(rng, 0, 7)];
    ASSERT_TRUE((*program)->Configure(config, Action::kReflect).ok());
    const uint64_t before = packet::TaiNowNs();
    absl::StatusOr<TestRunResult> run = runner->Run(frame);
    const uint64_t after = packet::TaiNowNs();
    ASSERT_TRUE(run.ok()) << run.status();
    const ExpectedRun expected = ExpectRun(frame, config, Action::kReflect);
    const packet::Classification userspace = packet::Classify(frame, config);
    const int expected_rule = userspace.reflect() ? userspace.rule() : -1;
    const rf_xdp_counters expected_counters = ExpectedCounters(frame, config, Action::kReflect);
    ++verdicts[static_cast<int>(expected.verdict)];
    const bool stamp = userspace.reflect() && (userspace.where.actions & RF_ACTION_STAMP);
    std::vector<uint8_t> kernel_bytes = run->frame;
    std::vector<uint8_t> user_bytes = expected.frame;
    bool times_ok = true;
    if (stamp && run->action == XDP_TX) {
      ++answered;
      if (kernel_bytes.size() > frame.size()) ++grown;
      const size_t udp = userspace.where.l4_offset;
      const size_t at = userspace.where.payload_offset;
      uint64_t t3 = 0;
      uint64_t t2 = 0;
      for (int b = 0; b < 8; ++b) {
        t3 = (t3 << 8) | kernel_bytes[at + 4 + b];
        t2 = (t2 << 8) | kernel_bytes[at + 16 + b];
      }
      const bool ptp = (frame[at + 12] & 0x40) != 0;
      times_ok = packet::testing::StampTimestamp(before, config.stamp_clock, ptp) <= t2 &&
                 t2 <= t3 && t3 <= packet::testing::StampTimestamp(after, config.stamp_clock, ptp);
      times_ok = times_ok && packet::testing::UdpChecksumValid(kernel_bytes, userspace.where.l3_offset,
                                                              udp, userspace.where.ip_version) ==
                                 packet::testing::UdpChecksumValid(user_bytes, userspace.where.l3_offset,
                                                                  udp, userspace.where.ip_version);
      kernel_bytes = packet::testing::MaskStampTimes(kernel_bytes, udp);
      user_bytes = packet::testing::MaskStampTimes(user_bytes, udp);
    }
    const bool same = run->verdict == expected.verdict && run->rule == expected_rule &&
                      run->action == expected.action && kernel_bytes == user_bytes && times_ok &&
                      std::memcmp(&run->counted, &expected_counters, sizeof(expected_counters)) == 0;
    if (!same) {
      ++failures;
      ADD_FAILURE() << "stamp frame " << i << ": kernel verdict "
                    << (run->verdict ? packet::VerdictName(*run->verdict) : "none") << " rule "
                    << run->rule << " action " << run->action << ", userspace "
                    << packet::VerdictName(expected.verdict) << " rule " << expected_rule
                    << " action " << expected.action << (times_ok ? "" : ", times or checksum")
                    << "\n"
                    << packet::testing::DescribeDifference(user_bytes, kernel_bytes) << "\n"
                    << packet::testing::HexDump(frame);
    }
  }
  std::printf("stamp: %d answered (%d grown); verdicts:", answered, grown);
  for (int v = 0; v < packet::kVerdictCount; ++v) {
    if (verdicts[v]) {
      std::printf(" %s=%d", std::string(packet::VerdictName(static_cast<Verdict>(v))).c_str(),
                  verdicts[v]);
    }
  }
  std::printf("\n");
  // Both sides of the length check and many answers, among them many that grew.
  EXPECT_GT(answered, kStampFrames / 4);
  EXPECT_GT(grown, 500);
  EXPECT_GT(verdicts[static_cast<int>(Verdict::kSignature)], 100);
}

// Y.1731 (issue 14): the CFM table's frames and random CFM frames (addresses, tags, levels,
// OpCodes, TLV offsets, lengths), mutated like the rest, under y1731 configs with multicast
// LBM, a VLAN, tags or the dst MAC filter varied, in reflect and monitor mode. Outcome, verdict,
// action and counters must be userspace's; the bytes too, but for DMR's two timestamps, which
// must instead be in order inside the run's window. SLR counts: the oracle keeps its own
// table over the whole run, as the program's map does.
TEST(DifferentialTest, KernelAgreesWithUserspaceOnMutatedCfmFrames) {
  REFLECTOR_REQUIRE_ROOT();
  absl::StatusOr<std::unique_ptr<XdpProgram>> program = XdpProgram::Load();
  ASSERT_TRUE(program.ok()) << program.status();
  absl::StatusOr<TestRunner> runner = TestRunner::Create(program->get());
  ASSERT_TRUE(runner.ok()) << runner.status();
  std::vector<rf_config> configs;
  for (int s = 0; s < 16; ++s) {
    packet::FilterConfig filter = packet::testing::CfmTestFilter(
        (s & 1) != 0, (s & 6) == 2 ? std::optional<uint16_t>(0)
                      : (s & 6) == 4 ? std::optional<uint16_t>(100)
                                     : std::nullopt);
    if (s & 8) filter.vlan = false;
    if ((s & 6) == 6) {  // y1731 alone (no rule), the dst MAC filter off
      filter.profiles = packet::ProfileBit(packet::Profile::kY1731);
      filter.dst_mac_filter = false;
    }
    absl::StatusOr<rf_config> config = packet::ToWire(filter);
    ASSERT_TRUE(config.ok()) << config.status();
    configs.push_back(*config);
  }
  using packet::CfmOutcome;
  using packet::testing::kReflectorMac;
  static constexpr std::array<packet::MacAddress, 9> kDestinations = {
      kReflectorMac, kReflectorMac, kReflectorMac, kReflectorMac, kReflectorMac, kReflectorMac,
      packet::MacAddress{0x01, 0x80, 0xc2, 0x00, 0x00, 0x35},
      packet::MacAddress{0x01, 0x80, 0xc2, 0x00, 0x00, 0x32},
      packet::MacAddress{0x02, 0, 0x5e, 0x10, 0, 0x99}};
  static constexpr std::array<uint8_t, 10> kOpcodes = {3, 3, 47, 47, 55, 55, 1, 2, 46, 43};
  static constexpr std::array<uint16_t, 4> kVids = {100, 100, 10, 200};
  Rng rng(kSeed + 3);
  FlipCoverage coverage;
  packet::SlmCounters oracle_slm;
  std::array<int, packet::kCfmOutcomeCount + 1> outcomes = {};
  int failures = 0;
  constexpr int kCfmFrames = 30'000;
  for (int i = 0; i < kCfmFrames && failures < 10; ++i) {
    std::vector<uint8_t> frame;
    if (Chance(rng, 0.2)) {
      const auto& table = packet::testing::CfmTable();
      frame = table[Uniform(rng, 0, static_cast<uint32_t>(table.size() - 1))].frame;
    } else {
      std::vector<uint16_t> vids;
      for (uint32_t tags = Uniform(rng, 0, 2), t = 0; t < tags; ++t) vids.push_back(Pick(rng, kVids));
      const uint8_t opcode = Pick(rng, kOpcodes);
      uint8_t tlv_offset = opcode == 3 ? 4 : opcode == 47 ? 32 : opcode == 55 ? 16 : 12;
      if (Chance(rng, 0.05)) tlv_offset = static_cast<uint8_t>(Uniform(rng, 0, 40));
      std::vector<uint8_t> fields(tlv_offset);
      for (uint8_t& byte : fields) byte = static_cast<uint8_t>(Uniform(rng, 0, 3));
      if (Chance(rng, 0.3)) fields.resize(fields.size() + Uniform(rng, 0, 40), 0x03);
      frame = packet::testing::CfmFrame(Pick(rng, kDestinations), vids,
                                        Chance(rng, 0.8) ? packet::testing::kCfmTestLevel
                                                         : static_cast<uint8_t>(Uniform(rng, 0, 7)),
                                        opcode, tlv_offset, fields, Chance(rng, 0.7));
    }
    Mutate(rng, frame, coverage);
    if (frame.size() < kMinTestRunFrame) continue;
    const rf_config& config = configs[Uniform(rng, 0, 15)];
    const Action action = Chance(rng, 0.8) ? Action::kReflect : Action::kMonitor;
    ASSERT_TRUE((*program)->Configure(config, action).ok());
    const uint64_t before = packet::TaiNowNs();
    absl::StatusOr<TestRunResult> run = runner->Run(frame);
    const uint64_t after = packet::TaiNowNs();
    ASSERT_TRUE(run.ok()) << run.status();
    const ExpectedRun expected =
        ExpectRun(frame, config, action, nullptr, 0, nullptr, &oracle_slm);
    ++outcomes[static_cast<int>(expected.cfm)];
    const bool answered = packet::CfmAnswered(expected.cfm);
    rf_xdp_counters expected_counters = {};
    if (expected.cfm != CfmOutcome::kNotCfm) {
      expected_counters.cfm_frames[static_cast<int>(expected.cfm)] = 1;
    }
    if (answered) {
      expected_counters.cfm_answered_bytes = frame.size();
    } else {
      expected_counters = ExpectedCounters(frame, config, action);
      if (expected.cfm != CfmOutcome::kNotCfm) {
        expected_counters.cfm_frames[static_cast<int>(expected.cfm)] = 1;
      }
    }
    std::vector<uint8_t> kernel_bytes = run->frame;
    bool times_ok = true;
    if (expected.cfm == CfmOutcome::kDmr && action == Action::kReflect &&
        run->action == XDP_TX) {
      const size_t h = packet::testing::CfmHeaderOffset(kernel_bytes);
      uint64_t rx = 0;
      uint64_t tx = 0;
      for (int b = 0; b < 8; ++b) {
        rx = (rx << 8) | kernel_bytes[h + 12 + b];
        tx = (tx << 8) | kernel_bytes[h + 20 + b];
      }
      times_ok = packet::testing::StampTimestamp(before, config.stamp_clock, true) <= rx &&
                 rx <= tx && tx <= packet::testing::StampTimestamp(after, config.stamp_clock, true);
    }
    // Compared field by field: g++ 12 -O2 warns (maybe-uninitialized) about a local optional
    // of an enum built with ?: here.
    const bool same_verdict =
        answered ? !run->verdict.has_value() : run->verdict == expected.verdict;
    const bool same_cfm =
        expected.cfm == CfmOutcome::kNotCfm ? !run->cfm.has_value() : run->cfm == expected.cfm;
    const bool same =
        same_verdict && same_cfm &&
        run->action == expected.action &&
        packet::testing::MaskCfmTimes(kernel_bytes) == packet::testing::MaskCfmTimes(expected.frame) &&
        times_ok && std::memcmp(&run->counted, &expected_counters, sizeof(expected_counters)) == 0;
    if (!same) {
      ++failures;
      ADD_FAILURE() << "cfm frame " << i << " (" << ActionName(action) << "): kernel outcome "
                    << (run->cfm ? packet::CfmOutcomeName(*run->cfm) : "none") << " action "
                    << run->action << ", userspace " << packet::CfmOutcomeName(expected.cfm)
                    << " action " << expected.action << (times_ok ? "" : ", times") << "\n"
                    << packet::testing::DescribeDifference(expected.frame, kernel_bytes) << "\n"
                    << packet::testing::HexDump(frame);
    }
  }
  std::printf("cfm outcomes:");
  for (int o = 0; o <= packet::kCfmOutcomeCount; ++o) {
    std::printf(" %s=%d", std::string(packet::CfmOutcomeName(static_cast<CfmOutcome>(o))).c_str(),
                outcomes[o]);
  }
  std::printf("\n");
  // Every outcome is reached, and answers of each kind are many.
  for (int o = 0; o <= packet::kCfmOutcomeCount; ++o) EXPECT_GT(outcomes[o], 50) << o;
  EXPECT_GT(outcomes[RF_CFM_LBR] + outcomes[RF_CFM_DMR] + outcomes[RF_CFM_SLR], kCfmFrames / 15);
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
