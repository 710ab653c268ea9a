/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Whether a frame goes to the capture (issue 21): its verdict and rule against the selection,
 * then 1-in-N sampling and the per-second bound. Plain C like classify.h, so the kernel
 * programs and the userspace workers decide alike; the caller has already tested
 * config->enabled (the one per-frame check on the hot path).
 */
#ifndef REFLECTOR_PACKET_CAPTURE_SELECT_H_
#define REFLECTOR_PACKET_CAPTURE_SELECT_H_

#include "reflector/packet/wire.h"

#define RF_NS_PER_SECOND 1000000000ull

/* 1 when the selection takes the frame and the 1-in-N sampling picks it (the first selected
 * frame, then every sample-th), 0 when not. Needs no clock: a kernel program tests it before
 * it reads one. */
RF_INLINE int rf_capture_sampled(const struct rf_capture_config *config,
                                 struct rf_capture_state *state, __u32 verdict, __u32 rule) {
  if (!((config->verdicts >> (verdict & 31)) & 1)) return 0;
  if (verdict == RF_REFLECT && !((config->rules >> (rule & 31)) & 1)) return 0;
  /* A countdown, not a modulo. */
  if (state->countdown > 0) {
    state->countdown--;
    return 0;
  }
  state->countdown = config->sample > 1 ? config->sample - 1 : 0;
  return 1;
}

/* 1 when a sampled frame fits this second's bound (and is counted in it), 0 when the bound is
 * used up (counted as limited). */
RF_INLINE int rf_capture_within_rate(const struct rf_capture_config *config,
                                     struct rf_capture_state *state, __u64 now_ns) {
  if (config->per_second == 0) return 1;
  if (now_ns - state->window_start_ns >= RF_NS_PER_SECOND) {
    state->window_start_ns = now_ns;
    state->window_taken = 0;
  }
  if (state->window_taken >= config->per_second) {
    state->limited++;
    return 0;
  }
  state->window_taken++;
  return 1;
}

/* 1 when the frame is to be copied out (and counted in state->taken by the caller once it
 * has room), 0 when not. */
RF_INLINE int rf_capture_take(const struct rf_capture_config *config,
                              struct rf_capture_state *state, __u32 verdict, __u32 rule,
                              __u64 now_ns) {
  return rf_capture_sampled(config, state, verdict, rule) &&
         rf_capture_within_rate(config, state, now_ns);
}

#endif /* REFLECTOR_PACKET_CAPTURE_SELECT_H_ */
