#include "xdp/test_run.h"

#include <bpf/bpf.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "reflector/packet/rate_limit.h"
#include "xdp/bpf_status.h"
#include "xdp/counters.h"

namespace reflector::xdp {

bool TcTestRunRefuses(absl::Span<const uint8_t> frame) {
  if (frame.size() < kMinTestRunFrame) return true;
  const uint16_t ethertype = static_cast<uint16_t>(frame[12] << 8 | frame[13]);
  const size_t l3 = frame.size() - kMinTestRunFrame;
  return (ethertype == RF_ETHERTYPE_IPV4 && l3 < 20) || (ethertype == RF_ETHERTYPE_IPV6 && l3 < 40);
}

absl::StatusOr<TestRunner> TestRunner::Create(const XdpProgram* program) {
  return Create(program->program_fd(), [program] { return program->ReadCounters(); });
}

absl::StatusOr<TestRunner> TestRunner::Create(const TcDropFilter* program) {
  return Create(program->program_fd(), [program] { return program->ReadCounters(); });
}

absl::StatusOr<TestRunner> TestRunner::Create(int program_fd, CounterReader read_counters) {
  absl::StatusOr<rf_xdp_counters> counters = read_counters();
  if (!counters.ok()) return counters.status();
  return TestRunner(program_fd, std::move(read_counters), *counters);
}

absl::StatusOr<TestRunResult> TestRunner::Run(absl::Span<const uint8_t> frame) {
  TestRunResult result;
  // Room beyond the input: the program grows a short STAMP sender's frame (stamp.h), and a
  // short output buffer fails the run with ENOSPC instead of comparing wrong bytes.
  result.frame.resize(frame.size() + 256);
  LIBBPF_OPTS(bpf_test_run_opts, options, .data_in = frame.data(),
              .data_out = result.frame.data(), .data_size_in = static_cast<uint32_t>(frame.size()),
              .data_size_out = static_cast<uint32_t>(result.frame.size()), .repeat = 1);
  if (const int err = bpf_prog_test_run_opts(program_fd_, &options)) {
    return BpfErrorToStatus(err, absl::StrCat("test-run a ", frame.size(), "-byte frame"));
  }
  result.action = options.retval;
  result.frame.resize(options.data_size_out);

  absl::StatusOr<rf_xdp_counters> counters = read_counters_();
  if (!counters.ok()) return counters.status();
  result.counted = CountersSince(*counters, last_);
  last_ = *counters;
  int moved = 0;
  for (int v = 0; v < RF_XDP_VERDICT_SLOTS; ++v) {
    if (result.counted.verdict_frames[v] == 0) continue;
    moved += static_cast<int>(result.counted.verdict_frames[v]);
    result.verdict = static_cast<packet::Verdict>(v);
  }
  for (int r = 0; r < RF_MAX_RULES; ++r) {
    if (result.counted.rule_frames[r] == 0) continue;
    moved += static_cast<int>(result.counted.rule_frames[r]);
    result.verdict = packet::Verdict::kReflect;
    result.rule = r;
  }
  if (moved != 1) result.verdict.reset();
  for (int o = 0; o < RF_CFM_OUTCOME_COUNT; ++o) {
    if (result.counted.cfm_frames[o] != 0) result.cfm = static_cast<packet::CfmOutcome>(o);
  }
  return result;
}

ExpectedRun ExpectRun(absl::Span<const uint8_t> frame, const rf_config& config, Action action,
                      packet::LoopGuard* guard, uint32_t now, packet::RateBuckets* rates,
                      packet::SlmCounters* slm, packet::StampSessions* stamp_sessions) {
  ExpectedRun expected;
  packet::SlmCounters fresh;
  if (slm == nullptr) slm = &fresh;
  packet::StampSessions fresh_sessions;
  if (stamp_sessions == nullptr) stamp_sessions = &fresh_sessions;
  expected.frame.assign(frame.begin(), frame.end());
  expected.action = XDP_PASS;
  if (action == Action::kReflect) {
    const packet::Classification c = packet::Classify(frame, config);
    expected.verdict = c.verdict;
    if (!c.reflect()) {
      // Y.1731's timestamps are the userspace clock's: compare with MaskCfmTimes.
      expected.cfm = packet::OfferToCfm(absl::MakeSpan(expected.frame), c.verdict, config, true,
                                        packet::TaiNowNs(), *slm);
      if (packet::CfmAnswered(expected.cfm)) expected.action = XDP_TX;
      return expected;
    }
    packet::GuardClock clock;
    clock.loop_ticks = now;
    clock.rate_time = packet::RateTimeNow();
    const packet::Verdict guarded = packet::GuardFrame(
        frame, c.where, config.guard, guard, rates, clock);
    if (guarded != packet::Verdict::kReflect) {
      expected.verdict = guarded;
      expected.action = XDP_DROP;
    } else if (packet::ReflectInVector(expected.frame, c.where, config, packet::TaiNowNs(),
                                       nullptr, stamp_sessions)) {
      // STAMP's timestamps are the userspace clock's: compare with MaskStampTimes.
      expected.action = XDP_TX;
    } else {
      expected.verdict = packet::Verdict::kTooShort;  // unreachable for a kReflect result
    }
  } else {
    // Monitor passes everything; afxdp without a socket on the queue falls back to pass.
    expected.verdict = packet::Classify(frame, config).verdict;
    std::vector<uint8_t> untouched(frame.begin(), frame.end());
    expected.cfm = packet::OfferToCfm(absl::MakeSpan(untouched), expected.verdict, config, false,
                                      0, *slm);
  }
  return expected;
}

ExpectedRun ExpectTcRun(absl::Span<const uint8_t> frame, const rf_config& config) {
  ExpectedRun expected;
  expected.frame.assign(frame.begin(), frame.end());
  expected.verdict = packet::Classify(frame, config).verdict;
  // A Y.1731 request the workers answer is dropped like a test frame (the tc program only
  // judges it: the answer is the workers').
  std::vector<uint8_t> untouched(frame.begin(), frame.end());
  packet::SlmCounters slm;
  expected.cfm =
      packet::OfferToCfm(absl::MakeSpan(untouched), expected.verdict, config, false, 0, slm);
  expected.action = static_cast<uint32_t>(
      expected.verdict == packet::Verdict::kReflect || packet::CfmAnswered(expected.cfm)
          ? TC_ACT_SHOT
          : TC_ACT_UNSPEC);
  return expected;
}

}  // namespace reflector::xdp
