/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The line-rate engine's flows within one CPU's stream: frame n leaves from the template's
 * UDP source port + n % flows, so one sending CPU spreads over the workers of a reflector that
 * hashes flows (afpacket's PACKET_FANOUT_HASH, RSS). The UDP checksum is updated for the new
 * port (RFC 1624), so every frame stays a valid test frame. Plain C, run by the program
 * (live_tx.bpf.c) and by the unit test (live_flow_test.cc) alike.
 */
#ifndef REFLECTOR_TOOLS_TESTER_LIVE_FLOW_H_
#define REFLECTOR_TOOLS_TESTER_LIVE_FLOW_H_

#include <linux/types.h>

#define ITO_TESTER_TX_MAX_FLOWS 64 /* per CPU */

/* Ones' complement update of a UDP checksum for one 16-bit word changed from `old` to `now`
 * (RFC 1624: HC' = ~(~HC + ~m + m')). A checksum of 0 (none, IPv4) stays 0. */
static inline __u16 ito_tester_checksum_update(__u16 checksum, __u16 old, __u16 now) {
  if (checksum == 0) return 0;
  __u32 sum = (__u32)(__u16)~checksum + (__u32)(__u16)~old + now;
  sum = (sum & 0xffff) + (sum >> 16);
  sum = (sum & 0xffff) + (sum >> 16);
  const __u16 updated = (__u16)~sum;
  return updated == 0 ? 0xffff : updated; /* 0 would mean "no checksum" */
}

/* `udp` points at a UDP header of the template's bytes (8 bytes readable); moves its source
 * port up by `k` and fixes the checksum. A checksum of 0 (none, IPv4) stays 0. */
static inline void ito_tester_shift_source_port(__u8 *udp, __u16 k) {
  const __u16 base = (__u16)((udp[0] << 8) | udp[1]);
  const __u16 port = (__u16)(base + k);
  udp[0] = (__u8)(port >> 8);
  udp[1] = (__u8)port;
  const __u16 checksum = (__u16)((udp[6] << 8) | udp[7]);
  if (checksum == 0) return;
  const __u16 updated = ito_tester_checksum_update(checksum, base, port);
  udp[6] = (__u8)(updated >> 8);
  udp[7] = (__u8)updated;
}

/* Writes `sequence` (little-endian, trailer.h) into the 4 bytes at `field` and fixes the UDP
 * checksum at `udp` + 6, which must be the template's: computed with the field zero (the frame
 * as built, sequence 0), whatever the field holds now (a page reused from an earlier frame).
 * The field lies on 16-bit words of the checksum (the trailer's offset from the UDP header is
 * even), so each half is one word of the sum. */
static inline void ito_tester_stamp_sequence(__u8 *udp, __u8 *field, __u32 sequence) {
  __u16 checksum = (__u16)((udp[6] << 8) | udp[7]);
  for (int i = 0; i < 2; i++) {
    const __u8 low = (__u8)(sequence >> (16 * i));
    const __u8 high = (__u8)(sequence >> (16 * i + 8));
    field[2 * i] = low;
    field[2 * i + 1] = high;
    /* The checksum sums big-endian words: bytes 2i and 2i+1 of the field form one. */
    checksum = ito_tester_checksum_update(checksum, 0, (__u16)((low << 8) | high));
  }
  udp[6] = (__u8)(checksum >> 8);
  udp[7] = (__u8)checksum;
}

#endif /* REFLECTOR_TOOLS_TESTER_LIVE_FLOW_H_ */
