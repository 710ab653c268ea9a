/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * STAMP's reflector dwell in the XDP program (issue 15), BPF only: T3 - T2 of every answer sent,
 * the receive-to-send time the answer itself carries, counted per CPU in the buckets of
 * reflector/packet/dwell.h. The loader sums the CPUs' copies (XdpProgram::ReadStampDwell).
 */
#ifndef REFLECTOR_XDP_STAMP_DWELL_H_
#define REFLECTOR_XDP_STAMP_DWELL_H_

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "reflector/packet/dwell.h"
#include "reflector/packet/stamp.h"

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct rf_dwell_histogram);
} rf_stamp_dwell SEC(".maps");

/* A STAMP timestamp (stamp.h) as 64 bits in host order. */
RF_INLINE __u64 rf_stamp_dwell_load(const __u8 *p) { return __builtin_bswap64(rf_load_u64(p)); }

/*
 * Counts the dwell an answer just built in this frame carries, its STAMP packet at
 * `payload_off`: T3 - T2 as its timestamps say, PTP ones (seconds, nanoseconds) exactly, NTP
 * fractions to the nanosecond below. Read back from the answer after rf_xdp_stamp, because
 * keeping T2 and T3 in rf_xdp_stamp until T3 is written made its frame spill past the
 * verifier's 512 bytes of stack for the call chain. Inline: a BPF-to-BPF call costs more on
 * some hosts (10-20 ns behind a return thunk) than this whole count, and its frame is 4 bytes.
 */
RF_INLINE int rf_xdp_stamp_dwell_count(struct xdp_md *ctx, __u32 payload_off) {
  const __u8 *data = (const __u8 *)(long)ctx->data;
  const __u8 *end = (const __u8 *)(long)ctx->data_end;
  payload_off &= 0xff; /* a bound the verifier can follow; real offsets are below */
  /* Up to T2's end: a TWAMP-Light answer may be only 41 bytes (stamp.h). */
  if (!RF_FITS(data, payload_off, 24, end)) return 0;
  const __u8 *p = data + payload_off;
  const __u64 t3 = rf_stamp_dwell_load(p + 4);
  const __u64 t2 = rf_stamp_dwell_load(p + 16);
  __u64 dwell = 0; /* a clock stepped back between the two reads counts as none */
  if (t3 > t2) {
    const __u64 seconds = (t3 >> 32) - (t2 >> 32);
    if (rf_load_be16(p + 12) & RF_STAMP_Z) {
      dwell = seconds * RF_NS_PER_S + (t3 & 0xffffffff) - (t2 & 0xffffffff);
    } else {
      dwell = ((t3 - t2) >> 32) * RF_NS_PER_S + ((((t3 - t2) & 0xffffffff) * RF_NS_PER_S) >> 32);
    }
  }
  __u32 zero = 0;
  struct rf_dwell_histogram *histogram = bpf_map_lookup_elem(&rf_stamp_dwell, &zero);
  if (!histogram) return 0; /* cannot happen for a one-entry array; the verifier asks */
  histogram->buckets[rf_dwell_bucket(dwell) & (RF_DWELL_SLOTS - 1)]++;
  histogram->sum_ns += dwell;
  return 0;
}

#endif /* REFLECTOR_XDP_STAMP_DWELL_H_ */
