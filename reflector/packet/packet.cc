#include "reflector/packet/packet.h"

#include <time.h>

#include <algorithm>
#include <cstdint>

#include "reflector/packet/stamp_session.h"
#include "reflector/packet/stamp_sessions.h"
#include "reflector/packet/stamp_tlv.h"

namespace reflector::packet {
namespace {

constexpr absl::string_view kVerdictNames[] = {
#define REFLECTOR_VERDICT_NAME(id, cc_id, name) name,
    RF_VERDICT_LIST(REFLECTOR_VERDICT_NAME)
#undef REFLECTOR_VERDICT_NAME
};

constexpr absl::string_view kSignatureTexts[] = {
#define REFLECTOR_SIGNATURE_TEXT(id, cc_id, text, name, offset) absl::string_view(text, RF_SIG_LEN),
    RF_SIGNATURE_LIST(REFLECTOR_SIGNATURE_TEXT)
#undef REFLECTOR_SIGNATURE_TEXT
};

constexpr absl::string_view kSignatureNames[] = {
#define REFLECTOR_SIGNATURE_NAME(id, cc_id, text, name, offset) name,
    RF_SIGNATURE_LIST(REFLECTOR_SIGNATURE_NAME)
#undef REFLECTOR_SIGNATURE_NAME
};

template <typename Table>
absl::string_view Lookup(const Table& table, int index) {
  if (index < 0 || index >= static_cast<int>(std::size(table))) return "unknown";
  return table[index];
}

}  // namespace

absl::string_view VerdictName(Verdict verdict) {
  return Lookup(kVerdictNames, static_cast<int>(verdict));
}

absl::string_view SignatureText(Signature signature) {
  return Lookup(kSignatureTexts, static_cast<int>(signature));
}

absl::string_view SignatureName(Signature signature) {
  return Lookup(kSignatureNames, static_cast<int>(signature));
}

absl::string_view ModeName(Mode mode) {
  switch (mode) {
    case Mode::kAll:
      return "all";
    case Mode::kMacIp:
      return "mac-ip";
    case Mode::kMac:
      return "mac";
  }
  return "unknown";
}

uint64_t TaiNowNs() {
  timespec now = {};
  clock_gettime(CLOCK_TAI, &now);
  return static_cast<uint64_t>(now.tv_sec) * RF_NS_PER_S + static_cast<uint64_t>(now.tv_nsec);
}

size_t ReflectStamp(absl::Span<uint8_t> buffer, size_t length, const rf_result& where,
                    const rf_stamp_clock& clock, uint64_t t2_tai_ns, uint64_t* t3_tai_ns,
                    StampSessions* sessions) {
  if (buffer.empty() || length > buffer.size() || length > UINT32_MAX) return 0;
  __u32 build_len = 0;
  __u32 send_len = 0;
  if (rf_stamp_lengths(&where, static_cast<__u32>(length), &build_len, &send_len) != 0 ||
      build_len > buffer.size()) {
    return 0;
  }
  uint8_t* data = buffer.data();
  const uint8_t* end = data + build_len;
  rf_stamp_pending pending = {};  // g++ -O2 cannot see rf_stamp_build fill it on success
  if (rf_stamp_build(data, end, &where, &clock, t2_tai_ns, &pending) != 0) return 0;
  const uint64_t t3 = TaiNowNs();
  if (rf_stamp_finish(data, end, &pending, &clock, t3) != 0) return 0;
  if (t3_tai_ns != nullptr) *t3_tai_ns = t3;
  // RFC 8972 TLVs after the base packet (a sender shorter than 44 bytes has none); T2 came
  // from the kernel clock here.
  if (rf_stamp_tlvs(data, end, &where, &clock, RF_STAMP_TS_SW_LOCAL) != 0) return 0;
  if (sessions == nullptr || !(where.actions & RF_ACTION_STAMP_STATEFUL)) return send_len;
  rf_stamp_session_key key = {};
  // Unreachable failures: rf_stamp_build checked the packet.
  if (rf_stamp_read_session_key(data, end, &where, &key) != 0 ||
      rf_stamp_set_sequence(data, end, &where, sessions->Next(key)) != 0) {
    return 0;
  }
  return send_len;
}

bool ReflectInVector(std::vector<uint8_t>& frame, const rf_result& where, const rf_config& config,
                     uint64_t t2_tai_ns, uint64_t* t3_tai_ns, StampSessions* sessions) {
  const size_t length = frame.size();
  frame.resize(std::max(length, ReflectRoom(where, length)));
  const size_t answer =
      Reflect(absl::MakeSpan(frame), length, where, config, t2_tai_ns, t3_tai_ns, sessions);
  frame.resize(answer != 0 ? answer : length);
  return answer != 0;
}

}  // namespace reflector::packet
