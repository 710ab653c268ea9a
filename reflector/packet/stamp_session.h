/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The stateful STAMP / TWAMP-Light Session-Reflector (RFC 8972 §4, RFC 5357 §4.2.1): with
 * RF_ACTION_STAMP_STATEFUL on the rule, the answer's sequence number is not the sender's but
 * the reflector's own count of the packets it received in the session, starting at 0, so
 * that the sender can tell loss on the way out from loss on the way back. A session is the
 * sender's address and port, ours, and the SSID (RFC 8972 §3; zero for TWAMP-Light, whose
 * bytes 14..15 are MBZ). Shared by the XDP program (an LRU hash map) and the userspace
 * workers (packet::StampSessions), like cfm.h's SLM counters.
 */
#ifndef REFLECTOR_PACKET_STAMP_SESSION_H_
#define REFLECTOR_PACKET_STAMP_SESSION_H_

#include "reflector/packet/classify.h"
#include "reflector/packet/stamp.h"
#include "reflector/packet/wire.h"

#define RF_STAMP_SESSIONS 16384 /* sessions counted at once; the oldest is forgotten */

/* A session's key, the same in the kernel map and the userspace table. IPv4 addresses fill the
 * first 4 bytes of each address, the rest zero. */
struct rf_stamp_session_key {
  __u8 sender[16];
  __u8 reflector[16];
  __u16 sender_port; /* as on the wire */
  __u16 reflector_port;
  __u16 ssid; /* as on the wire; 0 for TWAMP-Light */
  __u8 ip_version;
  __u8 reserved;
};

/* The session key of the answer rf_stamp_build and rf_stamp_finish made of the STAMP packet
 * `res` describes: addresses and ports swapped back, so the sender's are the sender's. Returns
 * 0, or -1 if it does not fit (never, for an answer to a packet a STAMP rule took). */
RF_INLINE int rf_stamp_read_session_key(const __u8 *data, const __u8 *end,
                                        const struct rf_result *res,
                                        struct rf_stamp_session_key *key) {
  __u32 l3_off = 0;
  __u32 l4_off = 0;
  if (rf_stamp_offsets(res, &l3_off, &l4_off) != 0) return -1;
  if (!RF_FITS(data, l3_off, RF_IPV6_HLEN, end)) return -1;
  const __u8 *ip = data + l3_off;
  if (res->ip_version == 6) {
    RF_UNROLL for (int i = 0; i < 16; i += 4) {
      rf_store_u32(key->reflector + i, rf_load_u32(ip + 8 + i));
      rf_store_u32(key->sender + i, rf_load_u32(ip + 24 + i));
    }
  } else {
    rf_store_u32(key->reflector, rf_load_u32(ip + 12));
    rf_store_u32(key->sender, rf_load_u32(ip + 16));
  }
  if (!RF_FITS(data, l4_off, RF_UDP_HLEN + 16, end)) return -1;
  const __u8 *udp = data + l4_off;
  key->reflector_port = rf_load_u16(udp);
  key->sender_port = rf_load_u16(udp + 2);
  key->ssid = (res->actions & RF_ACTION_TWAMP) ? 0 : rf_load_u16(udp + RF_UDP_HLEN + 14);
  key->ip_version = res->ip_version;
  return 0;
}

/* Puts the reflector's sequence number `seq` into a finished answer (after rf_stamp_finish)
 * and updates its UDP checksum for the change (RFC 1624) as rf_stamp_finish does: a zero IPv4
 * checksum (none) stays zero. Returns 0, or -1 if it does not fit (never). The count comes
 * after T3: a map lookup later than the stamp, well inside the error estimate. */
RF_INLINE int rf_stamp_set_sequence(__u8 *data, const __u8 *end, const struct rf_result *res,
                                    __u32 seq) {
  __u32 l3_off = 0;
  __u32 l4_off = 0;
  if (rf_stamp_offsets(res, &l3_off, &l4_off) != 0) return -1;
  if (!RF_FITS(data, l4_off, RF_UDP_HLEN + 4, end)) return -1;
  __u8 *udp = data + l4_off;
  __u8 *p = udp + RF_UDP_HLEN;
  const __u32 old_sum = (__u32)rf_load_u16(p) + rf_load_u16(p + 2);
  rf_store_be16(p, (__u16)(seq >> 16));
  rf_store_be16(p + 2, (__u16)seq);
  const __u16 check = rf_load_u16(udp + 6);
  if (check == 0 && res->ip_version != 6) return 0;
  const __u32 new_sum = (__u32)rf_load_u16(p) + rf_load_u16(p + 2);
  __u16 updated = rf_stamp_checksum_update(check, (old_sum & 0xffff) + (old_sum >> 16),
                                           (new_sum & 0xffff) + (new_sum >> 16));
  if (updated == 0) updated = 0xffff; /* 0 means "no checksum" on the wire */
  rf_store_u16(udp + 6, updated);
  return 0;
}

#endif /* REFLECTOR_PACKET_STAMP_SESSION_H_ */
