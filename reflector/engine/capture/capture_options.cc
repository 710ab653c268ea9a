#include "reflector/engine/capture/capture_options.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "reflector/packet/packet.h"

namespace reflector::engine::capture {
namespace {

absl::Status Invalid(absl::string_view name, absl::string_view text, absl::string_view expected) {
  return absl::InvalidArgumentError(
      absl::StrCat("--", name, ": invalid value \"", text, "\": expected ", expected));
}

template <typename T>
absl::Status ParseCount(absl::string_view name, absl::string_view text, uint64_t min,
                        uint64_t max, absl::string_view expected, T* out) {
  uint64_t value = 0;
  if (!absl::SimpleAtoi(text, &value) || value < min || value > max) {
    return Invalid(name, text, expected);
  }
  *out = static_cast<T>(value);
  return absl::OkStatus();
}

absl::Status ParseSize(absl::string_view name, absl::string_view text, uint64_t* out) {
  absl::string_view digits = text;
  uint64_t unit = 1;
  if (!digits.empty()) {
    switch (absl::ascii_toupper(digits.back())) {
      case 'K': unit = uint64_t{1} << 10; break;
      case 'M': unit = uint64_t{1} << 20; break;
      case 'G': unit = uint64_t{1} << 30; break;
      default: break;
    }
    if (unit != 1) digits.remove_suffix(1);
  }
  uint64_t value = 0;
  if (!absl::SimpleAtoi(digits, &value) || value > (uint64_t{1} << 40) / unit) {
    return Invalid(name, text, "bytes, or a number with k, M or G; 0 = no bound");
  }
  *out = value * unit;
  return absl::OkStatus();
}

// The verdict named `name` (not reflect), if there is one.
bool RejectReason(absl::string_view name, int* verdict) {
  for (int v = 1; v < packet::kVerdictCount; ++v) {
    if (packet::VerdictName(static_cast<packet::Verdict>(v)) == name) {
      *verdict = v;
      return true;
    }
  }
  return false;
}

std::vector<std::string> RejectReasonNames() {
  std::vector<std::string> names;
  for (int v = 1; v < packet::kVerdictCount; ++v) {
    names.emplace_back(packet::VerdictName(static_cast<packet::Verdict>(v)));
  }
  return names;
}

constexpr uint32_t kAllRejects = ((1u << RF_VERDICT_COUNT) - 1) & ~(1u << RF_REFLECT);

}  // namespace

absl::Status ParseCaptureSetting(absl::string_view name, absl::string_view text,
                                 CaptureOptions* options) {
  if (name == "capture") {
    options->path = std::string(text);
    return absl::OkStatus();
  }
  if (name == "capture_select") {
    if (text.empty()) return Invalid(name, text, "reflected, rejected, rejected:REASONS or rules");
    // Reasons are checked here; rule names once the rule table is known (ResolveSelection).
    if (absl::StartsWith(text, "rejected:")) {
      for (absl::string_view reason : absl::StrSplit(text.substr(9), ',')) {
        int verdict = 0;
        if (!RejectReason(reason, &verdict)) {
          return Invalid(name, text,
                         absl::StrCat("rejected: and reasons among ",
                                      absl::StrJoin(RejectReasonNames(), ",")));
        }
      }
    }
    options->select = std::string(text);
    return absl::OkStatus();
  }
  if (name == "capture_sample") {
    return ParseCount(name, text, 1, 1u << 30, "1 in N frames, N from 1", &options->sample);
  }
  if (name == "capture_rate") {
    return ParseCount(name, text, 0, 1u << 30, "frames a second; 0 = no bound",
                      &options->per_second);
  }
  if (name == "capture_frames") {
    return ParseCount(name, text, 0, uint64_t{1} << 40, "frames; 0 = no bound",
                      &options->max_frames);
  }
  if (name == "capture_size") return ParseSize(name, text, &options->max_bytes);
  if (name == "capture_sent") {
    const absl::string_view value = absl::StripAsciiWhitespace(text);
    if (value == "true" || value == "1") {
      options->sent = true;
    } else if (value == "false" || value == "0") {
      options->sent = false;
    } else {
      return absl::InvalidArgumentError(absl::StrFormat(
          "--capture_sent: invalid value \"%s\": expected true or false", text));
    }
    return absl::OkStatus();
  }
  if (name == "capture_snap") {
    return ParseCount(name, text, 14, RF_CAPTURE_SNAP_MAX,
                      absl::StrCat("bytes of each frame, 14 to ", RF_CAPTURE_SNAP_MAX),
                      &options->snap);
  }
  return absl::InvalidArgumentError(absl::StrCat("--", name, ": not a capture setting"));
}

absl::StatusOr<Selection> ResolveSelection(absl::string_view select,
                                           const std::vector<packet::Rule>& rules) {
  Selection selection;
  if (absl::StartsWith(select, "rejected:")) {
    for (absl::string_view reason : absl::StrSplit(select.substr(9), ',')) {
      int verdict = 0;
      if (!RejectReason(reason, &verdict)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "--capture_select: no reject reason \"", reason, "\"; reasons: ",
            absl::StrJoin(RejectReasonNames(), ",")));
      }
      selection.verdicts |= 1u << verdict;
    }
    return selection;
  }
  uint32_t rule_bits = 0;
  for (absl::string_view term : absl::StrSplit(select, ',')) {
    if (term == "all") {
      selection.verdicts |= kAllRejects | (1u << RF_REFLECT);
    } else if (term == "rejected") {
      selection.verdicts |= kAllRejects;
    } else if (term == "reflected") {
      selection.verdicts |= 1u << RF_REFLECT;
    } else {
      // A rule name, or a profile whose rules carry its signatures' names.
      std::vector<std::string> names = {std::string(term)};
      if (term == "ito") names = {"probeot", "dataot", "latency"};
      bool found = false;
      for (size_t r = 0; r < rules.size() && r < RF_MAX_RULES; ++r) {
        if (std::find(names.begin(), names.end(), rules[r].name) != names.end()) {
          rule_bits |= 1u << r;
          found = true;
        }
      }
      if (!found) {
        std::vector<std::string> known;
        for (const packet::Rule& rule : rules) known.push_back(rule.name);
        return absl::InvalidArgumentError(absl::StrCat(
            "--capture_select: no rule or profile \"", term,
            "\"; use reflected, rejected, rejected:REASONS or a rule: ",
            absl::StrJoin(known, ",")));
      }
    }
  }
  if (rule_bits != 0) {
    // Rules named: their reflected frames only (unless `reflected` or `all` asked for all).
    if ((selection.verdicts & (1u << RF_REFLECT)) == 0) selection.rules = rule_bits;
    selection.verdicts |= 1u << RF_REFLECT;
  }
  return selection;
}

rf_capture_config ToWire(const CaptureOptions& options, const Selection& selection,
                         int sources) {
  rf_capture_config wire = {};
  wire.verdicts = selection.verdicts;
  wire.rules = selection.rules;
  wire.sample = options.sample;
  const uint32_t split = static_cast<uint32_t>(std::max(sources, 1));
  wire.per_second = options.per_second == 0 ? 0 : (options.per_second + split - 1) / split;
  wire.snap = std::min<uint16_t>(options.snap, RF_CAPTURE_SNAP_MAX);
  wire.enabled = options.enabled() ? 1 : 0;
  wire.sent = options.sent ? 1 : 0;
  return wire;
}

std::string DescribeCapture(const CaptureOptions& options) {
  if (!options.enabled()) return "off";
  std::vector<std::string> limits;
  if (options.sample > 1) limits.push_back(absl::StrCat("1 in ", options.sample));
  if (options.per_second) limits.push_back(absl::StrCat("at most ", options.per_second, "/s"));
  if (options.max_frames) limits.push_back(absl::StrCat(options.max_frames, " frames"));
  if (options.max_bytes) limits.push_back(absl::StrCat(options.max_bytes, " bytes"));
  limits.push_back(absl::StrCat("snap ", options.snap));
  if (options.sent) limits.push_back("reflected frames also as sent");
  return absl::StrCat(options.select, " to ", options.path, " (", absl::StrJoin(limits, ", "),
                      ")");
}

}  // namespace reflector::engine::capture
