/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * RFC 8972 STAMP TLVs in the Session-Reflector's answer, shared by the XDP program and the
 * userspace workers like stamp.h. It runs on the finished answer in place (after rf_stamp_finish
 * or rf_stamp_set_sequence) and updates the UDP checksum for what it changes (RFC 1624), so it
 * is one more step after stamp.h's two. TWAMP-Light rules are left alone: their bytes after the
 * base packet are padding (RFC 5357 §4.1.2), not TLVs.
 *
 * A TLV (RFC 8972 §4): Flags (1 byte: U 0x80, M 0x40, I 0x20, the rest reserved), Type
 * (1 byte), Length (2 bytes, of the Value only), Value. The list runs from byte 44 of the
 * STAMP packet to the end of the UDP datagram. Per TLV, the reflector writes the flags afresh:
 *   U  set for a type it does not understand (§4: "has not understood the TLV"), the TLV then
 *      copied unchanged; clear for the types below;
 *   M  set on the TLV where the list stops parsing (§4: its Length is not valid for its type,
 *      or runs past the packet; also a header cut short), and nothing after it is read or
 *      changed: the remainder goes back as received;
 *   I  clear: it is set only on an HMAC failure (§4.8), and this unauthenticated reflector
 *      checks no HMAC (an HMAC TLV is a type it does not understand);
 *   reserved bits zero (§4: zeroed on transmit).
 * Understood types:
 *   1 Extra Padding (§4.1): any length, returned unchanged;
 *   3 Timestamp Information (§4.3), Length 4: Sync Src In and Timestamp In describe T2, Sync
 *     Src Out and Timestamp Out T3, from the clock that wrote them (the registries of §5.4 and
 *     §5.5): the sync source is NTP when the clock is synchronised, the Error Estimate's S bit,
 *     read from the same rf_stamp_clock, else local free-running; T3 is software-local; T2's
 *     method is the caller's (software-local from the kernel clock, hardware when a NIC stamped
 *     the frame);
 *   4 Class of Service (§4.4, with verified erratum 8199), Length 4: DSCP2 and ECN get the
 *     DSCP and ECN the packet arrived with, and the answer is sent with DSCP1 (the local policy
 *     allows every value), so RP is 0; the reserved 16 bits are zeroed.
 * At most RF_STAMP_MAX_TLVS TLVs are looked at (a bound the BPF verifier can follow): any after
 * them go back as sent, with the U flag a Session-Sender sets on every TLV (§4).
 */
#ifndef REFLECTOR_PACKET_STAMP_TLV_H_
#define REFLECTOR_PACKET_STAMP_TLV_H_

#include "reflector/packet/classify.h"
#include "reflector/packet/stamp.h"
#include "reflector/packet/wire.h"

#define RF_STAMP_MAX_TLVS 16
#define RF_STAMP_TLV_HLEN 4
/* The last frame offset a TLV may start at: the BPF verifier learns a packet pointer's range
 * only below 64 KiB, offset and checked length together; frames are far shorter. */
#define RF_STAMP_TLV_MAX_OFF 0x7fff

/* STAMP TLV Flags (RFC 8972 §4, registry §5.2). */
#define RF_STAMP_TLV_U 0x80
#define RF_STAMP_TLV_M 0x40

/* STAMP TLV Types (RFC 8972 §5.1). */
#define RF_STAMP_TLV_EXTRA_PADDING 1
#define RF_STAMP_TLV_TIMESTAMP_INFO 3
#define RF_STAMP_TLV_CLASS_OF_SERVICE 4

/* STAMP Synchronization Sources (§5.4) and Timestamping Methods (§5.5). */
#define RF_STAMP_SYNC_NTP 1
#define RF_STAMP_SYNC_FREE_RUNNING 5
#define RF_STAMP_TS_HW_ASSIST 1
#define RF_STAMP_TS_SW_LOCAL 2

/* Where a byte of the UDP datagram lies in its 16-bit checksum word: the payload starts at an
 * even offset, so an even payload offset is a word's high byte. A shift, not a branch: each
 * branch here would multiply the paths the BPF verifier walks through the TLV loop. */
RF_INLINE __u32 rf_stamp_tlv_word(__u32 payload_pos, __u8 byte) {
  return (__u32)byte << ((~payload_pos & 1) << 3);
}

/* Writes `byte` at `p` (payload offset `pos`), adding its old and new parts of the checksum to
 * `sums[0]` and `sums[1]`. */
RF_INLINE void rf_stamp_tlv_put(__u8 *p, __u32 pos, __u8 byte, __u32 *sums) {
  sums[0] += rf_stamp_tlv_word(pos, *p);
  sums[1] += rf_stamp_tlv_word(pos, byte);
  *p = byte;
}

RF_INLINE __u32 rf_stamp_tlv_fold(__u32 sum) {
  sum = (sum & 0xffff) + (sum >> 16);
  return (sum & 0xffff) + (sum >> 16);
}

/* The answer goes out with DSCP `dscp` (Class of Service TLV, RFC 8972 §4.4): the IPv4 ToS
 * byte with its header checksum, or the IPv6 traffic class; ECN is left as it arrived. The UDP
 * checksum covers neither. */
RF_INLINE void rf_stamp_tlv_set_dscp(__u8 *ip, int v6, __u8 dscp) {
  if (v6) {
    const __u8 tos = (__u8)((ip[0] << 4) | (ip[1] >> 4));
    const __u8 tc = (__u8)((dscp << 2) | (tos & 3));
    ip[0] = (__u8)((ip[0] & 0xf0) | (tc >> 4));
    ip[1] = (__u8)((ip[1] & 0x0f) | (tc << 4));
    return;
  }
  const __u16 old_word = rf_load_be16(ip);
  const __u16 new_word = (__u16)((old_word & 0xff03) | ((__u16)dscp << 2));
  rf_store_be16(ip + 10, rf_stamp_checksum_update(rf_load_be16(ip + 10), old_word, new_word));
  rf_store_be16(ip, new_word);
}

/*
 * The TLV step of the answer to the STAMP packet `res` describes, built in this frame by
 * rf_stamp_build and rf_stamp_finish. `t2_method`: how T2 was taken (RF_STAMP_TS_*), for the
 * Timestamp Information TLV. Returns 0, or -1 when `res` does not fit the frame (never, for
 * an answer rf_stamp_build built).
 */
RF_INLINE int rf_stamp_tlvs(__u8 *data, const __u8 *end, const struct rf_result *res,
                            const struct rf_stamp_clock *clock, __u32 t2_method) {
  if (res->actions & RF_ACTION_TWAMP) return 0;
  if (res->udp_length <= RF_UDP_HLEN + RF_STAMP_LEN) return 0;
  __u32 l3_off = 0;
  __u32 l4_off = 0;
  if (rf_stamp_offsets(res, &l3_off, &l4_off) != 0) return -1;
  const int v6 = res->ip_version == 6;
  if (!RF_FITS(data, l3_off, RF_IPV4_MIN_HLEN, end)) return -1;
  __u8 *ip = data + l3_off;
  /* As received: the reflection keeps the ToS / traffic class. */
  const __u8 tos = v6 ? (__u8)((ip[0] << 4) | (ip[1] >> 4)) : ip[1];
  const __u8 sync =
      (clock->error_estimate & RF_STAMP_S) ? RF_STAMP_SYNC_NTP : RF_STAMP_SYNC_FREE_RUNNING;
  const __u32 payload_off = l4_off + RF_UDP_HLEN;
  const __u32 limit = payload_off + res->udp_length - RF_UDP_HLEN; /* the datagram's end */
  __u32 sums[2] = {0, 0}; /* old and new checksum parts of the bytes changed */
  int dscp = -1;          /* DSCP1 of the last Class of Service TLV, if any */
  __u32 off = payload_off + RF_STAMP_LEN;
  for (int i = 0; i < RF_STAMP_MAX_TLVS; i++) {
    if (off >= limit || off > RF_STAMP_TLV_MAX_OFF) break;
    __u32 at = off; /* the same offset, bounded where the verifier can see it */
    RF_OPAQUE(at);
    at &= RF_STAMP_TLV_MAX_OFF;
    const __u32 pos = at - payload_off;
    if (!RF_FITS(data, at, 1, end)) break;
    __u8 *t = data + at;
    if (off + RF_STAMP_TLV_HLEN > limit || !RF_FITS(data, at, RF_STAMP_TLV_HLEN, end)) {
      /* A header cut short: nothing to understand, and the list ends malformed here. */
      rf_stamp_tlv_put(t, pos, RF_STAMP_TLV_U | RF_STAMP_TLV_M, sums);
      break;
    }
    t = data + at;
    const __u8 type = t[1];
    const __u32 length = rf_load_be16(t + 2);
    const int fixed = type == RF_STAMP_TLV_TIMESTAMP_INFO || type == RF_STAMP_TLV_CLASS_OF_SERVICE;
    const int known = fixed || type == RF_STAMP_TLV_EXTRA_PADDING;
    __u8 flags = known ? 0 : RF_STAMP_TLV_U;
    if (off + RF_STAMP_TLV_HLEN + length > limit || (fixed && length != 4)) {
      rf_stamp_tlv_put(t, pos, flags | RF_STAMP_TLV_M, sums);
      break;
    }
    rf_stamp_tlv_put(t, pos, flags, sums);
    if (fixed) {
      if (!RF_FITS(data, at, RF_STAMP_TLV_HLEN + 4, end)) break; /* checked above: never */
      __u8 *v = data + at + RF_STAMP_TLV_HLEN;
      if (type == RF_STAMP_TLV_TIMESTAMP_INFO) {
        rf_stamp_tlv_put(v, pos + 4, sync, sums);
        rf_stamp_tlv_put(v + 1, pos + 5, (__u8)t2_method, sums);
        rf_stamp_tlv_put(v + 2, pos + 6, sync, sums);
        rf_stamp_tlv_put(v + 3, pos + 7, RF_STAMP_TS_SW_LOCAL, sums);
      } else {
        /* DSCP1 (6) | DSCP2 (6) | ECN (2) | RP (2), then 16 reserved bits. */
        dscp = v[0] >> 2;
        rf_stamp_tlv_put(v, pos + 4, (__u8)((v[0] & 0xfc) | (tos >> 6)), sums);
        rf_stamp_tlv_put(v + 1, pos + 5, (__u8)((((tos >> 2) & 0x0f) << 4) | ((tos & 3) << 2)),
                         sums);
        rf_stamp_tlv_put(v + 2, pos + 6, 0, sums);
        rf_stamp_tlv_put(v + 3, pos + 7, 0, sums);
      }
    }
    off += RF_STAMP_TLV_HLEN + length;
  }
  if (dscp >= 0) rf_stamp_tlv_set_dscp(ip, v6, (__u8)dscp);

  if (!RF_FITS(data, l4_off, RF_UDP_HLEN, end)) return -1;
  __u8 *udp = data + l4_off;
  const __u16 check = rf_load_u16(udp + 6);
  if (check == 0 && !v6) return 0; /* no checksum stays none */
  /* The sums are of host-order words: the checksum in host order too. */
  __u16 updated = rf_stamp_checksum_update(rf_load_be16(udp + 6), rf_stamp_tlv_fold(sums[0]),
                                           rf_stamp_tlv_fold(sums[1]));
  if (updated == 0) updated = 0xffff; /* 0 means "no checksum" on the wire */
  rf_store_be16(udp + 6, updated);
  return 0;
}

#endif /* REFLECTOR_PACKET_STAMP_TLV_H_ */
