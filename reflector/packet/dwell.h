/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The dwell histograms' buckets (issue 15): how long a frame stayed in the reflector, in
 * nanoseconds, counted per bucket. One bucket layout for every dwell the daemon exports (the
 * workers' batch dwell, STAMP's T3 - T2 in the XDP program and in the workers), compiled by
 * clang -target bpf and by g++ like classify.h. RF_DWELL_BOUNDS_NS are the buckets' upper
 * bounds, inclusive; one more bucket takes the rest (+Inf).
 */
#ifndef REFLECTOR_PACKET_DWELL_H_
#define REFLECTOR_PACKET_DWELL_H_

#include "reflector/packet/wire.h"

#define RF_DWELL_BOUNDS_NS                                                              \
  1000, 2000, 5000, 10000, 20000, 50000, 100000, 200000, 500000, 1000000, 2000000, \
      5000000, 10000000, 100000000
#define RF_DWELL_BOUNDS 14
#define RF_DWELL_BUCKETS (RF_DWELL_BOUNDS + 1)
#define RF_DWELL_SLOTS 16 /* RF_DWELL_BUCKETS rounded up to a power of two: a mask bounds it */

/* The bucket of a dwell: compares in a row, no loop and no division, and the usual case (at
 * most 1 us) costs one. */
RF_INLINE __u32 rf_dwell_bucket(__u64 ns) {
  if (ns <= 1000) return 0;
  if (ns <= 2000) return 1;
  if (ns <= 5000) return 2;
  if (ns <= 10000) return 3;
  if (ns <= 20000) return 4;
  if (ns <= 50000) return 5;
  if (ns <= 100000) return 6;
  if (ns <= 200000) return 7;
  if (ns <= 500000) return 8;
  if (ns <= 1000000) return 9;
  if (ns <= 2000000) return 10;
  if (ns <= 5000000) return 11;
  if (ns <= 10000000) return 12;
  if (ns <= 100000000) return 13;
  return 14;
}

/* A histogram as a kernel program keeps it per CPU: frames per bucket (not cumulative) and the
 * sum of their dwells. The slot past the last bucket stays 0. */
struct rf_dwell_histogram {
  __u64 buckets[RF_DWELL_SLOTS];
  __u64 sum_ns;
};

#ifdef __cplusplus
static_assert(sizeof(struct rf_dwell_histogram) == 136, "rf_dwell_histogram layout");
#else
_Static_assert(sizeof(struct rf_dwell_histogram) == 136, "rf_dwell_histogram layout");
#endif

#endif /* REFLECTOR_PACKET_DWELL_H_ */
