/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The line-rate engine's pacer, run by its XDP program (live_tx.bpf.c) on every frame of a
 * live-frames test run: the frame goes out (XDP_TX) when it is due at the requested rate and
 * is dropped back into the kernel's page pool otherwise. A test run is then a long loop that
 * releases one frame whenever it is due, so frames leave at most one kernel batch (64) at a
 * time, however large the run's `repeat`: the reflector sees a sustained rate, not bursts.
 * Plain C with the pacing decision as an inline function: the program and the unit tests
 * (live_pacing_test.cc) run the same code.
 *
 * Each CPU that sends has its own pacer, and its sender threads run only there, where the
 * kernel runs the program with preemption off: no two runs of it interleave on one pacer, so
 * the pacer's plain updates are exact.
 */
#ifndef REFLECTOR_TOOLS_TESTER_LIVE_PACE_H_
#define REFLECTOR_TOOLS_TESTER_LIVE_PACE_H_

#include <linux/types.h>

/* CPUs the line-rate engine can send from: one pacer and one header template each. */
#define ITO_TESTER_TX_MAX_CPUS 64

struct ito_tester_tx_pacer {
  /* Set by userspace before a run. */
  __u64 interval_ps;  /* between two frames; 0: unpaced, every frame goes */
  __u64 count;        /* frames to release in all; then everything is dropped */
  __u64 deadline_ns;  /* CLOCK_MONOTONIC after which nothing is released; 0: none */
  /* A pacer that fell further behind than this moves its start instead of catching up: the
   * frames it missed are not sent in one burst, and the rate measured shows the shortfall. */
  __u64 max_lag_ps;
  /* Kept by the program. */
  __u64 start_ns;  /* when frame 0 was released */
  __u64 released;  /* frames released so far */
  __u64 slips;     /* times the start moved ... */
  __u64 slipped_ns; /* ... and by how much in total */
};

/* 1: release a frame at `now_ns` (and count it); 0: not due, or done. An unpaced run passes
 * 0 for `now_ns` (it reads the clock only now and then) and checks its deadline itself. */
static inline int ito_tester_tx_pace(struct ito_tester_tx_pacer *p, __u64 now_ns) {
  if (p->released >= p->count) return 0;
  if (p->deadline_ns != 0 && now_ns > p->deadline_ns) return 0; /* never for now_ns 0 */
  if (p->interval_ps != 0) {
    if (p->released == 0) p->start_ns = now_ns;
    /* Picoseconds: an exact interval for any rate up to 1e12 fps; a 1e5 s run still fits. */
    const __u64 elapsed_ps = (now_ns - p->start_ns) * 1000;
    const __u64 due_ps = p->released * p->interval_ps;
    if (due_ps > elapsed_ps) return 0;
    const __u64 behind_ps = elapsed_ps - due_ps;
    if (behind_ps > p->max_lag_ps) {
      const __u64 shift_ns = (behind_ps - p->max_lag_ps) / 1000;
      p->start_ns += shift_ns;
      p->slips++;
      p->slipped_ns += shift_ns;
    }
  }
  p->released++;
  return 1;
}

#endif /* REFLECTOR_TOOLS_TESTER_LIVE_PACE_H_ */
