#include "reflector/engine/offline_reflect.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "reflector/packet/stamp_sessions.h"

namespace reflector::engine {

OfflineResult ReflectFrames(const std::vector<CapturedFrame>& frames, const rf_config& config) {
  OfflineResult result;
  packet::RuleHint hint;
  packet::StampSessions stamp_sessions;  // a stateful STAMP reflector numbers in frame order
  for (const CapturedFrame& frame : frames) {
    ++result.frames;
    CapturedFrame copy = frame;
    packet::Classification verdict = packet::Classify(copy.bytes, config, hint);
    // The clock only for STAMP, whose answer may be longer than the frame (stamp.h).
    if (verdict.reflect() &&
        !packet::ReflectInVector(copy.bytes, verdict.where, config,
                                 (verdict.where.actions & RF_ACTION_STAMP) ? packet::TaiNowNs() : 0,
                                 nullptr, &stamp_sessions)) {
      verdict.verdict = packet::Verdict::kTooShort;  // unreachable for a kReflect result
    }
    ++result.verdicts[static_cast<int>(verdict.verdict)];
    if (!verdict.reflect()) continue;
    ++result.rules[verdict.rule() & (RF_MAX_RULES - 1)];
    result.reflected.push_back(std::move(copy));
  }
  return result;
}

std::string FormatVerdictCounts(const OfflineResult& result,
                                const std::vector<std::string>& rule_names) {
  std::vector<std::string> parts;
  for (int v = 0; v < packet::kVerdictCount; ++v) {
    if (result.verdicts[v] == 0) continue;
    std::string part = absl::StrCat(packet::VerdictName(static_cast<packet::Verdict>(v)), " ",
                                    result.verdicts[v]);
    if (static_cast<packet::Verdict>(v) == packet::Verdict::kReflect) {
      std::vector<std::string> rules;
      for (size_t r = 0; r < result.rules.size(); ++r) {
        if (result.rules[r] == 0) continue;
        const std::string name = r < rule_names.size() ? rule_names[r] : absl::StrCat("rule", r);
        rules.push_back(absl::StrCat(name, " ", result.rules[r]));
      }
      absl::StrAppend(&part, " (", absl::StrJoin(rules, ", "), ")");
    }
    parts.push_back(std::move(part));
  }
  return absl::StrCat(result.frames, " frames", parts.empty() ? "" : ": ",
                      absl::StrJoin(parts, ", "));
}

}  // namespace reflector::engine
