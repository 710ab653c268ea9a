/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The classifier (SPEC §3) and the in-place reflector (SPEC §4), written once for both the XDP
 * program and userspace. Rules that keep it loadable by the BPF verifier and safe everywhere:
 *   - every read is preceded by an explicit check, RF_FITS, that the bytes lie in the frame;
 *   - offsets are small bounded integers, pointers are rebuilt as `data + offset` once the
 *     check passed;
 *   - loops have constant trip counts; no libc, no allocation, no globals.
 */
#ifndef REFLECTOR_PACKET_CLASSIFY_H_
#define REFLECTOR_PACKET_CLASSIFY_H_

#include "reflector/packet/wire.h"

/* Fixed-count loops are unrolled: the verifier then sees straight-line code, and g++ would
 * otherwise keep a counter and a branch per byte compared. */
#if defined(__clang__)
#define RF_UNROLL _Pragma("unroll")
#elif defined(__GNUC__)
#define RF_UNROLL _Pragma("GCC unroll 16")
#else
#define RF_UNROLL
#endif

/*
 * Whether the `n` bytes at offset `off` lie inside the frame [data, end). The verifier learns a
 * packet's bounds only from comparing packet pointers, so the BPF program compares
 * `data + off + n` with `end`, and the bounds then hold for `data + off` only: form the pointer
 * to read through right after its check, from the same offset. C and C++ define pointer
 * arithmetic only inside an object, and on a short frame `data + off + n` lies past its end:
 * undefined, so g++ -O2 cannot use such a check and warned about the reads it guards (issue
 * 20). Userspace compares lengths instead.
 */
#if defined(__bpf__)
#define RF_FITS(data, off, n, end) ((data) + (off) + (n) <= (end))
#else
#define RF_FITS(data, off, n, end) ((__u64)(off) + (__u64)(n) <= (__u64)((end) - (data)))
#endif

RF_INLINE __u16 rf_load_be16(const __u8 *p) { return (__u16)((p[0] << 8) | p[1]); }

RF_INLINE int rf_mac_equal(const __u8 *a, const __u8 *b) {
  int same = 1;
  RF_UNROLL for (int i = 0; i < RF_ETH_ALEN; i++) same &= (a[i] == b[i]);
  return same;
}

RF_INLINE int rf_mac_is_zero(const __u8 *mac) {
  __u8 any = 0;
  RF_UNROLL for (int i = 0; i < RF_ETH_ALEN; i++) any |= mac[i];
  return any == 0;
}

RF_INLINE int rf_oui_allowed(const __u8 *mac, const struct rf_config *cfg) {
  if (cfg->oui_count == 0) return 1;
  /* A bounded loop (kernel >= 5.3), not unrolled: the count comes from the config map. */
  for (int i = 0; i < RF_MAX_OUIS; i++) {
    if (i >= cfg->oui_count) break;
    if (mac[0] == cfg->ouis[i][0] && mac[1] == cfg->ouis[i][1] && mac[2] == cfg->ouis[i][2]) {
      return 1;
    }
  }
  return 0;
}

/* IPv4 0/8, 127/8, 224/4 and 240/4 (which holds the limited broadcast) are not unicast. */
RF_INLINE int rf_ipv4_is_unicast(const __u8 *addr) {
  return addr[0] != 0 && addr[0] != 127 && addr[0] < 224;
}

/* IPv6 :: and ::1 and ff00::/8 are not unicast. */
RF_INLINE int rf_ipv6_is_unicast(const __u8 *addr) {
  __u8 high = 0;
  RF_UNROLL for (int i = 0; i < 15; i++) high |= addr[i];
  if (high == 0 && addr[15] <= 1) return 0;
  return addr[0] != 0xff;
}

RF_INLINE int rf_text_at(const __u8 *p, const char *text) {
  RF_UNROLL for (int i = 0; i < RF_SIG_LEN; i++) {
    if (p[i] != (__u8)text[i]) return 0; /* most misses end at the first byte */
  }
  return 1;
}

/*
 * Classifies the frame [data, end). On RF_REFLECT, `res` says where the headers are and which
 * signature matched; on any other verdict its content is unspecified.
 */
RF_INLINE enum rf_verdict rf_classify(const __u8 *data, const __u8 *end,
                                      const struct rf_config *cfg, struct rf_result *res) {
  /* Ethernet addresses. */
  if (!RF_FITS(data, 0, RF_ETH_ALEN, end)) return RF_TOO_SHORT;
  /* Multicast, broadcast and all-zero are never ours, even with the dst MAC filter off: a
   * reply to them would carry a group or zero source MAC. */
  if ((data[0] & 1) || rf_mac_is_zero(data)) return RF_DST_MAC;
  if ((cfg->flags & RF_CFG_DST_MAC_FILTER) && !rf_mac_equal(data, cfg->if_mac)) return RF_DST_MAC;

  if (!RF_FITS(data, 0, 2 * RF_ETH_ALEN, end)) return RF_TOO_SHORT;
  const __u8 *src_mac = data + RF_ETH_ALEN;
  /* Loop guards: a frame from ourselves, or one whose reply would go back to its own sender
   * address (src == dst, possible with the dst MAC filter off). */
  if ((src_mac[0] & 1) || rf_mac_is_zero(src_mac) || rf_mac_equal(src_mac, cfg->if_mac) ||
      rf_mac_equal(src_mac, data)) {
    return RF_SRC_MAC;
  }
  if (!rf_oui_allowed(src_mac, cfg)) return RF_OUI;

  /* Up to two 802.1Q / 802.1ad tags; a third is rejected. */
  __u32 type_off = 2 * RF_ETH_ALEN;
  __u16 ethertype = 0;
  __u8 tags = 0;
  RF_UNROLL for (int i = 0; i <= RF_MAX_VLAN_TAGS; i++) {
    if (!RF_FITS(data, type_off, 2, end)) return RF_TOO_SHORT;
    ethertype = rf_load_be16(data + type_off);
    if (ethertype != RF_ETHERTYPE_VLAN && ethertype != RF_ETHERTYPE_QINQ) break;
    if (!(cfg->flags & RF_CFG_VLAN) || tags == RF_MAX_VLAN_TAGS) return RF_VLAN;
    tags++;
    type_off += RF_VLAN_HLEN;
  }
  const __u32 l3_off = type_off + 2;

  /* IP header: the frame must hold what the header claims. */
  __u32 l4_off;
  __u32 ip_payload_len;
  __u8 ip_version;
  if (ethertype == RF_ETHERTYPE_IPV4) {
    if (!RF_FITS(data, l3_off, 1, end)) return RF_TOO_SHORT;
    const __u8 *ip = data + l3_off;
    if ((ip[0] >> 4) != 4) return RF_IP_HEADER;
    const __u32 ihl = (__u32)(ip[0] & 0x0f) * 4;
    if (ihl < RF_IPV4_MIN_HLEN) return RF_IP_HEADER;
    if (!RF_FITS(data, l3_off, RF_IPV4_MIN_HLEN, end)) return RF_TOO_SHORT;
    if (!RF_FITS(data, l3_off, ihl, end)) return RF_TOO_SHORT;
    const __u32 total_len = rf_load_be16(ip + 2);
    if (total_len < ihl + RF_UDP_HLEN) return RF_IP_HEADER;
    if (!RF_FITS(data, l3_off, total_len, end)) return RF_IP_HEADER;
    if (rf_load_be16(ip + 6) & 0x3fff) return RF_FRAGMENT; /* MF flag or fragment offset */
    if (ip[9] != RF_IPPROTO_UDP) return RF_PROTOCOL;
    if (!rf_ipv4_is_unicast(ip + 12) || !rf_ipv4_is_unicast(ip + 16)) return RF_SRC_IP;
    l4_off = l3_off + ihl;
    ip_payload_len = total_len - ihl;
    ip_version = 4;
  } else if (ethertype == RF_ETHERTYPE_IPV6 && (cfg->flags & RF_CFG_IPV6)) {
    if (!RF_FITS(data, l3_off, 1, end)) return RF_TOO_SHORT;
    const __u8 *ip = data + l3_off;
    if ((ip[0] >> 4) != 6) return RF_IP_HEADER;
    if (!RF_FITS(data, l3_off, RF_IPV6_HLEN, end)) return RF_TOO_SHORT;
    const __u32 payload_len = rf_load_be16(ip + 4);
    if (!RF_FITS(data, l3_off, RF_IPV6_HLEN + payload_len, end)) return RF_IP_HEADER;
    /* No extension headers: a fragment header (44) is "not UDP" too. */
    if (ip[6] != RF_IPPROTO_UDP) return RF_PROTOCOL;
    if (!rf_ipv6_is_unicast(ip + 8) || !rf_ipv6_is_unicast(ip + 24)) return RF_SRC_IP;
    l4_off = l3_off + RF_IPV6_HLEN;
    ip_payload_len = payload_len;
    ip_version = 6;
  } else {
    return RF_ETHERTYPE;
  }

  /* UDP header, inside the IP payload. */
  if (ip_payload_len < RF_UDP_HLEN) return RF_UDP_HEADER;
  /* Implied by the IP checks; for the verifier. */
  if (!RF_FITS(data, l4_off, RF_UDP_HLEN, end)) return RF_TOO_SHORT;
  const __u8 *udp = data + l4_off;
  const __u32 udp_len = rf_load_be16(udp + 4);
  if (udp_len < RF_UDP_HLEN || udp_len > ip_payload_len) return RF_UDP_HEADER;
  if (cfg->port != 0 && rf_load_be16(udp + 2) != cfg->port) return RF_PORT;

  /* Signature at its offset inside the UDP payload (never in Ethernet padding). */
  const __u32 payload_off = l4_off + RF_UDP_HLEN;
  const __u32 payload_len = udp_len - RF_UDP_HLEN;
  int sig = -1;
#define RF_TRY_SIGNATURE(id, cc_id, text, name, offset)                        \
  if (sig < 0 && (cfg->signatures & RF_SIG_BIT(RF_SIG_##id)) &&              \
      payload_len >= (offset) + RF_SIG_LEN) {                                 \
    const __u32 at = payload_off + (offset);                                  \
    /* Implied by udp_len; for the verifier. */                               \
    if (!RF_FITS(data, at, RF_SIG_LEN, end)) return RF_TOO_SHORT;             \
    if (rf_text_at(data + at, text)) sig = RF_SIG_##id;                       \
  }
  RF_SIGNATURE_LIST(RF_TRY_SIGNATURE)
#undef RF_TRY_SIGNATURE
  if (sig < 0) return RF_SIGNATURE;

  res->l3_offset = (__u16)l3_off;
  res->l4_offset = (__u16)l4_off;
  res->payload_offset = (__u16)payload_off;
  res->udp_length = (__u16)udp_len;
  res->ip_version = ip_version;
  res->signature = (__u8)sig;
  res->vlan_tags = tags;
  res->reserved = 0;
  return RF_REFLECT;
}

/* Always called with a constant `n`, so the loop unrolls into straight-line moves. */
RF_INLINE void rf_swap_bytes(__u8 *a, __u8 *b, const int n) {
  RF_UNROLL for (int i = 0; i < n; i++) {
    __u8 t = a[i];
    a[i] = b[i];
    b[i] = t;
  }
}

/*
 * Swaps addresses in place per `mode` (enum rf_mode) using the offsets of an RF_REFLECT result.
 * Every other byte stays as it was; the checksums stay valid because one's-complement sums
 * do not depend on the order of the words they add. Returns 0, or -1 without touching the
 * frame when `res` or `mode` does not fit the frame.
 */
RF_INLINE int rf_reflect(__u8 *data, const __u8 *end, const struct rf_result *res, __u32 mode) {
  if (mode >= RF_MODE_COUNT) return -1;
  if (!RF_FITS(data, 0, 2 * RF_ETH_ALEN, end)) return -1;
  const __u32 l3_off = res->l3_offset;
  const __u32 l4_off = res->l4_offset;
  if (l3_off > RF_MAX_L3_OFFSET || l4_off > RF_MAX_L4_OFFSET) return -1;
  const int v6 = res->ip_version == 6;
  if (!v6 && res->ip_version != 4) return -1;
  /* Each pointer is formed once its bytes are known to be in the frame, and then reused: the
   * verifier's bounds belong to the very register that was compared. */
  __u8 *ip = data;
  __u8 *udp = data;
  if (mode != RF_MODE_MAC) {
    if (v6 && !RF_FITS(data, l3_off, RF_IPV6_HLEN, end)) return -1;
    if (!v6 && !RF_FITS(data, l3_off, RF_IPV4_MIN_HLEN, end)) return -1;
    ip = data + l3_off;
  }
  if (mode == RF_MODE_ALL) {
    if (!RF_FITS(data, l4_off, RF_UDP_HLEN, end)) return -1;
    udp = data + l4_off;
  }

  rf_swap_bytes(data, data + RF_ETH_ALEN, RF_ETH_ALEN);
  if (mode == RF_MODE_MAC) return 0;
  if (v6) {
    rf_swap_bytes(ip + 8, ip + 24, 16);
  } else {
    rf_swap_bytes(ip + 12, ip + 16, 4);
  }
  if (mode == RF_MODE_MAC_IP) return 0;
  rf_swap_bytes(udp, udp + 2, 2);
  return 0;
}

#endif /* REFLECTOR_PACKET_CLASSIFY_H_ */
