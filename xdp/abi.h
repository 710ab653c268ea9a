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
  struct rf_config filter; /* interface MAC, OUIs, port, signatures, flags, reflect mode */
  __u8 action;             /* enum rf_xdp_action */
  __u8 reserved[7];
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

/* Fixed slot counts, so adding a verdict or a signature does not move the fields after them. */
#define RF_XDP_VERDICT_SLOTS 16
#define RF_XDP_SIGNATURE_SLOTS 8

/*
 * The value of the per-CPU counter map (one entry). Each CPU increments its own copy with plain
 * adds (no atomics: nothing else writes it); the loader sums the copies.
 */
struct rf_xdp_counters {
  __u64 verdict_frames[RF_XDP_VERDICT_SLOTS];   /* frames per enum rf_verdict */
  __u64 reflect_frames[RF_XDP_SIGNATURE_SLOTS]; /* verdict reflect, per enum rf_signature */
  __u64 reflect_bytes[RF_XDP_SIGNATURE_SLOTS];  /* their bytes, as received */
  __u64 rx_bytes;          /* bytes of every frame the program saw */
  __u64 tx;                /* reflected in place and sent back (XDP_TX) */
  __u64 redirected;        /* handed to an AF_XDP socket (XDP_REDIRECT) */
  __u64 redirect_fallback; /* afxdp: no socket on the frame's rx queue, so passed instead */
  __u64 passed;            /* XDP_PASS, untouched: every frame not sent back or redirected */
  __u64 reflect_errors;    /* rf_reflect refused a reflect verdict's offsets (a bug); passed */
  __u64 reserved[2];
};

#define RF_XDP_MAX_QUEUES_DEFAULT 64 /* XSKMAP entries unless the loader asks for another size */

#ifdef __cplusplus
#define RF_XDP_STATIC_ASSERT static_assert
#else
#define RF_XDP_STATIC_ASSERT _Static_assert
#endif
RF_XDP_STATIC_ASSERT(sizeof(struct rf_xdp_config) == 72, "rf_xdp_config layout");
RF_XDP_STATIC_ASSERT(sizeof(struct rf_xdp_config_block) == 152, "rf_xdp_config_block layout");
RF_XDP_STATIC_ASSERT(sizeof(struct rf_xdp_counters) == 320, "rf_xdp_counters layout");
RF_XDP_STATIC_ASSERT(RF_VERDICT_COUNT <= RF_XDP_VERDICT_SLOTS, "verdicts outgrew their slots");
RF_XDP_STATIC_ASSERT(RF_SIG_COUNT <= RF_XDP_SIGNATURE_SLOTS, "signatures outgrew their slots");
#undef RF_XDP_STATIC_ASSERT

#endif /* REFLECTOR_XDP_ABI_H_ */
