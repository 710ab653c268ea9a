#include "tools/bench/prog_cost.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include <sched.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "reflector/base/status_macros.h"
#include "reflector/packet/checksum.h"
#include "reflector/packet/classify.h"
#include "reflector/packet/config.h"
#include "reflector/packet/guard.h"
#include "reflector/packet/loop_guard.h"
#include "reflector/packet/rate_limit.h"
#include "reflector/packet/testing/frame_builder.h"
#include "reflector/packet/testing/stamp_frames.h"
#include "testing/lab/xdp_pass.h"
#include "tools/bench/bpf_interpreter.h"
#include "tools/bench/mac_swap.h"
#include "tools/tester/stream_frame.h"
#include "xdp/bpf_status.h"
#include "xdp/loader.h"

namespace reflector::bench {
namespace {

// The tester (the lab's) and the reflector of the measured frames, both in the NetAlly OUI
// that reflectord accepts by default: the reflection is a frame it accepts too.
using packet::testing::kTesterMac;
constexpr packet::MacAddress kNetAllyReflectorMac = {0x00, 0xc0, 0x17, 0x10, 0x00, 0x02};
// The configured interface MAC is a third one, see ReflectConfig.
constexpr packet::MacAddress kConfiguredMac = {0x02, 0x00, 0x5e, 0x10, 0x00, 0x99};

absl::StatusOr<tester::StreamFrame> TestFrame(packet::Signature signature, size_t size) {
  tester::StreamSpec spec;
  spec.signature = signature;
  spec.frame_size = size;
  tester::StreamAddresses& a = spec.addresses;
  a.src_mac = kTesterMac;
  a.dst_mac = kNetAllyReflectorMac;
  a.src4 = {198, 18, 0, 1};
  a.dst4 = {198, 18, 0, 2};
  // Both ports the reflector's: the reflection of the frame is a test frame to the port too.
  a.src_port = RF_DEFAULT_PORT;
  a.dst_port = RF_DEFAULT_PORT;
  return tester::StreamFrame::Build(spec);
}

// A test run reuses one buffer, so after the first run reflectord's program sees its own
// reflection: addresses and ports swapped. With the default configuration that reflection
// would be rejected early (its destination is not the interface MAC) and half the runs would
// measure a rejection. This configuration accepts the frame and its reflection alike: the
// destination-MAC filter is off and the interface MAC is neither of the two (its loop guard
// would reject the reflection's source otherwise); everything else is reflectord's default
// (NetAlly OUI check, port 3842, all signatures, IPv4/IPv6/VLAN parsing, mode all). What the
// dst MAC filter skips is one 6-byte compare.
packet::FilterConfig ReflectFilter() {
  packet::FilterConfig config;
  config.interface_mac = kConfiguredMac;
  config.dst_mac_filter = false;
  return config;
}

// The largest table: 30 custom rules that each get as far as the payload pattern (the test
// frames' port, another payload), then the profiles' LATENCY and RFC 2544 rules. Every frame
// measured is tried against all 32 rules.
absl::StatusOr<rf_config> FullTableConfig() {
  packet::FilterConfig config = ReflectFilter();
  config.signatures = RF_SIG_BIT(RF_SIG_LATENCY) | RF_SIG_BIT(RF_SIG_RFC2544);
  for (int i = 0; i < RF_MAX_RULES - 2; ++i) {
    packet::Rule rule;
    rule.name = absl::StrCat("r", i);
    rule.dst_ports = {3800, 3900};
    rule.pattern.bytes = {'X', static_cast<uint8_t>('a' + i % 26), 'Y'};
    rule.pattern.offset = static_cast<uint16_t>(i % 8);
    config.rules.push_back(rule);
  }
  return packet::ToWire(config);
}

// The STAMP test packet measured (issue 14): a Session-Sender's 44 bytes, from and to port
// 862 so that its reflection is one too, with the MACs of TestFrame.
std::vector<uint8_t> StampFrame() {
  return packet::testing::FrameBuilder()
      .SrcMac(kTesterMac)
      .DstMac(kNetAllyReflectorMac)
      .Ports(RF_STAMP_PORT, RF_STAMP_PORT)
      .Payload(packet::testing::StampSenderPayload(1, 0xe9a1020380000000ull, 0x0101, 0))
      .Build();
}

// ReflectFilter with the stamp profile. A STAMP rule needs the dst MAC filter (Compile refuses
// it without), so it is compiled with the filter and the bench clears it in the wire config,
// for the reason ReflectFilter gives.
absl::StatusOr<rf_config> StampConfig() {
  packet::FilterConfig filter = ReflectFilter();
  filter.dst_mac_filter = true;
  filter.profiles |= packet::ProfileBit(packet::Profile::kStamp);
  REFLECTOR_ASSIGN_OR_RETURN(rf_config config, packet::ToWire(filter));
  config.flags &= static_cast<__u8>(~RF_CFG_DST_MAC_FILTER);
  return config;
}

// A frame and the frame the program sends back for it.
struct FrameAndReflection {
  std::vector<uint8_t> frame;
  std::vector<uint8_t> reflection;
};

// `frame` with an IP ID (and the header checksum to match) for which the frame and its
// reflection (under `config`) take the same slot of the loop guard's table with different
// tags; with that reflection. A test run repeats on one buffer, which alternates between the
// frame and its reflection; each then finds the other in its slot, as a new frame finds an
// older one, and the guard on measures its path for a frame it reflects, not its `loop` path.
absl::StatusOr<FrameAndReflection> GuardSlotSharingFrame(std::vector<uint8_t> frame,
                                                         const rf_config& config) {
  constexpr size_t kIpId = RF_ETH_HLEN + 4;
  constexpr size_t kIpChecksum = RF_ETH_HLEN + 10;
  for (uint32_t id = 0; id <= 0xffff; ++id) {
    frame[kIpId] = static_cast<uint8_t>(id >> 8);
    frame[kIpId + 1] = static_cast<uint8_t>(id);
    frame[kIpChecksum] = frame[kIpChecksum + 1] = 0;
    const uint16_t checksum =
        static_cast<uint16_t>(~packet::OnesComplementFold(packet::OnesComplementAdd(
            absl::MakeConstSpan(frame).subspan(RF_ETH_HLEN, RF_IPV4_MIN_HLEN))));
    frame[kIpChecksum] = static_cast<uint8_t>(checksum >> 8);
    frame[kIpChecksum + 1] = static_cast<uint8_t>(checksum);
    std::vector<uint8_t> reflection = frame;
    __u8* data = reflection.data();
    const __u8* end = data + reflection.size();
    rf_result where = {};
    __u32 hint = RF_NO_RULE_HINT;
    if (rf_classify_hinted(data, end, &config, &hint, &where) != RF_REFLECT ||
        rf_reflect(data, end, &where) != 0) {
      return absl::InternalError("the loop guard's test frame is not reflected");
    }
    const __u64 sent = rf_fingerprint(frame.data(), frame.data() + frame.size());
    const __u64 back = rf_fingerprint(data, end);
    if (rf_loop_slot_index(sent) == rf_loop_slot_index(back) &&
        rf_loop_tag(sent) != rf_loop_tag(back)) {
      return FrameAndReflection{frame, reflection};
    }
  }
  return absl::InternalError("no IP ID puts the frame and its reflection in one guard slot");
}

const char* ActionName(uint32_t action) {
  switch (action) {
    case XDP_ABORTED:
      return "XDP_ABORTED";
    case XDP_DROP:
      return "XDP_DROP";
    case XDP_PASS:
      return "XDP_PASS";
    case XDP_TX:
      return "XDP_TX";
    case XDP_REDIRECT:
      return "XDP_REDIRECT";
  }
  return "?";
}

// The instructions `insns` (the program `program_fd`) executes on `frame`, counted by the
// interpreter on the CPU this thread runs on, pinned there meanwhile. `warm_up_runs` test
// runs of `warm_up` (a run of a reflected frame leaves its reflection in the buffer for the
// next) before each count give that CPU's maps the state the timed runs left on theirs: a warm
// rule hint and the session's cache way (the frame itself, twice), and for the loop guard's row
// the frame's reflection in its slot (GuardSlotSharingFrame's, once), so that the frame is new
// to the guard. The kernel's run of the frame after each count must take the same action. -1,
// and the reason on stderr, where the interpreter cannot follow the program, disagrees, or the
// frame is not handled as the row says (`expected`).
int64_t CountInstructions(absl::Span<const bpf_insn> insns, int program_fd,
                          absl::Span<const uint8_t> frame, absl::Span<const uint8_t> warm_up,
                          int warm_up_runs, uint32_t expected, const std::string& name) {
  cpu_set_t before;
  const int cpu = sched_getcpu();
  if (cpu < 0 || sched_getaffinity(0, sizeof(before), &before) != 0) {
    std::fprintf(stderr, "bench: %s: not counted: this thread's CPU is unknown\n", name.c_str());
    return -1;
  }
  cpu_set_t here;
  CPU_ZERO(&here);
  CPU_SET(cpu, &here);
  if (sched_setaffinity(0, sizeof(here), &here) != 0) {
    std::fprintf(stderr, "bench: %s: not counted: cannot pin to CPU %d\n", name.c_str(), cpu);
    return -1;
  }
  auto test_run = [&](absl::Span<const uint8_t> bytes, int repeat) -> int64_t {
    std::vector<uint8_t> copy(bytes.begin(), bytes.end());
    LIBBPF_OPTS(bpf_test_run_opts, run, .data_in = copy.data(),
                .data_size_in = static_cast<uint32_t>(copy.size()), .repeat = repeat);
    return bpf_prog_test_run_opts(program_fd, &run) == 0 ? static_cast<int64_t>(run.retval) : -1;
  };
  // The fewest of three counts: a path that some frames take now and then (the loop guard
  // reads the clock every RF_XDP_GUARD_CLOCK_EVERY frames) is then never the one counted.
  int64_t count = -1;
  for (int round = 0; round < 3; ++round) {
    if (test_run(warm_up, warm_up_runs) < 0) {
      std::fprintf(stderr, "bench: %s: not counted: the warm-up test run failed\n", name.c_str());
      count = -1;
      break;
    }
    const absl::StatusOr<InterpretedRun> interpreted = InterpretXdp(insns, frame, cpu);
    const int64_t action = test_run(frame, 1);
    if (!interpreted.ok()) {
      std::fprintf(stderr, "bench: %s: not counted: %s\n", name.c_str(),
                   std::string(interpreted.status().message()).c_str());
      count = -1;
      break;
    }
    if (static_cast<int64_t>(interpreted->action) != action || interpreted->action != expected) {
      std::fprintf(stderr,
                   "bench: %s: not counted: the interpreter returned %s, the kernel %s, the row "
                   "is for %s\n",
                   name.c_str(), ActionName(interpreted->action),
                   ActionName(static_cast<uint32_t>(action)), ActionName(expected));
      count = -1;
      break;
    }
    const auto instructions = static_cast<int64_t>(interpreted->instructions);
    count = count < 0 ? instructions : std::min(count, instructions);
  }
  sched_setaffinity(0, sizeof(before), &before);
  return count;
}

}  // namespace

absl::StatusOr<ProgCost> MeasureProgCost(int program_fd, absl::Span<const uint8_t> frame,
                                         const ProgCostOptions& options) {
  ProgCost cost;
  cost.ns_per_frame = std::numeric_limits<double>::infinity();
  std::vector<uint8_t> data(frame.begin(), frame.end());
  for (int round = 0; round < std::max(1, options.rounds); ++round) {
    LIBBPF_OPTS(bpf_test_run_opts, run, .data_in = data.data(),
                .data_size_in = static_cast<uint32_t>(data.size()),
                .repeat = static_cast<int>(options.repeat));
    if (const int err = bpf_prog_test_run_opts(program_fd, &run); err != 0) {
      return xdp::BpfErrorToStatus(err, "test-run the program (bpf_prog_test_run_opts)");
    }
    // `duration` is the kernel's average per run, in whole nanoseconds; the total over the
    // round is not reported, so that is the resolution.
    cost.ns_per_frame = std::min(cost.ns_per_frame, static_cast<double>(run.duration));
    cost.action = run.retval;
  }
  return cost;
}

absl::StatusOr<std::vector<CostFrame>> CostFrames() {
  std::vector<CostFrame> frames;
  REFLECTOR_ASSIGN_OR_RETURN(const tester::StreamFrame small,
                             TestFrame(packet::Signature::kRfc2544, 64));
  REFLECTOR_ASSIGN_OR_RETURN(const tester::StreamFrame large,
                             TestFrame(packet::Signature::kLatency, 512));
  std::vector<uint8_t> rfc2544(small.bytes().begin(), small.bytes().end());
  std::vector<uint8_t> latency(large.bytes().begin(), large.bytes().end());
  // The same 64-byte frame without its signature: UDP to port 3842, no signature anywhere.
  // (The UDP checksum no longer matches; the classifier does not check it.)
  std::vector<uint8_t> unsigned_frame = rfc2544;
  const auto signature = unsigned_frame.begin() + static_cast<long>(small.marker_offset());
  std::fill(signature, signature + RF_SIG_LEN, 0);
  frames.push_back({"64 B RFC 2544 test frame", std::move(rfc2544), true});
  frames.push_back({"512 B LATENCY test frame", std::move(latency), true});
  frames.push_back({"64 B UDP without signature (rejected)", std::move(unsigned_frame), false});
  return frames;
}

absl::StatusOr<std::vector<CostRow>> MeasureCosts(const ProgCostOptions& options) {
  REFLECTOR_ASSIGN_OR_RETURN(const testing::lab::XdpPassProgram empty,
                             testing::lab::XdpPassProgram::Load());
  REFLECTOR_ASSIGN_OR_RETURN(std::unique_ptr<MacSwapProgram> baseline, MacSwapProgram::Load());
  REFLECTOR_ASSIGN_OR_RETURN(std::unique_ptr<xdp::XdpProgram> reflector, xdp::XdpProgram::Load());
  REFLECTOR_ASSIGN_OR_RETURN(const rf_config config, packet::ToWire(ReflectFilter()));
  REFLECTOR_RETURN_IF_ERROR(reflector->Configure(config, xdp::Action::kReflect));
  REFLECTOR_ASSIGN_OR_RETURN(std::unique_ptr<xdp::XdpProgram> full, xdp::XdpProgram::Load());
  REFLECTOR_ASSIGN_OR_RETURN(const rf_config full_config, FullTableConfig());
  REFLECTOR_RETURN_IF_ERROR(full->Configure(full_config, xdp::Action::kReflect));
  REFLECTOR_ASSIGN_OR_RETURN(const std::vector<CostFrame> frames, CostFrames());
  std::vector<CostRow> rows;
  // One row: the three programs on `bytes`; the measurement is only what it claims if
  // reflectord's program did what the frame is for (`expected`). `warm_up`: what its count
  // runs first, once (CountInstructions); the frame itself, twice, unless given.
  auto measure_row = [&](const xdp::XdpProgram& program, absl::Span<const uint8_t> bytes,
                         const std::string& name, uint32_t expected,
                         absl::Span<const uint8_t> warm_up = {}) -> absl::Status {
    const int warm_up_runs = warm_up.empty() ? 2 : 1;
    if (warm_up.empty()) warm_up = bytes;
    REFLECTOR_ASSIGN_OR_RETURN(const ProgCost loop, MeasureProgCost(empty.program_fd(), bytes, options));
    REFLECTOR_ASSIGN_OR_RETURN(const ProgCost base,
                               MeasureProgCost(baseline->program_fd(), bytes, options));
    REFLECTOR_ASSIGN_OR_RETURN(const ProgCost refl,
                               MeasureProgCost(program.program_fd(), bytes, options));
    if (refl.action != expected) {
      return absl::InternalError(absl::StrCat("reflectord's program returned ",
                                              ActionName(refl.action), " for the ", name,
                                              ", expected ", ActionName(expected)));
    }
    rows.push_back({name, loop.ns_per_frame, base.ns_per_frame, refl.ns_per_frame,
                    ActionName(refl.action),
                    CountInstructions(baseline->instructions(), baseline->program_fd(), bytes,
                                      bytes, 2, XDP_TX, name),
                    CountInstructions(program.instructions(), program.program_fd(), bytes, warm_up,
                                      warm_up_runs, expected, name)});
    return absl::OkStatus();
  };
  for (const auto& [program, table] :
       {std::pair<const xdp::XdpProgram*, const char*>{reflector.get(), ""},
        {full.get(), ", 32-rule table"}}) {
    for (const CostFrame& frame : frames) {
      REFLECTOR_RETURN_IF_ERROR(measure_row(*program, frame.bytes, absl::StrCat(frame.name, table),
                                            frame.test_frame ? XDP_TX : XDP_PASS));
    }
  }
  // The daemon's default: the loop guard on (100 ms window).
  {
    REFLECTOR_ASSIGN_OR_RETURN(std::unique_ptr<xdp::XdpProgram> guarded, xdp::XdpProgram::Load());
    rf_config guarded_config = config;
    guarded_config.guard.loop_window_ticks = packet::LoopWindowTicks(absl::Milliseconds(100));
    REFLECTOR_RETURN_IF_ERROR(guarded->Configure(guarded_config, xdp::Action::kReflect));
    REFLECTOR_ASSIGN_OR_RETURN(const FrameAndReflection sharing,
                               GuardSlotSharingFrame(frames[0].bytes, guarded_config));
    REFLECTOR_RETURN_IF_ERROR(
        measure_row(*guarded, sharing.frame,
                    absl::StrCat(frames[0].name, ", loop guard on (the daemon's default)"), XDP_TX,
                    sharing.reflection));
  }
  // Without the per-tester session count (reflectord --sessions=false): the classifier, the
  // counters and the swap alone.
  {
    xdp::LoadOptions without_sessions;
    without_sessions.count_sessions = false;
    REFLECTOR_ASSIGN_OR_RETURN(std::unique_ptr<xdp::XdpProgram> lean,
                               xdp::XdpProgram::Load(without_sessions));
    REFLECTOR_RETURN_IF_ERROR(lean->Configure(config, xdp::Action::kReflect));
    REFLECTOR_RETURN_IF_ERROR(measure_row(
        *lean, frames[0].bytes, absl::StrCat(frames[0].name, ", sessions not counted"), XDP_TX));
  }
  // A capture of the rejected frames running (issue 21): what a reflected frame pays for it.
  rf_capture_config rejected_only = {};
  rejected_only.verdicts = ((1u << RF_VERDICT_COUNT) - 1) & ~(1u << RF_REFLECT);
  rejected_only.rules = RF_CAPTURE_ANY_RULE;
  rejected_only.snap = 64;
  rejected_only.enabled = 1;
  reflector->ConfigureCapture(rejected_only);
  REFLECTOR_RETURN_IF_ERROR(measure_row(*reflector, frames[0].bytes,
                                        absl::StrCat(frames[0].name, ", capture of rejected on"),
                                        XDP_TX));
  reflector->ConfigureCapture(rf_capture_config{});
  // STAMP beside the test frame it is compared with, both under the stamp profile's config.
  REFLECTOR_ASSIGN_OR_RETURN(const rf_config stamp_config, StampConfig());
  REFLECTOR_RETURN_IF_ERROR(reflector->Configure(stamp_config, xdp::Action::kReflect));
  REFLECTOR_RETURN_IF_ERROR(
      measure_row(*reflector, frames[0].bytes, "64 B RFC 2544 test frame, stamp profile", XDP_TX));
  REFLECTOR_RETURN_IF_ERROR(measure_row(*reflector, StampFrame(),
                                        "90 B STAMP packet (44 B payload), stamp profile", XDP_TX));
  return rows;
}

namespace {

// Where DistinctFramesCost counts: the IP ID (one session), or the UDP source port (a new
// session per frame) of an untagged IPv4 frame with a 20-byte header.
constexpr size_t kIpIdOffset = RF_ETH_HLEN + 4;
constexpr size_t kSourcePortOffset = RF_ETH_HLEN + RF_IPV4_MIN_HLEN;

// The average of one test run per frame over `frames` copies of `frame` whose 16-bit field at
// `counter_offset` is 0, 1, ... Fails unless every run returned `expected`.
absl::StatusOr<double> DistinctFramesCost(int program_fd, absl::Span<const uint8_t> frame,
                                          int frames, uint32_t expected,
                                          size_t counter_offset = kIpIdOffset) {
  std::vector<uint8_t> data(frame.begin(), frame.end());
  uint64_t total_ns = 0;
  for (int i = 0; i < frames; ++i) {
    data[counter_offset] = static_cast<uint8_t>(i >> 8);
    data[counter_offset + 1] = static_cast<uint8_t>(i);
    LIBBPF_OPTS(bpf_test_run_opts, run, .data_in = data.data(),
                .data_size_in = static_cast<uint32_t>(data.size()), .repeat = 1);
    if (const int err = bpf_prog_test_run_opts(program_fd, &run); err != 0) {
      return xdp::BpfErrorToStatus(err, "test-run the program (bpf_prog_test_run_opts)");
    }
    if (run.retval != expected) {
      return absl::InternalError(absl::StrCat("frame ", i, ": the program returned ",
                                              ActionName(run.retval), ", expected ",
                                              ActionName(expected)));
    }
    total_ns += run.duration;
  }
  return static_cast<double>(total_ns) / frames;
}

}  // namespace

absl::StatusOr<GuardCost> MeasureGuardCost(const ProgCostOptions& options) {
  GuardCost cost;
  // Distinct IP IDs: 65,536 at most; as many as a guard table (4,096 slots) several times over.
  cost.frames = static_cast<int>(std::clamp<uint32_t>(options.repeat / 20, 1, 65536));
  REFLECTOR_ASSIGN_OR_RETURN(const tester::StreamFrame small,
                             TestFrame(packet::Signature::kRfc2544, 64));
  REFLECTOR_ASSIGN_OR_RETURN(const rf_config off, packet::ToWire(ReflectFilter()));
  rf_config on = off;
  on.guard.loop_window_ticks = packet::LoopWindowTicks(absl::Milliseconds(100));
  // Rate caps that never bind (1 Gfps with a second of burst): their whole path, every frame
  // reflected.
  rf_config capped = on;
  capped.guard.global.all = packet::ToWireCap({packet::kMaxFramesPerSecond, 0});
  capped.guard.global.per_source = capped.guard.global.all;
  capped.guard.rate_burst = packet::RateBurstUnits(absl::Seconds(1));
  capped.guard.flags |= RF_GUARD_RATE_CAPS;
  rf_capture_config capture = {};
  capture.verdicts = 1u << RF_REFLECT;
  capture.rules = RF_CAPTURE_ANY_RULE;
  capture.sample = 1000;
  capture.per_second = 1000;
  capture.snap = 128;
  capture.enabled = 1;
  cost.off_ns = cost.on_ns = cost.capped_ns = cost.captured_ns = cost.new_session_ns =
      std::numeric_limits<double>::infinity();
  for (int round = 0; round < std::max(1, options.rounds); ++round) {
    for (const auto& [config, ns] : {std::pair<const rf_config*, double*>{&off, &cost.off_ns},
                                     {&on, &cost.on_ns},
                                     {&capped, &cost.capped_ns}}) {
      // A fresh program per round: an empty guard table, as after a start.
      REFLECTOR_ASSIGN_OR_RETURN(std::unique_ptr<xdp::XdpProgram> program,
                                 xdp::XdpProgram::Load());
      REFLECTOR_RETURN_IF_ERROR(program->Configure(*config, xdp::Action::kReflect));
      REFLECTOR_ASSIGN_OR_RETURN(
          const double average,
          DistinctFramesCost(program->program_fd(), small.bytes(), cost.frames, XDP_TX));
      *ns = std::min(*ns, average);
    }
    {
      REFLECTOR_ASSIGN_OR_RETURN(std::unique_ptr<xdp::XdpProgram> program,
                                 xdp::XdpProgram::Load());
      REFLECTOR_RETURN_IF_ERROR(program->Configure(on, xdp::Action::kReflect));
      program->ConfigureCapture(capture);
      REFLECTOR_ASSIGN_OR_RETURN(
          const double average,
          DistinctFramesCost(program->program_fd(), small.bytes(), cost.frames, XDP_TX));
      cost.captured_ns = std::min(cost.captured_ns, average);
    }
    REFLECTOR_ASSIGN_OR_RETURN(std::unique_ptr<xdp::XdpProgram> program, xdp::XdpProgram::Load());
    REFLECTOR_RETURN_IF_ERROR(program->Configure(off, xdp::Action::kReflect));
    REFLECTOR_ASSIGN_OR_RETURN(const double average,
                               DistinctFramesCost(program->program_fd(), small.bytes(),
                                                  cost.frames, XDP_TX, kSourcePortOffset));
    cost.new_session_ns = std::min(cost.new_session_ns, average);
  }
  return cost;
}

std::string FormatGuardCost(const GuardCost& cost, bool markdown) {
  return absl::StrFormat(
      "%sLoop guard%s (on by default, 100 ms window): %d different 64 B RFC 2544 test frames, "
      "one test run each, best of the rounds: %.1f ns per frame with the guard off, %.1f ns "
      "with it on: %+.1f ns per reflected frame (a run's time here includes the kernel's clock "
      "reads around it).\n\n"
      "%sRate caps%s (off by default), a global and a per-source cap that never bind, with the "
      "loop guard on: %.1f ns per frame, %+.1f ns for the caps (a clock read, a hash of the "
      "source address and two locked buckets).\n\n"
      "%sCapture%s of 1 in 1000 reflected frames (off by default), with the loop guard on: "
      "%.1f ns per frame, %+.1f ns for the capture (a sampling countdown per frame, a clock "
      "read and a copy into the ring for one in 1000).\n\n"
      "%sSessions%s (always counted): the frames of the guard-off figure are one session, "
      "whose slot in the per-CPU cache each finds (that hit path is in every reflected "
      "frame's cost above); the same frames with a different UDP source port each, a new "
      "session per frame that takes its slot over and moves the previous one's counts into "
      "the shared LRU table: %.1f ns per frame, %+.1f ns for the miss path.\n",
      markdown ? "**" : "", markdown ? "**" : "", cost.frames, cost.off_ns, cost.on_ns,
      cost.on_ns - cost.off_ns, markdown ? "**" : "", markdown ? "**" : "", cost.capped_ns,
      cost.capped_ns - cost.on_ns, markdown ? "**" : "", markdown ? "**" : "", cost.captured_ns,
      cost.captured_ns - cost.on_ns, markdown ? "**" : "", markdown ? "**" : "",
      cost.new_session_ns, cost.new_session_ns - cost.off_ns);
}

absl::StatusOr<std::vector<SessionCost>> MeasureSessionCost(const ProgCostOptions& options) {
  REFLECTOR_ASSIGN_OR_RETURN(const testing::lab::XdpPassProgram empty,
                             testing::lab::XdpPassProgram::Load());
  REFLECTOR_ASSIGN_OR_RETURN(const rf_config config, packet::ToWire(ReflectFilter()));
  REFLECTOR_ASSIGN_OR_RETURN(std::unique_ptr<xdp::XdpProgram> on, xdp::XdpProgram::Load());
  xdp::LoadOptions without_sessions;
  without_sessions.count_sessions = false;
  REFLECTOR_ASSIGN_OR_RETURN(std::unique_ptr<xdp::XdpProgram> off,
                             xdp::XdpProgram::Load(without_sessions));
  REFLECTOR_RETURN_IF_ERROR(on->Configure(config, xdp::Action::kReflect));
  REFLECTOR_RETURN_IF_ERROR(off->Configure(config, xdp::Action::kReflect));
  REFLECTOR_ASSIGN_OR_RETURN(const std::vector<CostFrame> frames, CostFrames());
  // The fast tier's frame (the session count with constant offsets) and a tagged one, which
  // takes the exact classifier (the count with the classifier's offsets).
  const std::vector<std::pair<std::string, std::vector<uint8_t>>> measured = {
      {frames[0].name, frames[0].bytes},
      {"68 B RFC 2544 test frame, VLAN 100",
       packet::testing::FrameBuilder()
           .SrcMac(kTesterMac)
           .DstMac(kNetAllyReflectorMac)
           .Vlan(100)
           .Ports(RF_DEFAULT_PORT, RF_DEFAULT_PORT)
           .Custom("RFC2544")
           .FrameSize(64)
           .Build()}};
  const ProgCostOptions one_round = {.repeat = options.repeat, .rounds = 1};
  std::vector<SessionCost> costs;
  for (const auto& [name, bytes] : measured) {
    SessionCost cost;
    cost.frame = name;
    for (int round = 0; round < std::max(1, options.rounds); ++round) {
      SessionCostRound turns;
      REFLECTOR_ASSIGN_OR_RETURN(const ProgCost loop,
                                 MeasureProgCost(empty.program_fd(), bytes, one_round));
      turns.empty_ns = loop.ns_per_frame;
      // Off first in even rounds, on first in odd ones: neither always follows the other.
      for (int turn = 0; turn < 2; ++turn) {
        const bool sessions = (round + turn) % 2 == 1;
        const xdp::XdpProgram& program = sessions ? *on : *off;
        REFLECTOR_ASSIGN_OR_RETURN(const ProgCost run,
                                   MeasureProgCost(program.program_fd(), bytes, one_round));
        if (run.action != XDP_TX) {
          return absl::InternalError(absl::StrCat("reflectord's program (sessions ",
                                                  sessions ? "on" : "off", ") returned ",
                                                  ActionName(run.action), " for the ", name,
                                                  ", expected XDP_TX"));
        }
        (sessions ? turns.on_ns : turns.off_ns) = run.ns_per_frame;
      }
      cost.rounds.push_back(turns);
    }
    costs.push_back(std::move(cost));
  }
  return costs;
}

std::string FormatSessionCost(const std::vector<SessionCost>& costs,
                              const ProgCostOptions& options, bool markdown) {
  std::string out = absl::StrFormat(
      "%sSessions on vs off%s (issue 15: within 10 %% of the cost per frame without them), ns "
      "per frame, bpf_prog_test_run_opts repeat %d, %d rounds taken in turns; \"net\" takes "
      "the empty program's share (the test-run loop) off both.\n",
      markdown ? "**" : "", markdown ? "**" : "", options.repeat, std::max(1, options.rounds));
  auto ratio = [](double on, double off) {
    return off > 0 ? absl::StrFormat("%.3f", on / off) : std::string("-");
  };
  auto append_row = [&](const std::string& label, const SessionCostRound& r) {
    const std::vector<std::string> cells = {
        label, absl::StrFormat("%.0f", r.empty_ns), absl::StrFormat("%.0f", r.off_ns),
        absl::StrFormat("%.0f", r.on_ns), ratio(r.on_ns, r.off_ns),
        ratio(r.on_ns - r.empty_ns, r.off_ns - r.empty_ns)};
    if (markdown) {
      absl::StrAppend(&out, "| ", absl::StrJoin(cells, " | "), " |\n");
    } else {
      absl::StrAppendFormat(&out, "  %6s %7s %7s %7s %9s %13s\n", cells[0], cells[1], cells[2],
                            cells[3], cells[4], cells[5]);
    }
  };
  for (const SessionCost& cost : costs) {
    absl::StrAppend(&out, "\n", cost.frame, "\n");
    if (markdown) {
      absl::StrAppend(&out, "\n| round | empty | off | on | on / off | net on / off |\n"
                            "|---:|---:|---:|---:|---:|---:|\n");
    } else {
      absl::StrAppendFormat(&out, "  %6s %7s %7s %7s %9s %13s\n", "round", "empty", "off", "on",
                            "on / off", "net on / off");
    }
    constexpr double kInf = std::numeric_limits<double>::infinity();
    SessionCostRound best = {kInf, kInf, kInf};
    for (size_t i = 0; i < cost.rounds.size(); ++i) {
      const SessionCostRound& r = cost.rounds[i];
      best = {std::min(best.empty_ns, r.empty_ns), std::min(best.off_ns, r.off_ns),
              std::min(best.on_ns, r.on_ns)};
      append_row(absl::StrCat(i + 1), r);
    }
    append_row("best", best);
  }
  return out;
}

std::string FormatCosts(const std::vector<CostRow>& rows, const ProgCostOptions& options,
                        bool markdown) {
  const std::string title = absl::StrFormat(
      "Per-program cost, ns per frame (bpf_prog_test_run_opts, repeat %d, best of %d rounds; "
      "no veth, no tester). \"empty\" is an XDP_PASS-only program: the test-run loop's own "
      "share, taken off both for the net ratio.",
      options.repeat, options.rounds);
  auto ratio = [](double value, double base) {
    return base > 0 ? absl::StrFormat("%.1f", value / base) : std::string("-");
  };
  std::vector<std::vector<std::string>> cells;
  for (const CostRow& r : rows) {
    auto count = [](int64_t n) { return n < 0 ? std::string("-") : absl::StrCat(n); };
    cells.push_back(
        {r.frame, absl::StrFormat("%.0f", r.empty_ns), absl::StrFormat("%.0f", r.baseline_ns),
         absl::StrFormat("%.0f", r.reflector_ns), ratio(r.reflector_ns, r.baseline_ns),
         ratio(r.reflector_ns - r.empty_ns, r.baseline_ns - r.empty_ns), r.reflector_action,
         count(r.baseline_instructions), count(r.reflector_instructions)});
  }
  const std::vector<std::string> header = {
      "frame",      "empty ns",          "baseline ns",    "reflectord xdp ns", "x base",
      "net x base", "reflectord action", "baseline insns", "reflectord insns"};
  std::string out;
  if (markdown) {
    absl::StrAppend(&out, title, "\n\n| ", absl::StrJoin(header, " | "),
                    " |\n|---|---:|---:|---:|---:|---:|---|---:|---:|\n");
    for (const auto& line : cells) absl::StrAppend(&out, "| ", absl::StrJoin(line, " | "), " |\n");
    return out;
  }
  absl::StrAppend(&out, title, "\n");
  auto append = [&out](const std::vector<std::string>& line) {
    absl::StrAppendFormat(&out, "  %-38s %8s %11s %17s %6s %10s  %-17s %14s %16s\n", line[0],
                          line[1], line[2], line[3], line[4], line[5], line[6], line[7], line[8]);
  };
  append(header);
  for (const auto& line : cells) append(line);
  return out;
}

}  // namespace reflector::bench
