// C++ face of the packet core (classify.h): spans instead of raw pointers, enum classes
// instead of C enums, and the names printed by counters, logs and tests.
#ifndef REFLECTOR_PACKET_PACKET_H_
#define REFLECTOR_PACKET_PACKET_H_

#include <cstdint>
#include <vector>

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

// The STAMP Session-Reflector's answer (stamp.h), built in place in `buffer`: the frame in its
// first `length` bytes, then room the answer may grow into (a sender's packet shorter than the
// answer, RFC 5357 §4.2.1 / RFC 8762 §4.6). T2 is `t2_tai_ns` (when the frame arrived), T3 is
// read from CLOCK_TAI just before the checksum and, when `t3_tai_ns` is given, stored there
// (the reflector's dwell is T3 - T2). RFC 8972 TLVs after a sender's 44 bytes are answered as
// stamp_tlv.h says (T2 taken in software). A stateful rule (RF_ACTION_STAMP_STATEFUL) numbers
// the answer from `sessions`; without a table (nullptr) it is answered statelessly. Returns the
// answer's length, or 0, leaving the frame untouched, if `where` does not describe a STAMP
// packet of this frame or `buffer` has not the room that ReflectRoom asks.
size_t ReflectStamp(absl::Span<uint8_t> buffer, size_t length, const rf_result& where,
                    const rf_stamp_clock& clock, uint64_t t2_tai_ns,
                    uint64_t* t3_tai_ns = nullptr, StampSessions* sessions = nullptr);

// The bytes that reflecting a frame of `length` bytes, which Classify found kReflect with
// `where`, needs to build its answer in: `length`, or for STAMP / TWAMP-Light senders shorter
// than the answer more (rf_stamp_lengths' build_len; the answer itself may be shorter than
// that). A data path whose buffer or MTU has not that room counts the frame as kNoRoom.
ABSL_ATTRIBUTE_ALWAYS_INLINE inline size_t ReflectRoom(const rf_result& where, size_t length) {
  if (!(where.actions & RF_ACTION_STAMP) || length > UINT32_MAX) return length;
  __u32 build_len = 0;
  __u32 send_len = 0;
  if (rf_stamp_lengths(&where, static_cast<__u32>(length), &build_len, &send_len) != 0) {
    return length;
  }
  return build_len;
}

// Reflects as the matching rule says, STAMP included: what a data path with `config` does.
// `buffer` holds the frame in its first `length` bytes and the room after them that the data
// path can send (its buffer, its MTU). Returns the length to send, `length` but for a STAMP
// answer that grew, or 0, leaving the frame untouched, when `where` does not fit the frame or
// the answer does not fit `buffer`. `t3_tai_ns` and `sessions` as for ReflectStamp (untouched
// and unused for other frames).
ABSL_ATTRIBUTE_ALWAYS_INLINE inline size_t Reflect(absl::Span<uint8_t> buffer, size_t length,
                                                   const rf_result& where, const rf_config& config,
                                                   uint64_t t2_tai_ns,
                                                   uint64_t* t3_tai_ns = nullptr,
                                                   StampSessions* sessions = nullptr) {
  if (where.actions & RF_ACTION_STAMP) {
    return ReflectStamp(buffer, length, where, config.stamp_clock, t2_tai_ns, t3_tai_ns,
                        sessions);
  }
  if (length > buffer.size()) return 0;
  return ReflectInPlace(buffer.first(length), where) ? length : 0;
}

// The same for a frame that cannot grow: false, leaving it untouched, for a STAMP answer
// longer than the frame. An answer shorter than the frame (a TWAMP-Light packet of 41..43
// bytes that fills the frame's 44 to its end) is sent with the frame's length: its last bytes
// are zero, as Ethernet padding after the IP packet.
ABSL_ATTRIBUTE_ALWAYS_INLINE inline bool ReflectInPlace(absl::Span<uint8_t> frame,
                                                        const rf_result& where,
                                                        const rf_config& config,
                                                        uint64_t t2_tai_ns,
                                                        uint64_t* t3_tai_ns = nullptr,
                                                        StampSessions* sessions = nullptr) {
  const size_t length = Reflect(frame, frame.size(), where, config, t2_tai_ns, t3_tai_ns, sessions);
  return length != 0 && length <= frame.size();
}

// Reflect for a frame held in a vector, which takes the answer's length (offline paths and
// tests: no MTU). False, leaving the frame as it was, when Reflect returns 0.
bool ReflectInVector(std::vector<uint8_t>& frame, const rf_result& where, const rf_config& config,
                     uint64_t t2_tai_ns, uint64_t* t3_tai_ns = nullptr,
                     StampSessions* sessions = nullptr);

// The same in another mode than the rule's (tests and tools that try every mode).
inline bool ReflectInPlace(absl::Span<uint8_t> frame, rf_result where, Mode mode) {
  where.mode = static_cast<__u8>(mode);
  return ReflectInPlace(frame, where);
}

// Classify, then reflect in place as the matching rule says when the verdict is kReflect. A
// stateful STAMP rule numbers its answers from `sessions` (ReflectStamp). A STAMP answer that
// would be longer than `frame` is not built: kNoRoom (see Reflect).
ABSL_ATTRIBUTE_ALWAYS_INLINE inline Classification ClassifyAndReflect(
    absl::Span<uint8_t> frame, const rf_config& config, RuleHint& hint,
    StampSessions* sessions = nullptr) {
  Classification result = Classify(frame, config, hint);
  // The clock is read only for STAMP: T2 as soon as the frame is known to be one.
  if (result.reflect() && !((result.where.actions & RF_ACTION_STAMP)
                                ? ReflectInPlace(frame, result.where, config, TaiNowNs(),
                                                 nullptr, sessions)
                                : ReflectInPlace(frame, result.where))) {
    // A STAMP answer longer than the frame, which a span cannot hold; else unreachable for a
    // kReflect result of this frame. Fail closed rather than send it.
    result.verdict = ReflectRoom(result.where, frame.size()) > frame.size() ? Verdict::kNoRoom
                                                                            : Verdict::kTooShort;
  }
  return result;
}

ABSL_ATTRIBUTE_ALWAYS_INLINE inline Classification ClassifyAndReflect(absl::Span<uint8_t> frame, const rf_config& config) {
  RuleHint hint;
  return ClassifyAndReflect(frame, config, hint);
}

}  // namespace reflector::packet

#endif  // REFLECTOR_PACKET_PACKET_H_
