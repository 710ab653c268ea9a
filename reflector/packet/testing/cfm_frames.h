// Y.1731 / 802.1ag test frames (LBM, DMM, SLM and others) and the answers a correct responder
// sends, built from the G.8013 layouts field by field rather than by running cfm.h.
#ifndef REFLECTOR_PACKET_TESTING_CFM_FRAMES_H_
#define REFLECTOR_PACKET_TESTING_CFM_FRAMES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "reflector/packet/cfm_responder.h"
#include "reflector/packet/config.h"
#include "reflector/packet/testing/frame_builder.h"

namespace reflector::packet::testing {

inline constexpr uint8_t kCfmTestLevel = 5;
inline constexpr uint16_t kCfmTestMepId = 0x0102;

// The default test filter with the y1731 profile at kCfmTestLevel, Responder MEP ID
// kCfmTestMepId, and the given multicast and VLAN settings.
FilterConfig CfmTestFilter(bool multicast_lbm = false,
                           std::optional<uint16_t> vlan = std::nullopt);

// A CFM frame from kTesterMac to `dst` behind `vids` (802.1Q, or 802.1ad then 802.1Q): the
// common header (level, version 0, `opcode`, flags 0, `tlv_offset`), `fields`, then an End TLV
// and zero padding to a 60-byte frame (when `pad`).
std::vector<uint8_t> CfmFrame(const MacAddress& dst, std::vector<uint16_t> vids, uint8_t level,
                              uint8_t opcode, uint8_t tlv_offset, std::vector<uint8_t> fields,
                              bool pad = true);

struct CfmCase {
  std::string name;
  std::vector<uint8_t> frame;
  bool multicast_lbm = false;
  std::optional<uint16_t> vlan;
  CfmOutcome outcome = CfmOutcome::kNotCfm;
  // Answered: the answer with its timestamps (DMR) zero and TxFCb 1 (SLR, the test's first);
  // otherwise the frame unchanged.
  std::vector<uint8_t> expected;
  FilterConfig filter() const { return CfmTestFilter(multicast_lbm, vlan); }
};

// LBM, DMM, SLM at the right and wrong levels, untagged and tagged, multicast on and off,
// other OpCodes, wrong versions and TLV offsets, truncated frames.
const std::vector<CfmCase>& CfmTable();

// The offset of the CFM header in an answered frame (after the MACs and any tags).
size_t CfmHeaderOffset(absl::Span<const uint8_t> frame);

// The big-endian value of `bytes` bytes at `at` (timestamps, counters).
uint64_t ReadBe(absl::Span<const uint8_t> frame, size_t at, int bytes);

// A DMR with its RxTimeStampf and TxTimeStampb (16 bytes at header + 12) zeroed; other frames
// unchanged.
std::vector<uint8_t> MaskCfmTimes(std::vector<uint8_t> frame);

}  // namespace reflector::packet::testing

#endif  // REFLECTOR_PACKET_TESTING_CFM_FRAMES_H_
