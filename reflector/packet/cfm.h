/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The Y.1731 / 802.1ag Ethernet OAM responder (ITU-T G.8013): CFM frames (EtherType 0x8902,
 * untagged or behind up to two 802.1Q / 802.1ad tags) at the configured MEG level answered in
 * place. Shared by the XDP program and the userspace workers like stamp.h; the classifier
 * rejects such frames (they are not IP): the workers offer their rejects here, the XDP program
 * the frames its fast tier leaves. Every read is bounds-checked (RF_FITS), like classify.h.
 *
 *   request           answer  what changes besides the OpCode and the MACs
 *   LBM  (OpCode  3)  LBR  2  nothing: transaction ID and TLVs go back as they came
 *   DMM  (OpCode 47)  DMR 46  RxTimeStampf (arrival) and TxTimeStampb (departure), PTP format
 *   SLM  (OpCode 55)  SLR 54  Responder MEP ID, and TxFCb: SLRs sent for this test so far
 *
 * The answer goes to the sender's MAC from the interface's own. Frames to another MEG level,
 * other OpCodes and anything malformed are left alone (passed to the stack), with a reason.
 */
#ifndef REFLECTOR_PACKET_CFM_H_
#define REFLECTOR_PACKET_CFM_H_

#include "reflector/packet/classify.h"
#include "reflector/packet/stamp.h"
#include "reflector/packet/wire.h"

#define RF_ETHERTYPE_CFM 0x8902
#define RF_CFM_HLEN 4 /* MEL and version, OpCode, flags, TLV offset */

/* OpCodes (G.8013 Table 9-1). */
#define RF_CFM_OP_LBR 2
#define RF_CFM_OP_LBM 3
#define RF_CFM_OP_DMR 46
#define RF_CFM_OP_DMM 47
#define RF_CFM_OP_SLR 54
#define RF_CFM_OP_SLM 55

/* The TLV offset each request must carry: the fixed fields after the common header. */
#define RF_CFM_LBM_TLV_OFFSET 4  /* transaction ID */
#define RF_CFM_DMM_TLV_OFFSET 32 /* TxTimeStampf, RxTimeStampf, TxTimeStampb, RxTimeStampb */
#define RF_CFM_SLM_TLV_OFFSET 16 /* source MEP ID, responder MEP ID, test ID, TxFCf, TxFCb */

/*
 * What the responder did with a CFM frame: the answers first, then why it passed one. The
 * X-macro is the one list of names (C enum, C++ names, counters).
 *   level: another MEG level. opcode: an OpCode it does not answer (CCM, LTM, LMM, ...).
 *   address: not to the interface MAC (or a multicast it may not answer), or a group, zero or
 *   own source MAC. vlan: a tag where none is allowed, or not the configured VLAN.
 *   malformed: version not 0, the wrong TLV offset, or the frame ends before its first TLV.
 */
#define RF_CFM_OUTCOME_LIST(X)          \
  X(LBR, Lbr, "lbr")                    \
  X(DMR, Dmr, "dmr")                    \
  X(SLR, Slr, "slr")                    \
  X(LEVEL, Level, "level")              \
  X(OPCODE, Opcode, "opcode")           \
  X(ADDRESS, Address, "address")        \
  X(VLAN, Vlan, "vlan")                 \
  X(MALFORMED, Malformed, "malformed")

#define RF_CFM_OUTCOME_ENTRY(id, cc_id, name) RF_CFM_##id,
enum rf_cfm_outcome { RF_CFM_OUTCOME_LIST(RF_CFM_OUTCOME_ENTRY) RF_CFM_OUTCOME_COUNT };
#undef RF_CFM_OUTCOME_ENTRY
#define RF_CFM_ANSWERS 3                    /* outcomes below this are answers */
#define RF_CFM_NOT_CFM RF_CFM_OUTCOME_COUNT /* not a CFM frame, or the responder is off */
#define RF_CFM_SLOTS 8                      /* counters kept per outcome (xdp/abi.h) */

/* The SLR counter's key (G.8013 §8.4.1: one count per test): sender and test ID. The kernel
 * map and the userspace workers' table use the same key. */
struct rf_cfm_slm_key {
  __u8 src_mac[RF_ETH_ALEN];
  __u16 src_mep; /* as on the wire */
  __u32 test_id; /* as on the wire */
};

/*
 * What the responder does with the frame: an answer (RF_CFM_LBR, _DMR, _SLR; `*cfm_off` is
 * then the CFM header's offset), a reason to pass it, or RF_CFM_NOT_CFM. Reads only.
 * `stripped_tag` is 0, or RF_STRIPPED_TAG | TCI of an outer tag the kernel took out of the
 * bytes (tc's skb metadata), which then counts as the frame's first tag, as in
 * rf_classify_exact.
 */
RF_INLINE __u32 rf_cfm_parse_tagged(const __u8 *data, const __u8 *end,
                                    const struct rf_config *cfg, __u32 stripped_tag,
                                    __u32 *cfm_off) {
  /* Off, or the daemon's lease ran out (--lease: reflect nothing), which stops the answers
   * too: the frame goes on to the classifier, which rejects it, and to the stack. */
  if (!(cfg->cfm.flags & RF_CFM_ON) || (cfg->guard.flags & RF_GUARD_LEASE_EXPIRED)) {
    return RF_CFM_NOT_CFM;
  }
  if (!RF_FITS(data, 0, RF_ETH_HLEN, end)) return RF_CFM_NOT_CFM;
  __u32 type_off = 2 * RF_ETH_ALEN;
  __u16 type = rf_load_be16(data + type_off);
  __u32 tags = 0;
  __u16 outer_vid = 0;
  RF_UNROLL for (int i = 0; i < RF_MAX_VLAN_TAGS; i++) {
    if (type != RF_ETHERTYPE_VLAN && type != RF_ETHERTYPE_QINQ) break;
    if (!RF_FITS(data, type_off, RF_VLAN_HLEN + 2, end)) return RF_CFM_NOT_CFM;
    if (tags == 0) outer_vid = rf_load_be16(data + type_off + 2) & 0x0fff;
    tags++;
    type_off += RF_VLAN_HLEN;
    type = rf_load_be16(data + type_off);
  }
  if (type != RF_ETHERTYPE_CFM) return RF_CFM_NOT_CFM;
  if (stripped_tag & RF_STRIPPED_TAG) { /* the outer tag, in front of those in the bytes */
    if (tags >= RF_MAX_VLAN_TAGS) return RF_CFM_NOT_CFM;
    tags++;
    outer_vid = (__u16)(stripped_tag & 0x0fff);
  }

  /* A CFM frame: from here on every refusal has a reason. The sender first: the answer goes
   * there, so it must be one station that is not us. */
  const __u8 *src = data + RF_ETH_ALEN;
  if ((src[0] & 1) || rf_mac_is_zero(src) || rf_mac_equal(src, cfg->if_mac)) return RF_CFM_ADDRESS;
  const int multicast = data[0] & 1;
  if (multicast) {
    /* Class 1: 01:80:C2:00:00:3x, x the MEG level (G.8013 §9.1.3); for LBM only, if enabled. */
    if (!(cfg->cfm.flags & RF_CFM_MULTICAST_LBM) ||
        rf_load_u32(data) != RF_BYTES32(0x01, 0x80, 0xc2, 0x00) || data[4] != 0x00 ||
        data[5] != (__u8)(0x30 | (cfg->cfm.level & 7))) {
      return RF_CFM_ADDRESS;
    }
  } else if (!rf_mac_equal(data, cfg->if_mac)) {
    return RF_CFM_ADDRESS;
  }
  if (tags && !(cfg->flags & RF_CFG_VLAN)) return RF_CFM_VLAN;
  if ((cfg->cfm.flags & RF_CFM_ONE_VLAN) &&
      (cfg->cfm.vlan == 0 ? tags != 0 : (tags == 0 || outer_vid != cfg->cfm.vlan))) {
    return RF_CFM_VLAN;
  }

  const __u32 off = type_off + 2;
  if (!RF_FITS(data, off, RF_CFM_HLEN, end)) return RF_CFM_MALFORMED;
  const __u8 *h = data + off;
  if ((h[0] >> 5) != cfg->cfm.level) return RF_CFM_LEVEL;
  __u32 outcome;
  __u32 tlv_offset;
  switch (h[1]) {
    case RF_CFM_OP_LBM:
      outcome = RF_CFM_LBR;
      tlv_offset = RF_CFM_LBM_TLV_OFFSET;
      break;
    case RF_CFM_OP_DMM:
      outcome = RF_CFM_DMR;
      tlv_offset = RF_CFM_DMM_TLV_OFFSET;
      break;
    case RF_CFM_OP_SLM:
      outcome = RF_CFM_SLR;
      tlv_offset = RF_CFM_SLM_TLV_OFFSET;
      break;
    default:
      return RF_CFM_OPCODE;
  }
  if (multicast && outcome != RF_CFM_LBR) return RF_CFM_ADDRESS;
  if ((h[0] & 0x1f) != 0 || h[3] != tlv_offset) return RF_CFM_MALFORMED;
  /* The fixed fields and the first TLV's type (the End TLV at least) must be in the frame. */
  if (!RF_FITS(data, off, RF_CFM_HLEN + tlv_offset + 1, end)) return RF_CFM_MALFORMED;
  *cfm_off = off;
  return outcome;
}

/* rf_cfm_parse_tagged of a frame with all its tags in its bytes (XDP, the workers). */
RF_INLINE __u32 rf_cfm_parse(const __u8 *data, const __u8 *end, const struct rf_config *cfg,
                             __u32 *cfm_off) {
  return rf_cfm_parse_tagged(data, end, cfg, 0, cfm_off);
}

/* The SLR counter's key of an SLM that rf_cfm_parse found at `cfm_off`. Returns 0, or -1 if
 * it does not fit (never, after rf_cfm_parse said RF_CFM_SLR). */
RF_INLINE int rf_cfm_read_slm_key(const __u8 *data, const __u8 *end, __u32 cfm_off,
                             struct rf_cfm_slm_key *key) {
  __u32 off = cfm_off;
  RF_OPAQUE(off);
  off &= 0x1f;
  if (!RF_FITS(data, 0, 2 * RF_ETH_ALEN, end)) return -1;
  if (!RF_FITS(data, off, RF_CFM_HLEN + RF_CFM_SLM_TLV_OFFSET, end)) return -1;
  const __u8 *fields = data + off + RF_CFM_HLEN;
  rf_store_u32(key->src_mac, rf_load_u32(data + RF_ETH_ALEN));
  rf_store_u16(key->src_mac + 4, rf_load_u16(data + RF_ETH_ALEN + 4));
  key->src_mep = rf_load_u16(fields);
  key->test_id = rf_load_u32(fields + 4);
  return 0;
}

RF_INLINE void rf_cfm_store_be32(__u8 *p, __u32 v) {
  rf_store_be16(p, (__u16)(v >> 16));
  rf_store_be16(p + 2, (__u16)v);
}

/*
 * Turns the request rf_cfm_parse found (`outcome`, `cfm_off`) into its answer in place: to the
 * sender's MAC from the interface's, the OpCode, and for DMR the PTP timestamps of `rx_tai_ns`
 * (RxTimeStampf) and `tx_tai_ns` (TxTimeStampb), for SLR the Responder MEP ID and `tx_fcb`.
 * Returns 0, or -1 without touching the frame if the request does not fit it.
 */
RF_INLINE int rf_cfm_answer(__u8 *data, const __u8 *end, const struct rf_config *cfg,
                            __u32 cfm_off, __u32 outcome, __u64 rx_tai_ns, __u64 tx_tai_ns,
                            __u32 tx_fcb) {
  /* Masked behind RF_OPAQUE as in stamp.h: the verifier needs a small known bound. */
  __u32 off = cfm_off;
  RF_OPAQUE(off);
  off &= 0x1f;
  if (off > RF_MAX_L3_OFFSET) return -1;
  if (!RF_FITS(data, 0, 2 * RF_ETH_ALEN, end)) return -1;
  __u8 opcode;
  __u32 fixed;
  switch (outcome) {
    case RF_CFM_LBR:
      opcode = RF_CFM_OP_LBR;
      fixed = RF_CFM_LBM_TLV_OFFSET;
      break;
    case RF_CFM_DMR:
      opcode = RF_CFM_OP_DMR;
      fixed = RF_CFM_DMM_TLV_OFFSET;
      break;
    case RF_CFM_SLR:
      opcode = RF_CFM_OP_SLR;
      fixed = RF_CFM_SLM_TLV_OFFSET;
      break;
    default:
      return -1;
  }
  /* Each pointer formed right after its own check (classify.h); nothing written before. */
  if (!RF_FITS(data, off, RF_CFM_HLEN + fixed, end)) return -1;
  __u8 *h = data + off;
  if (outcome == RF_CFM_DMR) {
    if (!RF_FITS(data, off, RF_CFM_HLEN + RF_CFM_DMM_TLV_OFFSET, end)) return -1;
    rf_stamp_store_be64(h + RF_CFM_HLEN + 8, rf_stamp_time(rx_tai_ns, &cfg->stamp_clock, 1));
    rf_stamp_store_be64(h + RF_CFM_HLEN + 16, rf_stamp_time(tx_tai_ns, &cfg->stamp_clock, 1));
  } else if (outcome == RF_CFM_SLR) {
    if (!RF_FITS(data, off, RF_CFM_HLEN + RF_CFM_SLM_TLV_OFFSET, end)) return -1;
    rf_store_be16(h + RF_CFM_HLEN + 2, cfg->cfm.mep_id);
    rf_cfm_store_be32(h + RF_CFM_HLEN + 12, tx_fcb);
  }
  h[1] = opcode;
  rf_store_u32(data, rf_load_u32(data + RF_ETH_ALEN));
  rf_store_u16(data + 4, rf_load_u16(data + RF_ETH_ALEN + 4));
  rf_store_u32(data + RF_ETH_ALEN, rf_load_u32(cfg->if_mac));
  rf_store_u16(data + RF_ETH_ALEN + 4, rf_load_u16(cfg->if_mac + 4));
  return 0;
}

#endif /* REFLECTOR_PACKET_CFM_H_ */
