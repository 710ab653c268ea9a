// The Y.1731 / 802.1ag responder (cfm.h) as the userspace workers run it: the frames the
// classifier rejected are offered to it, and it answers LBM, DMM and SLM in place with the
// same code as the XDP program, keeping its SLR counters in a table shaped like the kernel's.
#ifndef REFLECTOR_PACKET_CFM_RESPONDER_H_
#define REFLECTOR_PACKET_CFM_RESPONDER_H_

#include <cstdint>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "reflector/packet/cfm.h"
#include "reflector/packet/packet.h"

namespace reflector::packet {

// Generated from RF_CFM_OUTCOME_LIST so the two languages cannot disagree.
enum class CfmOutcome : uint8_t {
#define REFLECTOR_CFM_ENTRY(id, cc_id, name) k##cc_id = RF_CFM_##id,
  RF_CFM_OUTCOME_LIST(REFLECTOR_CFM_ENTRY)
#undef REFLECTOR_CFM_ENTRY
  kNotCfm = RF_CFM_NOT_CFM,
};
inline constexpr int kCfmOutcomeCount = RF_CFM_OUTCOME_COUNT;

// "lbr", "dmr", "slr", "level", ... as in the counters.
absl::string_view CfmOutcomeName(CfmOutcome outcome);

inline bool CfmAnswered(CfmOutcome outcome) { return static_cast<int>(outcome) < RF_CFM_ANSWERS; }

// SLRs sent per test (rf_cfm_slm_key), the TxFCb each SLR carries. Bounded like the kernel's
// LRU map: past kMaxTests an arbitrary old test is forgotten (its count restarts).
class SlmCounters {
 public:
  static constexpr size_t kMaxTests = 4096;
  // Counts one more SLR for `key` and returns the count, this one included.
  uint32_t Next(const struct rf_cfm_slm_key& key);

 private:
  struct Key {
    uint64_t mac_and_mep;
    uint32_t test_id;
    template <typename H>
    friend H AbslHashValue(H h, const Key& k) {
      return H::combine(std::move(h), k.mac_and_mep, k.test_id);
    }
    friend bool operator==(const Key&, const Key&) = default;
  };
  absl::flat_hash_map<Key, uint32_t> counts_;
};

// Offers a frame the classifier gave `verdict` to the responder (kReflect: never CFM). If the result
// is an answer (CfmAnswered) and `answer` is true, the frame now holds it (timestamps from
// CLOCK_TAI, `rx_tai_ns` as its arrival); with `answer` false (monitor mode) it is unchanged.
// kNotCfm: not a CFM frame or the responder is off; any other outcome: passed for that reason.
CfmOutcome OfferToCfm(absl::Span<uint8_t> frame, Verdict verdict, const rf_config& config,
                      bool answer, uint64_t rx_tai_ns, SlmCounters& slm);

}  // namespace reflector::packet

#endif  // REFLECTOR_PACKET_CFM_RESPONDER_H_
