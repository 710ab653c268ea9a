/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The capture ring of a kernel program (issue 21), BPF only: the capture settings (written by
 * the loader through the `.data.capture` mapping), the bounded ring, the per-CPU sampling state
 * and the per-CPU scratch record. A program tests rf_capture_pick inline; for a frame it picks,
 * its capture function calls rf_capture_reserve_picked, copies the frame's first bytes into
 * scratch->data with its own load helper, then rf_capture_send. A full ring is counted, never
 * waited for.
 */
#ifndef REFLECTOR_XDP_CAPTURE_RING_H_
#define REFLECTOR_XDP_CAPTURE_RING_H_

#include "reflector/packet/capture_select.h"
#include "reflector/packet/classify.h"
#include "reflector/packet/wire.h"

/* Apart from the classifier's config: a capture change needs no slot flip, and a frame that
 * sees half of one only changes which frames are copied. */
struct rf_capture_config rf_capture SEC(".data.capture");

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 4 << 20);
} rf_capture_ring SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct rf_capture_state);
} rf_capture_states SEC(".maps");

/* Where a record is assembled before it is copied into the ring (the ring's reserve takes
 * only a constant size, its output a variable one). */
struct rf_capture_scratch {
  struct rf_capture_record record;
  __u8 data[RF_CAPTURE_SNAP_MAX];
};
struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct rf_capture_scratch);
} rf_capture_scratches SEC(".maps");

/* 1 while this CPU's second of the rate bound is used up: rf_xdp_capture then skips the frame
 * before classifying it a second time, so a capture at its bound costs a coarse clock read and
 * a compare per frame, not a classification. Such frames are not counted as limited: most of
 * them the sampling would not have taken. The coarse clock runs up to a tick behind the one
 * that started the window, so the skip may end a tick late or miss a window's first tick: that
 * changes the cost, never what is captured (rf_capture_within_rate decides that). */
RF_INLINE int rf_capture_saturated(void) {
  if (rf_capture.per_second == 0) return 0;
  __u32 zero = 0;
  struct rf_capture_state *state = bpf_map_lookup_elem(&rf_capture_states, &zero);
  if (!state || state->window_taken < rf_capture.per_second) return 0;
  return bpf_ktime_get_coarse_ns() - state->window_start_ns < RF_NS_PER_SECOND;
}

/* Fills this CPU's scratch record for a frame of `length` bytes; returns it and how many bytes
 * to copy (`captured`), or 0. */
RF_INLINE struct rf_capture_scratch *rf_capture_prepare(__u32 verdict, __u32 rule, __u32 length,
                                                        __u32 direction, __u64 now,
                                                        __u32 *captured) {
  __u32 zero = 0;
  struct rf_capture_scratch *scratch = bpf_map_lookup_elem(&rf_capture_scratches, &zero);
  if (!scratch) return 0;
  __u32 n = length < rf_capture.snap ? length : rf_capture.snap;
  /* 1..RF_CAPTURE_SNAP_MAX by arithmetic, which the verifier follows where compares get
   * merged by the compiler (frames have 14 bytes or more; the loader keeps snap in range). */
  n = ((n - 1) & (RF_CAPTURE_SNAP_MAX - 1)) + 1;
  RF_OPAQUE(n);
  if (n < 1 || n > RF_CAPTURE_SNAP_MAX) return 0;
  *captured = n;
  scratch->record.time_ns = now;
  scratch->record.length = length;
  scratch->record.captured = (__u16)n;
  scratch->record.verdict = (__u8)verdict;
  scratch->record.rule = (__u8)rule;
  scratch->record.direction = (__u8)direction;
  return scratch;
}

/* Whether the sampling picks a frame (rf_capture_sampled on this CPU's state): inline, before
 * any call, so that at 1 in N the other N-1 frames cost only this. Clears a sent copy still
 * due from an earlier frame. */
RF_INLINE int rf_capture_pick(__u32 verdict, __u32 rule) {
  __u32 zero = 0;
  struct rf_capture_state *state = bpf_map_lookup_elem(&rf_capture_states, &zero);
  if (!state) return 0;
  state->sent_due = 0;
  return rf_capture_sampled(&rf_capture, state, verdict, rule);
}

/* Takes a frame the sampling picked when the rate bound lets it: the scratch record to copy it
 * into and send, or 0. A reflected frame taken while the capture wants frames as sent too
 * leaves its sent copy due. */
RF_INLINE struct rf_capture_scratch *rf_capture_reserve_picked(__u32 verdict, __u32 rule,
                                                               __u32 length, __u32 *captured) {
  __u32 zero = 0;
  struct rf_capture_state *state = bpf_map_lookup_elem(&rf_capture_states, &zero);
  if (!state) return 0;
  const __u64 now = bpf_ktime_get_ns();
  if (!rf_capture_within_rate(&rf_capture, state, now)) return 0;
  struct rf_capture_scratch *scratch =
      rf_capture_prepare(verdict, rule, length, RF_CAPTURE_RECEIVED, now, captured);
  if (scratch && verdict == RF_REFLECT && rf_capture.sent) state->sent_due = 1;
  return scratch;
}

/* The sent copy of the reflected frame rf_capture_reserve just took, if one is due: no second
 * selection or sampling, so the two copies come in pairs. */
RF_INLINE struct rf_capture_scratch *rf_capture_reserve_sent(__u32 rule, __u32 length,
                                                             __u32 *captured) {
  __u32 zero = 0;
  struct rf_capture_state *state = bpf_map_lookup_elem(&rf_capture_states, &zero);
  if (!state || !state->sent_due) return 0;
  state->sent_due = 0;
  return rf_capture_prepare(RF_REFLECT, rule, length, RF_CAPTURE_SENT, bpf_ktime_get_ns(),
                            captured);
}

/* Hands the filled record to the ring, or counts it as refused. */
RF_INLINE void rf_capture_send(struct rf_capture_scratch *scratch, __u32 captured) {
  __u32 zero = 0;
  struct rf_capture_state *state = bpf_map_lookup_elem(&rf_capture_states, &zero);
  if (!state) return;
  if (captured > RF_CAPTURE_SNAP_MAX) return;
  if (bpf_ringbuf_output(&rf_capture_ring, scratch, sizeof(scratch->record) + captured, 0) != 0) {
    state->ring_full++;
    return;
  }
  state->taken++;
}

#endif /* REFLECTOR_XDP_CAPTURE_RING_H_ */
