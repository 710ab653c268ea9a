#include "reflector/daemon/http/metrics.h"

#include <cstdint>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "reflector/packet/cfm_responder.h"
#include "reflector/packet/packet.h"

namespace reflector::daemon::http {
namespace {

// One metric family: its HELP and TYPE lines, then its samples.
class Family {
 public:
  Family(std::string* out, absl::string_view name, absl::string_view type,
         absl::string_view help)
      : out_(out), name_(name) {
    absl::StrAppend(out_, "# HELP ", name, " ", help, "\n# TYPE ", name, " ", type, "\n");
  }
  void Sample(uint64_t value, absl::string_view labels = "") {
    absl::StrAppend(out_, name_, labels.empty() ? "" : absl::StrCat("{", labels, "}"), " ",
                    value, "\n");
  }
  void Sample(double value, absl::string_view labels = "") {
    absl::StrAppend(out_, name_, labels.empty() ? "" : absl::StrCat("{", labels, "}"), " ",
                    absl::StrFormat("%.3f", value), "\n");
  }

 private:
  std::string* out_;
  std::string name_;
};

std::string Label(absl::string_view name, const std::string& value) {
  return absl::StrCat(name, "=\"", EscapeLabel(value), "\"");
}

// The Y.1731 responder (cfm.h): its answers by kind and the CFM frames it left to the stack by
// reason, both also counted in the totals above (reflected, rejected).
void AppendY1731(const engine::Counters& c, std::string* out) {
  Family answered(out, "reflector_y1731_answered_frames_total", "counter",
                  "Y.1731 requests answered, by answer (lbr, dmr, slr); also in "
                  "reflector_reflected_frames_total.");
  for (int i = 0; i < RF_CFM_ANSWERS; ++i) {
    answered.Sample(c.y1731[i], Label("answer", std::string(packet::CfmOutcomeName(
                                                    static_cast<packet::CfmOutcome>(i)))));
  }
  Family left(out, "reflector_y1731_passed_frames_total", "counter",
              "CFM frames the Y.1731 responder did not answer, by reason; also in "
              "reflector_rejected_frames_total.");
  for (int i = RF_CFM_ANSWERS; i < packet::kCfmOutcomeCount; ++i) {
    left.Sample(c.y1731[i], Label("reason", std::string(packet::CfmOutcomeName(
                                                static_cast<packet::CfmOutcome>(i)))));
  }
}

// A histogram in seconds, the format's base unit: HELP and TYPE, cumulative buckets, then sum
// and count (the +Inf bucket's), from one reading so that they agree.
void Histogram(std::string* out, absl::string_view name, absl::string_view help,
               const engine::Dwell& dwell) {
  Family(out, name, "histogram", help);
  uint64_t cumulative = 0;
  for (size_t i = 0; i < engine::Dwell::kBoundsNs.size(); ++i) {
    cumulative += dwell.buckets[i];
    absl::StrAppend(out, name, "_bucket{le=\"",
                    absl::StrFormat("%g", engine::Dwell::kBoundsNs[i] / 1e9), "\"} ", cumulative,
                    "\n");
  }
  cumulative += dwell.buckets.back();
  absl::StrAppend(out, name, "_bucket{le=\"+Inf\"} ", cumulative, "\n", name, "_sum ",
                  absl::StrFormat("%.9f", dwell.sum_ns / 1e9), "\n", name, "_count ", cumulative,
                  "\n");
}

}  // namespace

std::string EscapeLabel(const std::string& value) {
  std::string out;
  for (const char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string FormatMetrics(const StartInfo& start, const Snapshot& snapshot) {
  const engine::Counters& c = snapshot.counters;
  std::string out;
  Family(&out, "reflector_build_info", "gauge",
         "Always 1; the labels name the version, interface and data path.")
      .Sample(uint64_t{1}, absl::StrCat(Label("version", start.version), ",",
                                        Label("interface", start.interface), ",",
                                        Label("datapath", start.datapath)));
  Family(&out, "reflector_start_time_seconds", "gauge",
         "When the daemon started, in seconds since the Unix epoch.")
      .Sample(absl::ToDoubleSeconds(start.started - absl::UnixEpoch()));
  Family(&out, "reflector_monitor", "gauge",
         "1 in monitor mode (frames are counted as reflected but nothing is sent).")
      .Sample(uint64_t{start.monitor ? 1u : 0u});
  Family(&out, "reflector_rx_frames_total", "counter", "Frames the reflector received.")
      .Sample(c.rx_frames);
  Family(&out, "reflector_rx_bytes_total", "counter", "Bytes of the frames received.")
      .Sample(c.rx_bytes);
  Family(&out, "reflector_reflected_frames_total", "counter", "Frames reflected.")
      .Sample(c.reflected_frames);
  Family(&out, "reflector_reflected_bytes_total", "counter", "Bytes of the frames reflected.")
      .Sample(c.reflected_bytes);
  Family rule_frames(&out, "reflector_rule_reflected_frames_total", "counter",
                     "Frames reflected, by the rule that matched them.");
  for (const RuleCount& rule : snapshot.by_rule) {
    rule_frames.Sample(rule.frames, Label("rule", rule.name));
  }
  Family rule_bytes(&out, "reflector_rule_reflected_bytes_total", "counter",
                    "Bytes reflected, by the rule that matched them.");
  for (const RuleCount& rule : snapshot.by_rule) {
    rule_bytes.Sample(rule.bytes, Label("rule", rule.name));
  }
  Family rejected(&out, "reflector_rejected_frames_total", "counter",
                  "Frames not reflected, by the first check they failed.");
  for (int i = 1; i < packet::kVerdictCount; ++i) {
    rejected.Sample(c.rejected_by_reason[i],
                    Label("reason", std::string(packet::VerdictName(
                                        static_cast<packet::Verdict>(i)))));
  }
  Family(&out, "reflector_passed_frames_total", "counter",
         "Frames handed to the kernel stack untouched (XDP data paths).")
      .Sample(c.passed_frames);
  Family(&out, "reflector_tx_dropped_frames_total", "counter",
         "Frames reflected that could not be sent.")
      .Sample(c.tx_dropped);
  Family(&out, "reflector_rx_dropped_frames_total", "counter",
         "Frames lost before userspace saw them (a full socket ring).")
      .Sample(c.rx_dropped);
  AppendY1731(c, &out);
  if (!c.workers.empty()) {
    Histogram(&out, "reflector_dwell_seconds",
              "Time reflected frames spent in a userspace worker, from the arrival of their "
              "batch to its submission for sending, all workers together.",
              c.dwell);
    Family queue_rx(&out, "reflector_queue_rx_frames_total", "counter",
                    "Frames received, by the worker's queue (afxdp, afpacket).");
    for (size_t q = 0; q < c.workers.size(); ++q) {
      queue_rx.Sample(c.workers[q].rx_frames, Label("queue", absl::StrCat(q)));
    }
    Family queue_reflected(&out, "reflector_queue_reflected_frames_total", "counter",
                           "Frames reflected, by the worker's queue (afxdp, afpacket).");
    for (size_t q = 0; q < c.workers.size(); ++q) {
      queue_reflected.Sample(c.workers[q].reflected_frames, Label("queue", absl::StrCat(q)));
    }
  }
  // Every data path that answers STAMP counts it, so the family is always there.
  Histogram(&out, "reflector_stamp_dwell_seconds",
            "STAMP / TWAMP-Light answers by the reflector's dwell they carry (T3 - T2, from "
            "receive to send timestamp).",
            c.stamp_dwell);
  if (c.stamp_rx_time[0] + c.stamp_rx_time[1] != 0) {
    Family rx_time(&out, "reflector_stamp_rx_timestamps_total", "counter",
                   "STAMP receive timestamps (T2) the XDP program took, by source: the "
                   "software clock or the NIC's hardware timestamp.");
    rx_time.Sample(c.stamp_rx_time[0], Label("source", "software"));
    rx_time.Sample(c.stamp_rx_time[1], Label("source", "nic"));
  }
  return out;
}

}  // namespace reflector::daemon::http
