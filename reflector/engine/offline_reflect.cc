#include "reflector/engine/offline_reflect.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace reflector::engine {

OfflineResult ReflectFrames(const std::vector<CapturedFrame>& frames, const rf_config& config) {
  OfflineResult result;
  for (const CapturedFrame& frame : frames) {
    ++result.frames;
    CapturedFrame copy = frame;
    const packet::Classification verdict =
        packet::ClassifyAndReflect(absl::MakeSpan(copy.bytes), config);
    ++result.verdicts[static_cast<int>(verdict.verdict)];
    if (!verdict.reflect()) continue;
    ++result.signatures[static_cast<int>(verdict.signature())];
    result.reflected.push_back(std::move(copy));
  }
  return result;
}

std::string FormatVerdictCounts(const OfflineResult& result) {
  std::vector<std::string> parts;
  for (int v = 0; v < packet::kVerdictCount; ++v) {
    if (result.verdicts[v] == 0) continue;
    std::string part = absl::StrCat(packet::VerdictName(static_cast<packet::Verdict>(v)), " ",
                                    result.verdicts[v]);
    if (static_cast<packet::Verdict>(v) == packet::Verdict::kReflect) {
      std::vector<std::string> signatures;
      for (int s = 0; s < packet::kSignatureCount; ++s) {
        if (result.signatures[s] == 0) continue;
        signatures.push_back(absl::StrCat(
            packet::SignatureName(static_cast<packet::Signature>(s)), " ", result.signatures[s]));
      }
      absl::StrAppend(&part, " (", absl::StrJoin(signatures, ", "), ")");
    }
    parts.push_back(std::move(part));
  }
  return absl::StrCat(result.frames, " frames", parts.empty() ? "" : ": ",
                      absl::StrJoin(parts, ", "));
}

}  // namespace reflector::engine
