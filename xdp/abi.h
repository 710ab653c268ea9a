/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Everything that crosses the boundary between the XDP program (xdp/reflector.bpf.c, built by
 * clang -target bpf) and its loader (xdp/loader.cc, built by g++): the configuration block and
 * the per-CPU counter record. Plain C with fixed-width types and explicit padding; the size
 * checks at the end run in both compilers, and the loader includes this header before the
 * bpftool skeleton so the skeleton's own asserts compare the two compilers' layouts too.
 */
#ifndef REFLECTOR_XDP_ABI_H_
#define REFLECTOR_XDP_ABI_H_

#include <linux/types.h>

#include "reflector/packet/wire.h"

/*
 * What the program does with a frame whose verdict is `reflect`. Every other frame is passed
 * to the kernel stack untouched, whatever the action. Zero is `monitor`, so a block that was
 * never written (all zero) reflects nothing.
 */
enum rf_xdp_action {
  RF_XDP_MONITOR = 0,  /* classify and count, pass everything: a safe first run */
  RF_XDP_TX = 1,       /* datapath xdp: reflect in place, XDP_TX */
  RF_XDP_REDIRECT = 2, /* datapath afxdp: redirect to the rx queue's AF_XDP socket, else pass */
  RF_XDP_ACTION_COUNT
};

/* One complete configuration: the classifier's settings and the action. */
struct rf_xdp_config {
  struct rf_config filter; /* interface MAC, safety flags, the rule table */
  __u8 action;             /* enum rf_xdp_action */
  /* To a power of two, so a slot's address is a shift of the slot index. */
  __u8 reserved[8192 - sizeof(struct rf_config) - 1];
};

/*
 * The program's configuration, in a global data section that libbpf turns into a one-entry
 * ARRAY map and memory-maps into the loader: the daemon changes it while the program stays
 * attached, with no reload.
 *
 * Two slots, because a frame must never be classified against half of an old configuration
 * and half of a new one: the loader fills the slot the program is not reading, then flips
 * `active` with one aligned 32-bit store. Before it reuses a slot it waits for an RCU grace
 * period (XDP runs inside one), so no CPU can still be reading it.
 */
struct rf_xdp_config_block {
  struct rf_xdp_config slot[2];
  __u32 active; /* index of the slot the program reads: 0 or 1 */
  __u32 reserved;
};

#define RF_XDP_CFM_SLOTS 8 /* Y.1731 outcomes (cfm.h); a power of two: the slot is masked */

/* A fixed slot count, so adding a verdict does not move the fields after it. */
#define RF_XDP_VERDICT_SLOTS 32

/*
 * The value of the per-CPU counter map (one entry). Each CPU increments its own copy with plain
 * adds (no atomics: nothing else writes it); the loader sums the copies. A program counts as
 * little as it can per frame (two adds for a reflected or a rejected frame) and userspace
 * derives the rest (xdp/counters.h): received = rejected + reflect verdicts, passed = rejected
 * (but the guard's, which are dropped) + redirect_fallback + reflect_errors (+ the reflect
 * verdicts in monitor mode), sent back with XDP_TX = reflect verdicts - reflect_errors.
 */
struct rf_xdp_counters {
  __u64 verdict_frames[RF_XDP_VERDICT_SLOTS]; /* rejected frames per enum rf_verdict; the
                                                 reflect slot stays 0 (see rule_frames) */
  __u64 rule_frames[RF_MAX_RULES];            /* reflect verdicts per rule (rf_result.rule) */
  __u64 rule_bytes[RF_MAX_RULES];             /* their bytes, as received */
  __u64 rejected_bytes;                       /* bytes of every rejected frame */
  __u64 redirected;        /* afxdp: handed to an AF_XDP socket (XDP_REDIRECT) */
  __u64 redirect_fallback; /* afxdp: no socket on the frame's rx queue, so passed instead */
  __u64 reflect_errors;    /* rf_reflect refused a reflect verdict's offsets (a bug); passed */
  /* Not a counter (the sum over CPUs means nothing): the rule that took this CPU's last frame,
   * the fast tier's hint (rf_classify_fast), and the rule-stage reason of this CPU's frame
   * while the fast tier names it (RF_NOTE in classify.h). Zero at load: rule 0 first. */
  __u32 rule_hint;
  __u32 rule_reason;
  /* Not a counter either: the source MAC (rf_mac_number) of this CPU's last `loop` frame, the
   * peer the daemon names; 0 while there was none. */
  __u64 loop_peer;
  /* Not counters: the loop guard's clock on this CPU (ticks, guard.h), read every
   * RF_XDP_GUARD_CLOCK_EVERY reflected frames and on every repeat, and the frames other than
   * repeats before the next periodic read (0: the next frame reads it). */
  __u32 guard_clock;
  __u32 guard_clock_countdown;
  __u64 reserved[1];
  /* The Y.1731 responder (xdp/cfm_xdp.h), per rf_cfm_outcome: the answers sent (datapath xdp;
   * in monitor mode, those it would send) and their bytes, then the CFM frames passed by
   * reason (also in verdict_frames). afxdp's workers count the frames redirected to them. */
  __u64 cfm_frames[RF_XDP_CFM_SLOTS];
  __u64 cfm_answered_bytes;
  /* STAMP's T2 by source, per frame answered (or tried: reflect_errors counts the few that
   * fail): [0] the software clock, [1] the NIC's receive timestamp (device-bound program). */
  __u64 stamp_rx_time[2];
};

/* Reflected frames between two clock reads of the loop guard: a helper call per frame would
 * cost as much as the rest of the guard. */
#define RF_XDP_GUARD_CLOCK_EVERY 64

#define RF_XDP_MAX_QUEUES_DEFAULT 64 /* XSKMAP entries unless the loader asks for another size */

#ifdef __cplusplus
#define RF_XDP_STATIC_ASSERT static_assert
#else
#define RF_XDP_STATIC_ASSERT _Static_assert
#endif
RF_XDP_STATIC_ASSERT(sizeof(struct rf_xdp_config) == 8192, "rf_xdp_config layout");
RF_XDP_STATIC_ASSERT(sizeof(struct rf_xdp_config_block) == 16392, "rf_xdp_config_block layout");
RF_XDP_STATIC_ASSERT(sizeof(struct rf_xdp_counters) == 920, "rf_xdp_counters layout");
RF_XDP_STATIC_ASSERT(RF_VERDICT_COUNT <= RF_XDP_VERDICT_SLOTS, "verdicts outgrew their slots");
RF_XDP_STATIC_ASSERT(RF_MAX_RULES == 32, "rule counters are indexed with a 5-bit mask");
#undef RF_XDP_STATIC_ASSERT

#endif /* REFLECTOR_XDP_ABI_H_ */
