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

/* `udp` points at a UDP header of the template's bytes (8 bytes readable); moves its source
 * port up by `k` and fixes the checksum. A checksum of 0 (none, IPv4) stays 0. */
static inline void ito_tester_shift_source_port(__u8 *udp, __u16 k) {
  const __u16 base = (__u16)((udp[0] << 8) | udp[1]);
  const __u16 port = (__u16)(base + k);
  udp[0] = (__u8)(port >> 8);
  udp[1] = (__u8)port;
  const __u16 checksum = (__u16)((udp[6] << 8) | udp[7]);
  if (checksum == 0) return;
  /* HC' = ~(~HC + ~m + m') in ones' complement arithmetic. */
  __u32 sum = (__u32)(__u16)~checksum + (__u32)(__u16)~base + port;
  sum = (sum & 0xffff) + (sum >> 16);
  sum = (sum & 0xffff) + (sum >> 16);
  __u16 updated = (__u16)~sum;
  if (updated == 0) updated = 0xffff; /* 0 would mean "no checksum" */
  udp[6] = (__u8)(updated >> 8);
  udp[7] = (__u8)updated;
}

#endif /* REFLECTOR_TOOLS_TESTER_LIVE_FLOW_H_ */
