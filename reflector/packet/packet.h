// C++ face of the packet core (classify.h): spans instead of raw pointers, enum classes
// instead of C enums, and the names printed by counters, logs and tests.
#ifndef REFLECTOR_PACKET_PACKET_H_
#define REFLECTOR_PACKET_PACKET_H_

#include <cstdint>

#include "absl/base/attributes.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "reflector/packet/classify.h"
#include "reflector/packet/stamp.h"
#include "reflector/packet/wire.h"

namespace reflector::packet {

class StampSessions;  // stamp_sessions.h

// Generated from RF_VERDICT_LIST so the two languages cannot disagree.
enum class Verdict : uint8_t {
#define REFLECTOR_VERDICT_ENTRY(id, cc_id, name) k##cc_id = RF_##id,
  RF_VERDICT_LIST(REFLECTOR_VERDICT_ENTRY)
#undef REFLECTOR_VERDICT_ENTRY
};
inline constexpr int kVerdictCount = RF_VERDICT_COUNT;
// The classifier's verdicts come first; the guard stage's (guard.h), which only a data path
// with its state gives, follow.
inline constexpr int kClassifierVerdictCount = RF_FIRST_GUARD_VERDICT;

enum class Signature : uint8_t {
#define REFLECTOR_SIGNATURE_ENTRY(id, cc_id, text, name, offset) k##cc_id = RF_SIG_##id,
  RF_SIGNATURE_LIST(REFLECTOR_SIGNATURE_ENTRY)
#undef REFLECTOR_SIGNATURE_ENTRY
};
inline constexpr int kSignatureCount = RF_SIG_COUNT;

enum class Mode : uint8_t {
  kAll = RF_MODE_ALL,
  kMacIp = RF_MODE_MAC_IP,
  kMac = RF_MODE_MAC,
};
inline constexpr Mode kAllModes[] = {Mode::kAll, Mode::kMacIp, Mode::kMac};

// "reflect", "too_short", "dst_mac", ... as in SPEC §3.
absl::string_view VerdictName(Verdict verdict);
// The 7 bytes on the wire: "PROBEOT", "DATA:OT", "LATENCY", "RFC2544", "Y.1564 ".
absl::string_view SignatureText(Signature signature);
// The lower-case name used by flags and counters: "probeot", ..., "y1564".
absl::string_view SignatureName(Signature signature);
// "all", "mac-ip", "mac".
absl::string_view ModeName(Mode mode);

struct Classification {
  Verdict verdict = Verdict::kTooShort;
  // Header offsets, the matching rule and how to reflect; meaningful only when verdict is
  // kReflect.
  rf_result where = {};

  bool reflect() const { return verdict == Verdict::kReflect; }
  int rule() const { return where.rule; }
};

// The per-frame calls are inline: they sit on every data path's hot loop, and returning
// Classification from an out-of-line call costs more than classifying (gcc assembles the
// struct with narrow stores and reads it back wide, a store-forwarding stall per frame).

// The rule that took a stream's previous frame: a data path keeps one per worker, and the
// classifier tries that rule first where that cannot change the result (rf_classify_fast).
// Any value is safe, also one left from an older config.
struct RuleHint {
  uint32_t rule = RF_NO_RULE_HINT;
};

// Classifies one frame (SPEC §3). Never reads outside `frame`.
ABSL_ATTRIBUTE_ALWAYS_INLINE inline Classification Classify(absl::Span<const uint8_t> frame,
                                                            const rf_config& config,
                                                            RuleHint& hint) {
  Classification result;
  // An empty span may carry a null pointer, on which even `data + 6` is undefined.
  if (frame.empty()) return result;
  result.verdict = static_cast<Verdict>(rf_classify_hinted(
      frame.data(), frame.data() + frame.size(), &config, &hint.rule, &result.where));
  return result;
}

// The same for a frame on its own.
ABSL_ATTRIBUTE_ALWAYS_INLINE inline Classification Classify(absl::Span<const uint8_t> frame, const rf_config& config) {
  RuleHint hint;
  return Classify(frame, config, hint);
}

// Reflects in place (SPEC §4) as the matching rule says (where.mode, where.actions), using the
// offsets of a kReflect classification of this same frame. Returns false, leaving the frame
// untouched, if the offsets do not fit it, or if the rule answers STAMP, which needs a clock
// (the overload below).
ABSL_ATTRIBUTE_ALWAYS_INLINE inline bool ReflectInPlace(absl::Span<uint8_t> frame, const rf_result& where) {
  if (frame.empty() || (where.actions & RF_ACTION_STAMP)) return false;
  return rf_reflect(frame.data(), frame.data() + frame.size(), &where) == 0;
}

// CLOCK_TAI in nanoseconds: the STAMP reflector's clock, the one bpf_ktime_get_tai_ns reads.
uint64_t TaiNowNs();

// The STAMP Session-Reflector's answer (stamp.h), built in place: T2 is `t2_tai_ns` (when the
// frame arrived), T3 is read from CLOCK_TAI just before the checksum and, when `t3_tai_ns` is
// given, stored there (the reflector's dwell is T3 - T2). RFC 8972 TLVs are answered as
// stamp_tlv.h says (T2 taken in software). A stateful rule
// (RF_ACTION_STAMP_STATEFUL) numbers the answer from `sessions`; without a table (nullptr) it
// is answered statelessly. Returns false, leaving the frame untouched, if `where` does not
// describe a STAMP packet of this frame.
bool ReflectStamp(absl::Span<uint8_t> frame, const rf_result& where, const rf_stamp_clock& clock,
                  uint64_t t2_tai_ns, uint64_t* t3_tai_ns = nullptr,
                  StampSessions* sessions = nullptr);

// Reflects as the matching rule says, STAMP included: what a data path with `config` does.
// `t3_tai_ns`: where a STAMP answer's T3 goes, if anywhere (untouched for other frames).
ABSL_ATTRIBUTE_ALWAYS_INLINE inline bool ReflectInPlace(absl::Span<uint8_t> frame,
                                                        const rf_result& where,
                                                        const rf_config& config,
                                                        uint64_t t2_tai_ns,
                                                        uint64_t* t3_tai_ns = nullptr,
                                                        StampSessions* sessions = nullptr) {
  if (where.actions & RF_ACTION_STAMP) {
    return ReflectStamp(frame, where, config.stamp_clock, t2_tai_ns, t3_tai_ns, sessions);
  }
  return ReflectInPlace(frame, where);
}

// The same in another mode than the rule's (tests and tools that try every mode).
inline bool ReflectInPlace(absl::Span<uint8_t> frame, rf_result where, Mode mode) {
  where.mode = static_cast<__u8>(mode);
  return ReflectInPlace(frame, where);
}

// Classify, then reflect in place as the matching rule says when the verdict is kReflect.
// A stateful STAMP rule numbers its answers from `sessions` (ReflectStamp).
ABSL_ATTRIBUTE_ALWAYS_INLINE inline Classification ClassifyAndReflect(
    absl::Span<uint8_t> frame, const rf_config& config, RuleHint& hint,
    StampSessions* sessions = nullptr) {
  Classification result = Classify(frame, config, hint);
  // The clock is read only for STAMP: T2 as soon as the frame is known to be one.
  if (result.reflect() &&
      !((result.where.actions & RF_ACTION_STAMP)
            ? ReflectStamp(frame, result.where, config.stamp_clock, TaiNowNs(), nullptr,
                           sessions)
            : ReflectInPlace(frame, result.where))) {
    // Unreachable for a kReflect result of this frame; fail closed rather than send it.
    result.verdict = Verdict::kTooShort;
  }
  return result;
}

ABSL_ATTRIBUTE_ALWAYS_INLINE inline Classification ClassifyAndReflect(absl::Span<uint8_t> frame, const rf_config& config) {
  RuleHint hint;
  return ClassifyAndReflect(frame, config, hint);
}

}  // namespace reflector::packet

#endif  // REFLECTOR_PACKET_PACKET_H_
