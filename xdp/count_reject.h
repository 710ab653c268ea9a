/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Counting a rejected frame in the kernel programs (BPF only). The verdict selects its counter
 * through a switch on constants rather than as an index: an index would make the verifier track
 * the verdict's exact value through the classifier's rule loop, and states that differ only in
 * which reason the closest rule gave would then be verified again for every rule (the program
 * would no longer load). Rejects are the slow path; the switch costs a few compares there.
 */
#ifndef REFLECTOR_XDP_COUNT_REJECT_H_
#define REFLECTOR_XDP_COUNT_REJECT_H_

#include "reflector/packet/wire.h"
#include "xdp/abi.h"

RF_INLINE void rf_count_reject(struct rf_xdp_counters *counters, __u32 verdict, __u64 bytes) {
  switch (verdict) {
#define RF_COUNT_CASE(id, cc_id, name)        \
  case RF_##id:                               \
    counters->verdict_frames[RF_##id]++;      \
    break;
    RF_VERDICT_LIST(RF_COUNT_CASE)
#undef RF_COUNT_CASE
    default:
      counters->verdict_frames[RF_XDP_VERDICT_SLOTS - 1]++; /* no such verdict: a bug */
  }
  counters->rejected_bytes += bytes;
}

#endif /* REFLECTOR_XDP_COUNT_REJECT_H_ */
