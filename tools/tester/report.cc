#include "tools/tester/report.h"

// The build has no exceptions: nlohmann::json aborts instead of throwing (it only could on
// invalid UTF-8, and every string here is ASCII).
#define JSON_NOEXCEPTION 1
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "reflector/packet/packet.h"

namespace reflector::tester {
namespace {

std::string EngineName(Engine engine) {
  return engine == Engine::kPrecise ? "precise" : "linerate";
}

std::string RateText(double fps) {
  return fps > 0 ? absl::StrFormat("%.0f fps", fps) : std::string("max");
}

// Where the RTTs start: the kernel's transmit stamp, the send time read in userspace before
// sendmmsg, or each for some frames. They all end at the kernel's receive stamp.
std::string TxClockName(const TrialResult& r) {
  if (r.rtt_clock.tx_user == 0 && r.rtt_clock.tx_kernel > 0) return "kernel";
  if (r.rtt_clock.tx_kernel == 0) return "userspace";
  return "mixed";
}

std::string RttClockText(const TrialResult& r) {
  const RttClockCounts& c = r.rtt_clock;
  if (!r.kernel_tx_stamps) {
    return "send call (userspace) to kernel receive stamp; no kernel transmit stamps";
  }
  std::string text = absl::StrFormat(
      "kernel transmit to kernel receive stamp for %d of %d frames", c.tx_kernel,
      c.tx_kernel + c.tx_user);
  if (c.tx_user != 0) absl::StrAppend(&text, "; the rest from the send call");
  if (c.rejected != 0) absl::StrAppend(&text, absl::StrFormat(" (%d stamps rejected)", c.rejected));
  return text;
}

nlohmann::json ResultObject(const TrialResult& r) {
  const StreamSummary& s = r.summary;
  nlohmann::json j = {
      {"engine", EngineName(r.engine)},
      {"signature", SignatureFlagName(r.spec.signature)},
      {"frame_size", r.spec.frame_size},
      {"ipv6", r.spec.addresses.ipv6},
      {"vlan", r.spec.addresses.vlan_id},
      {"stream_id", r.spec.stream_id},
      {"requested_fps", r.requested_fps},
      {"sent", s.sent},
      {"received", s.received},
      {"lost", s.lost},
      {"loss_percent", s.loss_percent},
      {"xdp_received", r.xdp_received},
      {"elapsed_s", r.elapsed_s},
      {"tx_fps", r.tx_fps},
      {"rx_fps", r.rx_fps},
      {"tx_mbps", FrameMbps(r.tx_fps, r.spec.frame_size)},
      {"rx_mbps", FrameMbps(r.rx_fps, r.spec.frame_size)},
  };
  if (!r.spec.pattern.empty()) {
    j["pattern"] = FormatPattern(r.spec.pattern);
    j["pattern_offset"] = r.spec.pattern_offset;
  }
  if (r.counts_only()) {
    j["burst_frames"] = r.burst_frames;
    j["schedule_slips"] = r.schedule_slips;
    j["slipped_s"] = r.slipped_s;
  }
  if (!r.counts_only()) {
    j["duplicates"] = s.duplicates;
    j["out_of_order"] = s.out_of_order;
    j["unknown_sequence"] = s.unknown;
    j["ring_drops"] = r.ring_drops;
    j["send_retries"] = r.send_errors;
    if (s.rtt) {
      j["rtt_us"] = {{"min", s.rtt->min_us},   {"mean", s.rtt->mean_us}, {"p50", s.rtt->p50_us},
                     {"p90", s.rtt->p90_us},   {"p99", s.rtt->p99_us},   {"p99.9", s.rtt->p999_us},
                     {"max", s.rtt->max_us},   {"samples", s.rtt->samples}};
      j["jitter_us"] = s.rtt->jitter_us;
    }
    j["rtt_clock"] = {{"tx", TxClockName(r)},
                      {"rx", "kernel"},
                      {"tx_kernel_frames", r.rtt_clock.tx_kernel},
                      {"tx_userspace_frames", r.rtt_clock.tx_user},
                      {"tx_stamps_rejected", r.rtt_clock.rejected}};
    if (r.frame_clock_rtt) {
      const RttSummary& f = *r.frame_clock_rtt;
      j["rtt_userspace_tx_us"] = {{"min", f.min_us}, {"p50", f.p50_us}, {"p99", f.p99_us},
                                  {"p99.9", f.p999_us}, {"max", f.max_us}};
    }
  }
  return j;
}

// What the throughput line says about where the search ended.
const char* BoundPrefix(const SearchOutcome& outcome) {
  return outcome.bound == SearchBound::kTop && outcome.throughput_fps > 0 ? "at least " : "";
}
std::string BoundNote(const SearchOutcome& outcome) {
  if (outcome.steps.empty()) return ": no trial ended";
  if (outcome.throughput_fps == 0) return ", nothing passed: loss at every rate tried";
  switch (outcome.bound) {
    case SearchBound::kTop:
      return ": nothing was lost at the top of the search; raise --rate to search higher";
    case SearchBound::kTester:
      return ", the tester's ceiling: nothing was lost at any rate it sent";
    case SearchBound::kLoss:
      break;
  }
  return "";
}

nlohmann::json HeaderObject(const RunHeader& h) {
  return {{"interface", h.interface},
          {"src_ip", h.src_ip},
          {"dst_ip", h.dst_ip},
          {"dst_mac", h.dst_mac},
          {"src_mac", h.src_mac},
          {"loss_threshold_percent", h.loss_threshold_percent}};
}

// The last row of a run: pass or fail, and why.
std::string RunVerdict(const TrialResult& r, double threshold) {
  const StreamSummary& s = r.summary;
  if (s.sent == 0) return "FAIL: nothing was sent";
  if (s.received == 0) return "FAIL: nothing came back";
  if (RunPasses(r, threshold)) {
    return absl::StrFormat("pass: loss within the %.4f%% threshold", threshold);
  }
  return absl::StrFormat("FAIL: loss above the %.4f%% threshold (--loss_threshold)", threshold);
}

}  // namespace

std::string FormatTrialHeader(const RunHeader& h, const TrialOptions& options,
                              Engine engine) {
  const StreamSpec& spec = options.spec;
  const double seconds = static_cast<double>(options.duration_ns) / 1e9;
  const std::string load =
      options.count > 0 ? absl::StrFormat("%d frames at %s (at most %.3g s)", options.count,
                                          RateText(options.rate_fps), seconds)
                        : absl::StrFormat("%s for %.3g s", RateText(options.rate_fps), seconds);
  return absl::StrFormat(
      "ito-tester %s -> %s (%s) from %s, %s, %d-byte frames, %s%s, engine %s, %s\n",
      h.interface, h.dst_ip, h.dst_mac, h.src_mac, DescribeStream(spec),
      spec.frame_size, spec.addresses.ipv6 ? "IPv6" : "IPv4",
      spec.addresses.vlan_id != 0 ? absl::StrCat(", VLAN ", spec.addresses.vlan_id) : "",
      EngineName(engine), load);
}

std::string NothingCameBackHint(const StreamSpec& spec, const std::string& dst_ip) {
  const int port = spec.addresses.dst_port;
  std::string why;
  if (!spec.signature.has_value()) {
    why = absl::StrFormat(
        "reflectord reflects frames with no signature only by a rule: --profile=loopback with "
        "--loopback_ports=%d, or a [[rule]] with dst_port = %d",
        port, port);
  } else if (*spec.signature == packet::Signature::kRfc2544 ||
             *spec.signature == packet::Signature::kY1564) {
    why = "reflectord's rfc2544 and y1564 profiles (--profile, on by default) take them from "
          "any OUI, to its --port, by default 3842";
  } else {
    why = "reflectord's ito profile (--profile, on by default) takes them only from the OUIs "
          "in its --oui, by default 00:c0:17";
  }
  return absl::StrFormat(
      "nothing came back from %s: is a reflector running there that accepts these frames "
      "(%s) to UDP port %d from %s? (%s; its stats lines count what it rejects, by reason)",
      dst_ip, DescribeStream(spec), port, packet::FormatMac(spec.addresses.src_mac), why);
}

std::string FormatIntervalHeading() {
  return absl::StrFormat("  %-17s %12s %12s %12s %14s\n", "interval", "sent", "sent fps",
                         "received", "received fps");
}

std::string FormatInterval(const IntervalSample& sample) {
  const double seconds = sample.end_s - sample.start_s;
  auto fps = [seconds](uint64_t frames) {
    return seconds > 0 ? static_cast<double>(frames) / seconds : 0.0;
  };
  return absl::StrFormat("  %-17s %12d %12.0f %12d %14.0f\n",
                         absl::StrFormat("%.2f-%.2f s", sample.start_s, sample.end_s),
                         sample.sent, fps(sample.sent), sample.received, fps(sample.received));
}

std::string FormatTrialSummary(const RunHeader& h, const TrialResult& r) {
  const StreamSummary& s = r.summary;
  std::string out;
  auto row = [&out](absl::string_view name, const std::string& value) {
    absl::StrAppendFormat(&out, "  %-18s %s\n", name, value);
  };
  row("stream id", absl::StrFormat("0x%04x", r.spec.stream_id));
  if (r.interrupted) {
    row("interrupted", absl::StrFormat("a signal ended the sending after %.3f s: a partial result",
                                       r.elapsed_s));
  }
  row("sent", absl::StrCat(s.sent));
  row("received", absl::StrCat(s.received));
  row("lost", absl::StrFormat("%d (%.4f%%)", s.lost, s.loss_percent));
  if (r.counts_only()) {
    row("duplicates", "n/a (line-rate engine: identical frames)");
    row("out of order", "n/a");
    row("rtt", "n/a (use --engine=precise)");
  } else {
    row("duplicates", absl::StrCat(s.duplicates));
    row("out of order", absl::StrCat(s.out_of_order));
    if (s.rtt) {
      row("rtt min/mean/max", absl::StrFormat("%.1f / %.1f / %.1f us", s.rtt->min_us,
                                              s.rtt->mean_us, s.rtt->max_us));
      row("rtt p50/p90", absl::StrFormat("%.1f / %.1f us", s.rtt->p50_us, s.rtt->p90_us));
      row("rtt p99/p99.9", absl::StrFormat("%.1f / %.1f us", s.rtt->p99_us, s.rtt->p999_us));
      row("jitter (RFC 3550)", absl::StrFormat("%.2f us", s.rtt->jitter_us));
      row("rtt clock", RttClockText(r));
      if (r.frame_clock_rtt) {
        row("rtt from send call", absl::StrFormat("p50 %.1f / p99 %.1f / max %.1f us",
                                                  r.frame_clock_rtt->p50_us,
                                                  r.frame_clock_rtt->p99_us,
                                                  r.frame_clock_rtt->max_us));
      }
    } else {
      row("rtt", "none (nothing came back)");
    }
    if (s.unknown != 0) row("unknown sequence", absl::StrCat(s.unknown));
    if (r.ring_drops != 0) {
      row("rx ring drops", absl::StrFormat("%d (receive ring overflowed: loss overstated; "
                                           "see xdp received)", r.ring_drops));
    }
  }
  row("xdp received", absl::StrCat(r.xdp_received, r.rx_generic_xdp ? " (generic XDP)" : ""));
  row("requested rate", RateText(r.requested_fps));
  row("sent rate", absl::StrFormat("%.0f fps, %.2f Mbit/s over %.3f s", r.tx_fps,
                                   FrameMbps(r.tx_fps, r.spec.frame_size), r.elapsed_s));
  if (r.counts_only()) {
    row("bursts", absl::StrFormat("at most %d frames back to back%s", r.burst_frames,
                                  r.schedule_slips == 0
                                      ? std::string()
                                      : absl::StrFormat("; fell behind %d times, %.3f s lost",
                                                        r.schedule_slips, r.slipped_s)));
  }
  row("received rate",
      absl::StrFormat("%.0f fps, %.2f Mbit/s", r.rx_fps, FrameMbps(r.rx_fps, r.spec.frame_size)));
  row("result", RunVerdict(r, h.loss_threshold_percent));
  return out;
}

std::string TrialJson(const RunHeader& h, const TrialResult& r,
                      const std::vector<IntervalSample>& intervals) {
  nlohmann::json j = HeaderObject(h);
  j["result"] = ResultObject(r);
  nlohmann::json lines = nlohmann::json::array();
  for (const IntervalSample& sample : intervals) {
    lines.push_back({{"start_s", sample.start_s},
                     {"end_s", sample.end_s},
                     {"sent", sample.sent},
                     {"received", sample.received}});
  }
  j["intervals"] = std::move(lines);
  j["interrupted"] = r.interrupted;
  j["pass"] = RunPasses(r, h.loss_threshold_percent);
  return j.dump(2) + "\n";
}

std::string FormatSearchHeader(const RunHeader& h) {
  return absl::StrFormat(
      "ito-tester throughput search %s -> %s (%s) from %s, loss threshold %.4f%%\n", h.interface,
      h.dst_ip, h.dst_mac, h.src_mac, h.loss_threshold_percent);
}

std::string FormatSizeHeading(size_t frame_size) {
  return absl::StrFormat("\nframe size %d\n  %5s %14s %14s %12s %12s %10s %10s %10s  %s\n",
                         frame_size, "trial", "rate fps", "sent fps", "sent", "received",
                         "loss %", "p99 us", "Mbit/s", "result");
}

std::string FormatSearchStep(int trial, const SearchStep& step, size_t frame_size) {
  const StreamSummary& s = step.result.summary;
  const Judgement& j = step.judgement;
  std::string verdict = VerdictName(j.verdict);
  if (j.verdict == Verdict::kTesterBound) {
    absl::StrAppendFormat(&verdict, " (%s at the %.0f fps sent)", j.loss_ok ? "pass" : "fail",
                          j.judged_fps);
  }
  return absl::StrFormat("  %5d %14.0f %14.0f %12d %12d %10.4f %10s %10.2f  %s\n", trial,
                         step.rate_fps, step.result.tx_fps, s.sent, s.received, s.loss_percent,
                         s.rtt ? absl::StrFormat("%.1f", s.rtt->p99_us) : "-",
                         FrameMbps(step.result.tx_fps, frame_size), verdict);
}

std::string FormatSizeResult(const SizeSearch& search) {
  std::string out = absl::StrFormat(
      "  throughput: %s%.0f fps (%.2f Mbit/s)%s\n", BoundPrefix(search.outcome),
      search.outcome.throughput_fps, FrameMbps(search.outcome.throughput_fps, search.frame_size),
      BoundNote(search.outcome));
  if (search.outcome.interrupted) {
    absl::StrAppendFormat(&out, "  interrupted: a signal ended trial %d; the search stopped\n",
                          search.outcome.steps.size() + 1);
  }
  return out;
}

std::string SearchJson(const RunHeader& h, const std::vector<SizeSearch>& searches) {
  nlohmann::json j = HeaderObject(h);
  bool interrupted = false;
  nlohmann::json sizes = nlohmann::json::array();
  for (const SizeSearch& search : searches) {
    nlohmann::json trials = nlohmann::json::array();
    for (const SearchStep& step : search.outcome.steps) {
      nlohmann::json t = ResultObject(step.result);
      t["pass"] = step.pass();
      t["verdict"] = VerdictName(step.judgement.verdict);
      t["judged_fps"] = step.judgement.judged_fps;
      t["loss_ok"] = step.judgement.loss_ok;
      t["offered_short"] = OfferedShort(step.result);
      trials.push_back(std::move(t));
    }
    sizes.push_back({{"frame_size", search.frame_size},
                     {"throughput_fps", search.outcome.throughput_fps},
                     {"throughput_mbps", FrameMbps(search.outcome.throughput_fps,
                                                   search.frame_size)},
                     {"bound", SearchBoundName(search.outcome.bound)},
                     {"interrupted", search.outcome.interrupted},
                     {"trials", std::move(trials)}});
    interrupted = interrupted || search.outcome.interrupted;
  }
  j["searches"] = std::move(sizes);
  j["interrupted"] = interrupted;
  return j.dump(2) + "\n";
}

}  // namespace reflector::tester
