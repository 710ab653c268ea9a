/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The STAMP Session-Reflector (RFC 8762 §4.3, unauthenticated, stateless) and TWAMP-Light's
 * (RFC 5357 §4.2.1, the same layout), built in place in a frame the classifier took by a rule
 * with RF_ACTION_STAMP. Shared by the XDP program and the userspace workers like classify.h;
 * the clock is the caller's (CLOCK_TAI nanoseconds), so a test can pass fixed times.
 *
 * Two steps, so the transmit timestamp T3 is taken as late as possible: rf_stamp_build swaps
 * the headers and writes every field but T3, rf_stamp_finish writes T3 and the UDP checksum.
 *
 *   payload  sender's packet        reflector's packet
 *    0..3    sequence number        sequence number (stateless: the sender's)
 *    4..11   timestamp              timestamp T3
 *   12..13   error estimate         error estimate (ours)
 *   14..15   SSID (TWAMP: MBZ)      SSID echoed (TWAMP: zero)
 *   16..23   MBZ                    receive timestamp T2
 *   24..27   MBZ                    sender's sequence number
 *   28..35   MBZ                    sender's timestamp
 *   36..37   MBZ                    sender's error estimate
 *   38..39   MBZ                    zero
 *   40       MBZ                    sender's TTL / hop limit, as received
 *   41..43   MBZ                    zero
 *   44..     TLVs / padding         unchanged
 *
 * Shorter senders (RFC 5357 §4.1.2: a TWAMP-Light packet may be just its first 14 bytes) get a
 * longer answer, so the frame grows: to 44 bytes on a stamp port (RFC 8762 §4.6: the STAMP
 * base packet), to 41 on a twamp-light port (RFC 5357 §4.2.1: the reflector's fields end with
 * the Sender TTL); a sender's packet at least that long keeps its length. The caller grows the
 * frame to rf_stamp_lengths' build_len first (bpf_xdp_adjust_tail, or a buffer with room),
 * the build zeroes every byte past the sender's packet before it sums or writes, and after
 * rf_stamp_finish the caller cuts the frame to send_len.
 */
#ifndef REFLECTOR_PACKET_STAMP_H_
#define REFLECTOR_PACKET_STAMP_H_

#include "reflector/packet/classify.h"
#include "reflector/packet/wire.h"

#define RF_STAMP_LEN 44 /* the unauthenticated test packet, both directions (RFC 8762 §4.2.1) */
/* A sender's shortest packet: sequence number, timestamp, error estimate (RFC 5357 §4.1.2). */
#define RF_STAMP_MIN_LEN 14
/* TWAMP's shortest reflector packet, its fields up to the Sender TTL (RFC 5357 §4.2.1). */
#define RF_TWAMP_LEN 41
#define RF_STAMP_WORDS (RF_STAMP_LEN / 2)
#define RF_STAMP_PORT 862 /* RFC 8762 §4.1 (and RFC 8545 for TWAMP) */
#define RF_STAMP_TTL 255  /* what the reflector sends with */
#define RF_STAMP_Z 0x4000 /* Error Estimate: the timestamps are PTPv2, not NTP */
#define RF_STAMP_S 0x8000 /* Error Estimate: the clock is synchronised to UTC */
#define RF_NS_PER_S 1000000000ull

/* What rf_stamp_finish needs from rf_stamp_build. */
struct rf_stamp_pending {
  __u32 payload_off; /* UDP payload: the STAMP packet */
  __u32 udp_off;
  __u32 old_sum;     /* one's-complement sum of the packet's first 44 bytes as received */
  __u32 ptp;         /* the sender asked for PTP timestamps (its Z flag) */
  __u32 ipv6;        /* a zero UDP checksum means "none" only over IPv4 */
};

/* floor(y / 5^9) for y < 2^55, by multiplies only. 10^9 is 2^9 * 5^9, so this divides by 10^9
 * after a shift. BPF has no multiply-high, so clang compiles a division by a constant to a real
 * 64-bit division, and a timestamp took two of them. No out-parameter for the remainder: a
 * pointer would put it on the stack of the XDP function this is inlined in (rf_xdp_stamp),
 * whose call chain the verifier holds to 512 bytes. */
RF_INLINE __u64 rf_stamp_div_5pow9(__u64 y) {
  const __u64 d = 1953125; /* 5^9 */
  /* From y's top 30 bits and floor(2^54 / d): at most 20 below the quotient, never above
   * (the product stays below 2^64). */
  __u64 q = ((y >> 25) * 9223372036ull) >> 29;
  __u64 r = y - q * d; /* < 21 d, below 2^26 */
  /* The rest with floor(2^50 / d): at most one below. */
  const __u64 q1 = (r * 576460752ull) >> 50;
  q += q1;
  r -= q1 * d;
  return r >= d ? q + 1 : q;
}

/* A timestamp as 64 bits in host order, high word the seconds: NTP (seconds since 1900 UTC,
 * 2^-32 s fractions) or PTPv2 truncated (seconds since 1970 TAI, nanoseconds). Exactly the
 * divisions tai_ns / 10^9 and (nanoseconds << 32) / 10^9, without a division. */
RF_INLINE __u64 rf_stamp_time(__u64 tai_ns, const struct rf_stamp_clock *clock, __u32 ptp) {
  const __u64 seconds = rf_stamp_div_5pow9(tai_ns >> 9);
  const __u64 nanoseconds = tai_ns - seconds * RF_NS_PER_S;
  if (ptp) return ((seconds + (__u64)(__s64)clock->ptp_shift) << 32) | nanoseconds;
  /* nanoseconds * 2^32 / 10^9 = nanoseconds * 2^23 / 5^9, and nanoseconds << 23 < 2^53. */
  return ((seconds + (__u64)clock->ntp_shift) << 32) | rf_stamp_div_5pow9(nanoseconds << 23);
}

RF_INLINE void rf_stamp_store_be64(__u8 *p, __u64 v) {
  rf_store_be16(p, (__u16)(v >> 48));
  rf_store_be16(p + 2, (__u16)(v >> 32));
  rf_store_be16(p + 4, (__u16)(v >> 16));
  rf_store_be16(p + 6, (__u16)v);
}

/* The one's-complement sum of the 22 words of the STAMP packet at `p`, folded to 16 bits. */
RF_INLINE __u32 rf_stamp_sum(const __u8 *p) {
  __u32 sum = 0;
  RF_UNROLL for (int i = 0; i < RF_STAMP_WORDS; i++) sum += rf_load_u16(p + 2 * i);
  sum = (sum & 0xffff) + (sum >> 16);
  return (sum & 0xffff) + (sum >> 16);
}

/* RFC 1624 eqn. 3: the checksum `check` after data summing to `old_sum` became `new_sum`. */
RF_INLINE __u16 rf_stamp_checksum_update(__u16 check, __u32 old_sum, __u32 new_sum) {
  __u32 sum = (__u32)(__u16)~check + (__u16)~old_sum + new_sum;
  sum = (sum & 0xffff) + (sum >> 16);
  sum = (sum & 0xffff) + (sum >> 16);
  return (__u16)~sum;
}

/* The UDP payload length of the answer to a sender's packet of `len` bytes (at least
 * RF_STAMP_MIN_LEN) under a rule with `actions`: the sender's, or the shortest reflector packet
 * of the rule's protocol when the sender's is shorter (see the top of this file). */
RF_INLINE __u32 rf_stamp_answer_len(__u32 len, __u32 actions) {
  const __u32 least = (actions & RF_ACTION_TWAMP) ? RF_TWAMP_LEN : RF_STAMP_LEN;
  return len < least ? least : len;
}

/*
 * The frame lengths that answering the STAMP frame of `frame_len` bytes described by `res`
 * takes: `*build_len`, what rf_stamp_build and rf_stamp_finish need the frame to hold (the 44
 * bytes of the layout above after the UDP header), and `*send_len`, the answer's: the frame's
 * when it is longer than that layout (Ethernet padding past it stays), else the answer ends
 * with its UDP payload. Both are `frame_len` for a sender's packet of 44 bytes or more. The
 * same for a frame already grown to build_len, so the XDP program can ask again after growing.
 * Returns 0, or -1 when `res` does not describe a STAMP packet inside `frame_len` bytes.
 */
RF_INLINE int rf_stamp_lengths(const struct rf_result *res, __u32 frame_len, __u32 *build_len,
                               __u32 *send_len) {
  if (res->udp_length < RF_UDP_HLEN + RF_STAMP_MIN_LEN) return -1;
  const __u32 payload_off = res->payload_offset;
  const __u32 len = res->udp_length - RF_UDP_HLEN;
  if (payload_off + len > frame_len) return -1;
  const __u32 build = payload_off + RF_STAMP_LEN;
  *build_len = build > frame_len ? build : frame_len;
  *send_len = frame_len > build ? frame_len : payload_off + rf_stamp_answer_len(len, res->actions);
  return 0;
}

/* The headers of a UDP payload grown from `len` to `answer_len` bytes: the IPv4 total length
 * (and header checksum) or the IPv6 payload length, the UDP length, and the UDP checksum for
 * that length, which it covers twice (header and pseudo-header). A zero IPv4 UDP checksum
 * (none) stays zero; over IPv6 zero is updated like any value (rf_stamp_finish). */
RF_INLINE void rf_stamp_grow_headers(__u8 *ip, __u8 *udp, int v6, __u32 ip_hlen, __u32 len,
                                     __u32 answer_len) {
  const __u16 old_udp_len = (__u16)(RF_UDP_HLEN + len);
  const __u16 new_udp_len = (__u16)(RF_UDP_HLEN + answer_len);
  if (v6) {
    rf_store_be16(ip + 4, new_udp_len);
  } else {
    const __u16 old_total = rf_load_be16(ip + 2);
    const __u16 new_total = (__u16)(ip_hlen + new_udp_len);
    rf_store_be16(ip + 10, rf_stamp_checksum_update(rf_load_be16(ip + 10), old_total, new_total));
    rf_store_be16(ip + 2, new_total);
  }
  rf_store_be16(udp + 4, new_udp_len);
  const __u16 check = rf_load_be16(udp + 6);
  if (check == 0 && !v6) return;
  /* Both below 2 * (8 + 44): no fold needed. */
  __u16 updated = rf_stamp_checksum_update(check, 2u * old_udp_len, 2u * new_udp_len);
  if (updated == 0) updated = 0xffff; /* 0 would mean "no checksum" to rf_stamp_finish */
  rf_store_be16(udp + 6, updated);
}

/* The IP and UDP header offsets `res` gives, masked behind RF_OPAQUE: the verifier keeps packet
 * bounds only for a pointer whose offset it knows to be small, and clang would otherwise drop
 * the mask after the range check and test a copy of the value it then adds. Returns 0, or -1
 * past the classifier's limits. */
RF_INLINE int rf_stamp_offsets(const struct rf_result *res, __u32 *l3_off, __u32 *l4_off) {
  __u32 l3 = res->l3_offset;
  __u32 l4 = res->l4_offset;
  RF_OPAQUE(l3);
  RF_OPAQUE(l4);
  l3 &= 0x1f;
  l4 &= 0x7f;
  *l3_off = l3;
  *l4_off = l4;
  return l3 > RF_MAX_L3_OFFSET || l4 > RF_MAX_L4_OFFSET ? -1 : 0;
}

/*
 * Step one, for a frame that rf_classify_* found RF_REFLECT by a rule with RF_ACTION_STAMP:
 * checks that the STAMP packet is in the frame, swaps MACs, addresses and ports (mode all),
 * sets TTL / hop limit 255 (with the IPv4 header checksum), and writes every field of the
 * reflector's packet but T3, with T2 from `t2_tai_ns`; for a sender's packet shorter than the
 * answer, also the lengths (rf_stamp_grow_headers). The frame must hold rf_stamp_lengths'
 * build_len bytes. Returns 0, or -1 without touching the frame when `res` does not describe a
 * STAMP packet in it.
 */
RF_INLINE int rf_stamp_build(__u8 *data, const __u8 *end, const struct rf_result *res,
                             const struct rf_stamp_clock *clock, __u64 t2_tai_ns,
                             struct rf_stamp_pending *pending) {
  __u32 l3_off = 0;
  __u32 l4_off = 0;
  if (rf_stamp_offsets(res, &l3_off, &l4_off) != 0) return -1;
  if (res->mode != RF_MODE_ALL || res->udp_length < RF_UDP_HLEN + RF_STAMP_MIN_LEN) return -1;
  const __u32 payload_off = l4_off + RF_UDP_HLEN;
  const __u32 len = res->udp_length - RF_UDP_HLEN; /* the sender's packet */
  const __u32 answer_len = rf_stamp_answer_len(len, res->actions);
  const int v6 = res->ip_version == 6;
  if (!v6 && res->ip_version != 4) return -1;
  /* Each pointer formed right after its own check (classify.h, RF_FITS). One check of 40
   * bytes for either IP version: an IPv4 STAMP packet has its UDP header and 44 bytes (or room
   * for them, build_len) after the 20 of the header, and one pointer keeps the verifier's
   * bounds (two, one per version, clang merges into one that the verifier knows only the IPv4
   * bounds of). */
  if (!RF_FITS(data, 0, 2 * RF_ETH_ALEN, end)) return -1;
  if (!RF_FITS(data, l3_off, RF_IPV6_HLEN, end)) return -1;
  __u8 *ip = data + l3_off;
  if (!RF_FITS(data, l4_off, RF_UDP_HLEN + RF_STAMP_LEN, end)) return -1;
  __u8 *udp = data + l4_off;
  /* Mode all; a STAMP rule has no ToS handshake. */
  rf_swap(data, ip, udp, RF_MODE_ALL, v6, 0);

  __u8 ttl;
  if (v6) {
    ttl = ip[7];
    ip[7] = RF_STAMP_TTL;
  } else {
    ttl = ip[8];
    const __u16 old_word = rf_load_be16(ip + 8);
    const __u16 new_word = (__u16)((RF_STAMP_TTL << 8) | (old_word & 0xff));
    rf_store_be16(ip + 10, rf_stamp_checksum_update(rf_load_be16(ip + 10), old_word, new_word));
    rf_store_be16(ip + 8, new_word);
  }

  if (answer_len != len) rf_stamp_grow_headers(ip, udp, v6, l4_off - l3_off, len, answer_len);

  __u8 *p = udp + RF_UDP_HLEN;
  if (len < RF_STAMP_LEN) {
    /* Past the sender's packet lie Ethernet padding, grown room or a buffer's stale bytes:
     * zeroed, so the sum below is the sender's packet's (odd lengths padded with zero, as the
     * checksum pads them) and the answer carries none of them. */
    RF_UNROLL for (int i = RF_STAMP_MIN_LEN; i < RF_STAMP_LEN; i++) {
      if ((__u32)i >= len) p[i] = 0;
    }
  }
  __u32 old_sum = rf_stamp_sum(p);
#if defined(__bpf__)
  /* Summed here, before the fields change: left alone, clang sinks the adds to the sum's use
   * and keeps every loaded word alive until then, a stack frame the verifier refuses. */
  __asm__ volatile("" : "+r"(old_sum) : : "memory");
#endif
  const __u32 ptp = (rf_load_be16(p + 12) & RF_STAMP_Z) != 0;
  /* The sender's fields move down first: their old places are then overwritten. */
  rf_store_u16(p + 36, rf_load_u16(p + 12));
  rf_store_u64(p + 28, rf_load_u64(p + 4));
  rf_store_u32(p + 24, rf_load_u32(p));
  rf_store_u16(p + 38, 0);
  rf_store_u32(p + 40, 0);
  p[40] = ttl;
  rf_store_be16(p + 12, (__u16)(clock->error_estimate | (ptp ? RF_STAMP_Z : 0)));
  if (res->actions & RF_ACTION_TWAMP) rf_store_u16(p + 14, 0);
  pending->payload_off = payload_off;
  pending->udp_off = l4_off;
  pending->old_sum = old_sum;
  pending->ptp = ptp;
  pending->ipv6 = v6;
  /* T2 last, with the fewest values live: earlier, its conversion's multiplies spilled 16 more
   * bytes onto rf_xdp_stamp's stack, whose call chain the verifier holds to 512 bytes. */
  rf_stamp_store_be64(p + 16, rf_stamp_time(t2_tai_ns, clock, ptp));
  return 0;
}

/* Step two: T3 from `t3_tai_ns`, then the UDP checksum for everything that changed (the swaps
 * leave it as it was). A zero IPv4 UDP checksum (none) stays zero; over IPv6, where a checksum
 * is mandatory, zero is the other one's-complement zero and is updated like any value, so a
 * sender's checksum that verifies still verifies in the answer. Returns 0, or -1 when
 * `pending` does not fit the frame (it came from rf_stamp_build of this frame: never). */
RF_INLINE int rf_stamp_finish(__u8 *data, const __u8 *end, const struct rf_stamp_pending *pending,
                              const struct rf_stamp_clock *clock, __u64 t3_tai_ns) {
  const __u32 payload_off = pending->payload_off & 0x7f; /* <= RF_MAX_L4_OFFSET + 8 */
  const __u32 udp_off = pending->udp_off & 0x7f;
  if (!RF_FITS(data, payload_off, RF_STAMP_LEN, end)) return -1;
  __u8 *p = data + payload_off;
  rf_stamp_store_be64(p + 4, rf_stamp_time(t3_tai_ns, clock, pending->ptp));
  if (!RF_FITS(data, udp_off, RF_UDP_HLEN, end)) return -1;
  __u8 *udp = data + udp_off;
  const __u16 check = rf_load_u16(udp + 6);
  if (check == 0 && !pending->ipv6) return 0;
  __u16 updated = rf_stamp_checksum_update(check, pending->old_sum, rf_stamp_sum(p));
  if (updated == 0) updated = 0xffff; /* 0 means "no checksum" on the wire */
  rf_store_u16(udp + 6, updated);
  return 0;
}

#endif /* REFLECTOR_PACKET_STAMP_H_ */
