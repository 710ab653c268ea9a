#include "reflector/packet/testing/cfm_frames.h"

#include <utility>

namespace reflector::packet::testing {
namespace {

constexpr MacAddress kClass1Level5 = {0x01, 0x80, 0xc2, 0x00, 0x00, 0x35};
constexpr MacAddress kClass1Level3 = {0x01, 0x80, 0xc2, 0x00, 0x00, 0x33};
constexpr MacAddress kOtherMac = {0x02, 0x00, 0x5e, 0x10, 0x00, 0x77};

std::vector<uint8_t> Bytes(std::initializer_list<uint8_t> bytes) { return bytes; }

std::vector<uint8_t> Zeros(size_t n) { return std::vector<uint8_t>(n, 0); }

// The answer: to the tester from the reflector, the new OpCode, and `fields` replaced from
// the header's byte 4 on (fields.size() bytes).
std::vector<uint8_t> Answer(std::vector<uint8_t> frame, uint8_t opcode,
                            const std::vector<uint8_t>& fields = {}) {
  const size_t h = CfmHeaderOffset(frame);
  for (int i = 0; i < 6; ++i) {
    frame[i] = kTesterMac[i];
    frame[6 + i] = kReflectorMac[i];
  }
  frame[h + 1] = opcode;
  for (size_t i = 0; i < fields.size(); ++i) frame[h + 4 + i] = fields[i];
  return frame;
}

}  // namespace

FilterConfig CfmTestFilter(bool multicast_lbm, std::optional<uint16_t> vlan) {
  FilterConfig filter = DefaultTestFilter();
  filter.profiles |= ProfileBit(Profile::kY1731);
  filter.y1731_level = kCfmTestLevel;
  filter.y1731_mep_id = kCfmTestMepId;
  filter.y1731_multicast_lbm = multicast_lbm;
  filter.y1731_vlan = vlan;
  return filter;
}

std::vector<uint8_t> CfmFrame(const MacAddress& dst, std::vector<uint16_t> vids, uint8_t level,
                              uint8_t opcode, uint8_t tlv_offset, std::vector<uint8_t> fields,
                              bool pad) {
  std::vector<uint8_t> f(dst.begin(), dst.end());
  f.insert(f.end(), kTesterMac.begin(), kTesterMac.end());
  for (size_t i = 0; i < vids.size(); ++i) {
    const uint16_t tpid = (vids.size() == 2 && i == 0) ? RF_ETHERTYPE_QINQ : RF_ETHERTYPE_VLAN;
    f.insert(f.end(), {static_cast<uint8_t>(tpid >> 8), static_cast<uint8_t>(tpid),
                       static_cast<uint8_t>(vids[i] >> 8), static_cast<uint8_t>(vids[i])});
  }
  f.insert(f.end(), {0x89, 0x02, static_cast<uint8_t>(level << 5), opcode, 0x00, tlv_offset});
  f.insert(f.end(), fields.begin(), fields.end());
  f.push_back(0);  // End TLV
  if (pad && f.size() < 60) f.resize(60, 0);
  return f;
}

size_t CfmHeaderOffset(absl::Span<const uint8_t> frame) {
  size_t at = 12;
  while (at + 4 <= frame.size() && ((frame[at] == 0x81 && frame[at + 1] == 0x00) ||
                                    (frame[at] == 0x88 && frame[at + 1] == 0xa8))) {
    at += 4;
  }
  return at + 2;
}

uint64_t ReadBe(absl::Span<const uint8_t> frame, size_t at, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | frame[at + i];
  return v;
}

std::vector<uint8_t> MaskCfmTimes(std::vector<uint8_t> frame) {
  const size_t h = CfmHeaderOffset(frame);
  if (h + 4 + 24 > frame.size() || frame[h + 1] != RF_CFM_OP_DMR) return frame;
  for (size_t i = h + 12; i < h + 28; ++i) frame[i] = 0;
  return frame;
}

const std::vector<CfmCase>& CfmTable() {
  static const std::vector<CfmCase>* const table = [] {
    auto* cases = new std::vector<CfmCase>;
    const uint8_t L = kCfmTestLevel;
    // LBM: transaction ID 0x01020304 and a Data TLV (type 3, length 4) before the End TLV.
    const std::vector<uint8_t> lbm = {0x01, 0x02, 0x03, 0x04, 0x03, 0x00, 0x04, 'd', 'a', 't', 'a'};
    // DMM: TxTimeStampf set, the other three zero.
    std::vector<uint8_t> dmm = {0x00, 0x00, 0x12, 0x34, 0x0a, 0x0b, 0x0c, 0x0d};
    dmm.resize(32, 0);
    // SLM: source MEP ID 0x0011, responder 0, test ID 0x0000abcd, TxFCf 7, TxFCb 0.
    const std::vector<uint8_t> slm = {0x00, 0x11, 0x00, 0x00, 0x00, 0x00, 0xab, 0xcd,
                                      0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x00};
    auto add = [cases](std::string name, std::vector<uint8_t> frame, CfmOutcome outcome,
                       std::vector<uint8_t> expected = {}, bool multicast = false,
                       std::optional<uint16_t> vlan = std::nullopt) {
      CfmCase c;
      c.name = std::move(name);
      c.multicast_lbm = multicast;
      c.vlan = vlan;
      c.outcome = outcome;
      c.expected = expected.empty() ? frame : std::move(expected);
      c.frame = std::move(frame);
      cases->push_back(std::move(c));
    };
    auto lbr = [](const std::vector<uint8_t>& f) { return Answer(f, RF_CFM_OP_LBR); };
    auto dmr = [](const std::vector<uint8_t>& f) { return Answer(f, RF_CFM_OP_DMR); };
    auto slr = [](const std::vector<uint8_t>& f) {
      return Answer(f, RF_CFM_OP_SLR, {0x00, 0x11, kCfmTestMepId >> 8, kCfmTestMepId & 0xff,
                                       0x00, 0x00, 0xab, 0xcd, 0x00, 0x00, 0x00, 0x07,
                                       0x00, 0x00, 0x00, 0x01});
    };
    const MacAddress& me = kReflectorMac;

    const auto lbm_frame = CfmFrame(me, {}, L, RF_CFM_OP_LBM, 4, lbm);
    add("lbm", lbm_frame, CfmOutcome::kLbr, lbr(lbm_frame));
    const auto lbm_short = CfmFrame(me, {}, L, RF_CFM_OP_LBM, 4, {1, 2, 3, 4}, false);
    add("lbm_unpadded", lbm_short, CfmOutcome::kLbr, lbr(lbm_short));
    const auto lbm_vlan = CfmFrame(me, {100}, L, RF_CFM_OP_LBM, 4, lbm);
    add("lbm_vlan", lbm_vlan, CfmOutcome::kLbr, lbr(lbm_vlan));
    add("lbm_vlan_configured", lbm_vlan, CfmOutcome::kLbr, lbr(lbm_vlan), false, 100);
    add("lbm_vlan_other", lbm_vlan, CfmOutcome::kVlan, {}, false, 200);
    add("lbm_untagged_only", lbm_vlan, CfmOutcome::kVlan, {}, false, 0);
    add("lbm_untagged_configured", lbm_frame, CfmOutcome::kLbr, lbr(lbm_frame), false, 0);
    add("lbm_untagged_vlan_configured", lbm_frame, CfmOutcome::kVlan, {}, false, 100);
    const auto lbm_qinq = CfmFrame(me, {10, 20}, L, RF_CFM_OP_LBM, 4, lbm);
    add("lbm_qinq", lbm_qinq, CfmOutcome::kLbr, lbr(lbm_qinq));
    add("lbm_qinq_outer_configured", lbm_qinq, CfmOutcome::kLbr, lbr(lbm_qinq), false, 10);
    add("lbm_level_below", CfmFrame(me, {}, L - 1, RF_CFM_OP_LBM, 4, lbm), CfmOutcome::kLevel);
    add("lbm_level_above", CfmFrame(me, {}, L + 1, RF_CFM_OP_LBM, 4, lbm), CfmOutcome::kLevel);
    add("lbm_other_host", CfmFrame(kOtherMac, {}, L, RF_CFM_OP_LBM, 4, lbm),
        CfmOutcome::kAddress);
    const auto lbm_multicast = CfmFrame(kClass1Level5, {}, L, RF_CFM_OP_LBM, 4, lbm);
    add("lbm_multicast_off", lbm_multicast, CfmOutcome::kAddress);
    add("lbm_multicast_on", lbm_multicast, CfmOutcome::kLbr, lbr(lbm_multicast), true);
    add("lbm_multicast_other_level", CfmFrame(kClass1Level3, {}, L, RF_CFM_OP_LBM, 4, lbm),
        CfmOutcome::kAddress, {}, true);
    add("dmm_multicast_on", CfmFrame(kClass1Level5, {}, L, RF_CFM_OP_DMM, 32, dmm),
        CfmOutcome::kAddress, {}, true);
    add("lbm_version_1", [&] {
          auto f = CfmFrame(me, {}, L, RF_CFM_OP_LBM, 4, lbm);
          f[14] |= 1;
          return f;
        }(), CfmOutcome::kMalformed);
    add("lbm_wrong_tlv_offset", CfmFrame(me, {}, L, RF_CFM_OP_LBM, 8, lbm),
        CfmOutcome::kMalformed);
    add("lbm_truncated", CfmFrame(me, {}, L, RF_CFM_OP_LBM, 4, {1, 2, 3}, false),
        CfmOutcome::kMalformed);
    add("cfm_header_truncated", Bytes({0x02, 0x00, 0x5e, 0x10, 0x00, 0x02, 0x00, 0xc0, 0x17,
                                       0x54, 0x05, 0x98, 0x89, 0x02, 0xa0, 0x03}),
        CfmOutcome::kMalformed);

    const auto dmm_frame = CfmFrame(me, {}, L, RF_CFM_OP_DMM, 32, dmm);
    add("dmm", dmm_frame, CfmOutcome::kDmr, dmr(dmm_frame));
    const auto dmm_vlan = CfmFrame(me, {7}, L, RF_CFM_OP_DMM, 32, dmm);
    add("dmm_vlan", dmm_vlan, CfmOutcome::kDmr, dmr(dmm_vlan));
    add("dmm_level_below", CfmFrame(me, {}, 0, RF_CFM_OP_DMM, 32, dmm), CfmOutcome::kLevel);
    add("dmm_truncated", CfmFrame(me, {}, L, RF_CFM_OP_DMM, 32, Zeros(31), false),
        CfmOutcome::kMalformed);

    const auto slm_frame = CfmFrame(me, {}, L, RF_CFM_OP_SLM, 16, slm);
    add("slm", slm_frame, CfmOutcome::kSlr, slr(slm_frame));
    const auto slm_qinq = CfmFrame(me, {10, 20}, L, RF_CFM_OP_SLM, 16, slm);
    add("slm_qinq", slm_qinq, CfmOutcome::kSlr, slr(slm_qinq));
    add("slm_level_above", CfmFrame(me, {}, 7, RF_CFM_OP_SLM, 16, slm), CfmOutcome::kLevel);
    add("slm_truncated", CfmFrame(me, {}, L, RF_CFM_OP_SLM, 16, Zeros(15), false),
        CfmOutcome::kMalformed);

    add("ccm", CfmFrame(me, {}, L, 1, 70, Zeros(70)), CfmOutcome::kOpcode);
    add("lbr", CfmFrame(me, {}, L, RF_CFM_OP_LBR, 4, lbm), CfmOutcome::kOpcode);
    add("dmr", CfmFrame(me, {}, L, RF_CFM_OP_DMR, 32, dmm), CfmOutcome::kOpcode);
    add("lmm", CfmFrame(me, {}, L, 43, 12, Zeros(12)), CfmOutcome::kOpcode);
    add("ccm_multicast", CfmFrame(kClass1Level5, {}, L, 1, 70, Zeros(70)), CfmOutcome::kOpcode,
        {}, true);
    add("lbm_from_group", [&] {
          auto f = CfmFrame(me, {}, L, RF_CFM_OP_LBM, 4, lbm);
          f[6] |= 1;
          return f;
        }(), CfmOutcome::kAddress);
    add("lbm_from_self", [&] {
          auto f = CfmFrame(me, {}, L, RF_CFM_OP_LBM, 4, lbm);
          for (int i = 0; i < 6; ++i) f[6 + i] = me[i];
          return f;
        }(), CfmOutcome::kAddress);
    add("not_cfm_arp", [] {
          std::vector<uint8_t> f(60, 0);
          for (int i = 0; i < 6; ++i) f[i] = 0xff;
          f[12] = 0x08;
          f[13] = 0x06;
          return f;
        }(), CfmOutcome::kNotCfm);
    return cases;
  }();
  return *table;
}

}  // namespace reflector::packet::testing
