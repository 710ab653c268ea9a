/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * What ito-tester writes after the signature (or, with no signature, its 7-byte marker) of every
 * test frame, and the configuration of its
 * receive-side XDP counter. Plain C: the XDP program (clang -target bpf) and the tester (g++)
 * read the same definitions.
 *
 * Trailer, at an even offset from the UDP header (so a checksum update works on whole 16-bit
 * words), right after the signature (custom signatures get one pad byte first):
 *   stream id  2 bytes   random per run and per search trial: frames of other runs, other
 *                        testers or stray copies are not counted
 *   sequence   4 bytes   0, 1, 2, ... in send order
 *   tx time    4 bytes   low 32 bits of the send time in ns (CLOCK_REALTIME, the clock of
 *                        packet-socket receive timestamps); RTTs below 4.29 s come out exact
 * The fields are little-endian (only the tester that wrote them reads them back).
 * 32-bit fields keep a 64-byte RFC 2544 frame possible (14 + 20 + 8 + 7 + 1 + 10 = 60 bytes
 * plus the FCS).
 */
#ifndef REFLECTOR_TOOLS_TESTER_TRAILER_H_
#define REFLECTOR_TOOLS_TESTER_TRAILER_H_

#include <linux/types.h>

#define ITO_TESTER_STREAM_ID_LEN 2
#define ITO_TESTER_SEQUENCE_OFFSET 2 /* from the start of the trailer */
#define ITO_TESTER_TX_TIME_OFFSET 6
#define ITO_TESTER_TRAILER_LEN 10

/* Read-only data of the receive counter (set before load, constant for the verifier). */
struct ito_tester_rx_config {
  __u16 signature_offset; /* of the signature or marker, from the start of the frame */
  __u16 min_length;       /* the frame must hold the whole trailer */
  __u8 signature[8];      /* 7 bytes + NUL */
  __u16 stream_id;        /* as written in the frame */
  __u8 drop;              /* 1: XDP_DROP matched frames (count-only runs); 0: XDP_PASS */
  __u8 reserved[5];
};

struct ito_tester_rx_counters {
  __u64 frames;
  __u64 bytes;
};

/*
 * What the line-rate engine's program (live_tx.bpf.c) records per CPU while the kernel sends:
 * the span in which frames really left, read after a run to compute the sending rate without
 * the test runs' set-up and tear-down time (which can be tens of milliseconds on veth).
 */
#define ITO_TESTER_TX_STAMP_EVERY 64 /* frames between two clock reads: one read per batch */
struct ito_tester_tx_stats {
  __u64 frames;        /* frames sent on this CPU */
  __u64 first_ns;      /* CLOCK_MONOTONIC of the first one; 0: none yet */
  __u64 last_ns;       /* of the most recent stamped frame ... */
  __u64 stamped;       /* ... which was the stamped-th frame after the first on this CPU */
};

#ifdef __cplusplus
static_assert(sizeof(struct ito_tester_rx_config) == 20, "crosses the kernel boundary");
#else
_Static_assert(sizeof(struct ito_tester_rx_config) == 20, "crosses the kernel boundary");
#endif

#endif /* REFLECTOR_TOOLS_TESTER_TRAILER_H_ */
