#include "reflector/packet/cfm_responder.h"

#include <cstring>
#include <utility>

namespace reflector::packet {

absl::string_view CfmOutcomeName(CfmOutcome outcome) {
  switch (outcome) {
#define REFLECTOR_CFM_NAME(id, cc_id, name) \
  case CfmOutcome::k##cc_id:                \
    return name;
    RF_CFM_OUTCOME_LIST(REFLECTOR_CFM_NAME)
#undef REFLECTOR_CFM_NAME
    case CfmOutcome::kNotCfm:
      return "not_cfm";
  }
  return "unknown";
}

uint32_t SlmCounters::Next(const struct rf_cfm_slm_key& key) {
  Key k = {};
  std::memcpy(&k.mac_and_mep, key.src_mac, RF_ETH_ALEN);
  k.mac_and_mep |= static_cast<uint64_t>(key.src_mep) << 48;
  k.test_id = key.test_id;
  auto it = counts_.find(k);
  if (it == counts_.end()) {
    if (counts_.size() >= kMaxTests) counts_.erase(counts_.begin());
    it = counts_.emplace(k, 0).first;
  }
  return ++it->second;
}

CfmOutcome OfferToCfm(absl::Span<uint8_t> frame, Verdict verdict, const rf_config& config,
                      bool answer, uint64_t rx_tai_ns, SlmCounters& slm) {
  // Never a frame a rule takes: CFM is not IP, so the classifier rejects every CFM frame.
  if (frame.empty() || verdict == Verdict::kReflect) return CfmOutcome::kNotCfm;
  uint8_t* data = frame.data();
  const uint8_t* end = data + frame.size();
  __u32 off = 0;
  const __u32 outcome = rf_cfm_parse(data, end, &config, &off);
  if (outcome >= RF_CFM_ANSWERS || !answer) return static_cast<CfmOutcome>(outcome);
  uint32_t tx_fcb = 0;
  if (outcome == RF_CFM_SLR) {
    struct rf_cfm_slm_key key = {};
    if (rf_cfm_read_slm_key(data, end, off, &key) != 0) return CfmOutcome::kMalformed;
    tx_fcb = slm.Next(key);
  }
  // TxTimeStampb as late as the answer allows: read right before it is written.
  const uint64_t tx_tai_ns = outcome == RF_CFM_DMR ? TaiNowNs() : 0;
  if (rf_cfm_answer(data, end, &config, off, outcome, rx_tai_ns, tx_tai_ns, tx_fcb) != 0) {
    return CfmOutcome::kMalformed;  // unreachable after rf_cfm_parse; pass it unchanged
  }
  return static_cast<CfmOutcome>(outcome);
}

}  // namespace reflector::packet
