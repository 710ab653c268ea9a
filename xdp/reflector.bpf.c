/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The XDP reflector: classify with the packet library's classifier (the same source userspace
 * runs), count, and then reflect in place (XDP_TX), redirect to AF_XDP, or pass. Everything
 * about frames lives in reflector/packet/classify.h; this file only wires it to XDP.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "reflector/packet/classify.h"
#include "reflector/packet/guard.h"
#include "xdp/abi.h"
#include "xdp/capture_ring.h"
#include "xdp/count_reject.h"
#include "xdp/session_count.h"

/* Written by the loader through its memory mapping (see struct rf_xdp_config_block). */
struct rf_xdp_config_block rf_config SEC(".data.config");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct rf_xdp_counters);
} rf_counters SEC(".maps");

/* AF_XDP sockets by rx queue; the loader sizes it to the interface's queues. */
struct {
  __uint(type, BPF_MAP_TYPE_XSKMAP);
  __uint(max_entries, RF_XDP_MAX_QUEUES_DEFAULT);
  __type(key, __u32);
  __type(value, __u32);
} rf_xsks SEC(".maps");

/* This CPU's counter record. */
RF_INLINE struct rf_xdp_counters *rf_xdp_cpu_counters(void) {
  __u32 zero = 0;
  return bpf_map_lookup_elem(&rf_counters, &zero);
}

/* The live configuration: the slot the loader last made active. Opaque to the compiler, which
 * would otherwise keep the slot index and rebuild the address before each use. */
RF_INLINE const struct rf_xdp_config *rf_xdp_active_config(void) {
  const struct rf_xdp_config *config = &rf_config.slot[rf_config.active & 1];
  RF_OPAQUE(config);
  return config;
}

/* The loop guard's table (guard.h): one per CPU, as a looping frame keeps its RX queue. */
struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, RF_LOOP_SLOTS);
  __type(key, __u32);
  __type(value, struct rf_loop_slot);
} rf_loop_slots SEC(".maps");

/*
 * The guard stage (guard.h) for a frame the classifier would reflect: with the lease expired it
 * is a `lease`, if it came back already reflected (its fingerprint seen on this CPU in the
 * loop window) a `loop`. Such a frame is counted, with its sender as the loop's peer, and
 * dropped (the stack would answer it). Returns 0 for a frame to reflect, 1 for one to drop.
 * Out of line: the verifier checks it once.
 */
__attribute__((noinline)) int rf_xdp_guard(struct xdp_md *ctx, __u32 flags, __u32 window) {
  const __u8 *data = (const __u8 *)(long)ctx->data;
  const __u8 *end = (const __u8 *)(long)ctx->data_end;
  struct rf_xdp_counters *counters = rf_xdp_cpu_counters();
  if (!counters) return 1; /* cannot happen for a one-entry array; the verifier asks */
  if (flags & RF_GUARD_LEASE_EXPIRED) {
    rf_count_reject(counters, RF_LEASE, (__u64)(end - data));
    return 1;
  }
  if (window == 0) return 0;
  const __u64 fingerprint = rf_fingerprint(data, end);
  const __u32 index = rf_loop_slot_index(fingerprint);
  struct rf_loop_slot *slot = bpf_map_lookup_elem(&rf_loop_slots, &index);
  if (!slot) return 0; /* cannot happen: the index is below max_entries */
  /* The clock is read every RF_XDP_GUARD_CLOCK_EVERY frames and for a frame that may be a
   * repeat: stamps run a little behind, which can only hide a loop for a round (guard.h). */
  const int repeat = slot->tag == rf_loop_tag(fingerprint);
  if (repeat || counters->guard_clock_age++ % RF_XDP_GUARD_CLOCK_EVERY == 0) {
    counters->guard_clock = (__u32)(bpf_ktime_get_coarse_ns() >> RF_LOOP_TICK_SHIFT);
  }
  const __u32 now = counters->guard_clock;
  const int seen = repeat && rf_loop_recent(slot, fingerprint, now, window);
  rf_loop_remember(slot, fingerprint, now);
  if (!seen) return 0;
  rf_count_reject(counters, RF_LOOP, (__u64)(end - data));
  if (RF_FITS(data, 0, RF_ETH_HLEN, end)) counters->loop_peer = rf_mac_number(data + RF_ETH_ALEN);
  return 1;
}

/*
 * Copies a frame as received, with its verdict, into the capture ring when the selection takes
 * it. Global, so the verifier checks it once; called only while rf_capture.enabled is set, first
 * thing, before the frame can change. It classifies on its own (the exact classifier, read
 * only), so the fast tier and the reflect path stay exactly as they are without capture: a call
 * after the classification made the verifier walk the reflect path twice. With datapath afxdp
 * the reflected frames are left to the AF_XDP workers, which make their verdict.
 */
__attribute__((noinline)) int rf_xdp_capture(struct xdp_md *ctx) {
  if (ctx == 0 || rf_capture_saturated()) return 0;
  const struct rf_xdp_config *config = rf_xdp_active_config();
  struct rf_result where;
  where.rule = 0; /* the classifier sets it only for reflect */
  const __u8 *data = (const __u8 *)(long)ctx->data;
  const __u8 *end = (const __u8 *)(long)ctx->data_end;
  /* The fast tier first, as the reflect path runs it: a test frame costs what it costs there,
   * and a capture that does not take reflected frames is done with it at once. */
  __u32 hint = RF_NO_RULE_HINT;
  __u32 verdict = rf_classify_fast(data, end, &config->filter, &hint, &where);
  if (verdict == RF_REFLECT && !(rf_capture.verdicts & (1u << RF_REFLECT))) return 0;
  if (verdict == RF_FAST_UNDECIDED) {
    verdict = rf_classify_exact(data, end, &config->filter, 0, &where);
  }
  if (verdict == RF_REFLECT && config->action == RF_XDP_REDIRECT) return 0;
  __u32 captured = 0;
  struct rf_capture_scratch *scratch =
      rf_capture_reserve(verdict, where.rule, (__u32)(ctx->data_end - ctx->data), &captured);
  if (!scratch) return 0;
  if (bpf_xdp_load_bytes(ctx, 0, scratch->data, captured) != 0) return 0;
  scratch->record.ifindex = ctx->ingress_ifindex;
  scratch->record.queue = ctx->rx_queue_index;
  rf_capture_send(scratch, captured);
  return 0;
}

/*
 * What the program does with a classified frame: count it, then reflect in place (XDP_TX),
 * redirect it to AF_XDP, or pass it, per the config's action. `fast`: the fast tier took it.
 */
RF_INLINE int rf_xdp_act(struct xdp_md *ctx, struct rf_xdp_counters *counters,
                         const struct rf_xdp_config *config, __u32 verdict, __u8 *data,
                         const __u8 *end, const struct rf_result *where, int fast) {
  /* Two adds per frame; userspace derives received, passed and sent (xdp/abi.h). */
  if (verdict != RF_REFLECT) {
    rf_count_reject(counters, verdict, (__u64)(end - data));
    return XDP_PASS;
  }
  /* The guard: only where this program reflects (afxdp's workers guard their own frames). */
  const __u32 guard_flags = config->filter.guard.flags;
  const __u32 loop_window = config->filter.guard.loop_window_ticks;
  if (config->action == RF_XDP_TX && (guard_flags | loop_window) &&
      rf_xdp_guard(ctx, guard_flags, loop_window)) {
    return XDP_DROP;
  }
  /* A mask, not an if: the verifier needs the index bounded, and 32 is a power of two. */
  const __u32 rule = where->rule & (RF_MAX_RULES - 1);
  counters->rule_frames[rule]++;
  counters->rule_bytes[rule] += (__u64)(end - data);
  /* Per-tester sessions (session_count.h); afxdp's workers count their own. */
  if (config->action != RF_XDP_REDIRECT) rf_xdp_session_count(ctx, data, end, where);

  switch (config->action) {
    case RF_XDP_TX:
      if ((fast ? rf_reflect_fast(data, end, where) : rf_reflect(data, end, where)) != 0) {
        counters->reflect_errors++;
        return XDP_PASS;
      }
      return XDP_TX;
    case RF_XDP_REDIRECT: {
      /* The low bits of flags are the action taken when the queue has no socket. */
      const long action = bpf_redirect_map(&rf_xsks, ctx->rx_queue_index, XDP_PASS);
      if (action == XDP_REDIRECT) {
        counters->redirected++;
        return XDP_REDIRECT;
      }
      counters->redirect_fallback++;
      return XDP_PASS;
    }
    default: /* RF_XDP_MONITOR */
      return XDP_PASS;
  }
}

/*
 * Every frame the fast tier leaves: the exact classifier. A global function, so the verifier
 * checks it once on its own, rather than once for each check of the fast tier that can give
 * up. It reads the active slot again; a reload in between only means this frame is classified
 * against the newer configuration, as a whole.
 */
__attribute__((noinline)) int rf_xdp_exact(struct xdp_md *ctx) {
  __u8 *data = (__u8 *)(long)ctx->data;
  const __u8 *end = (const __u8 *)(long)ctx->data_end;
  struct rf_xdp_counters *counters = rf_xdp_cpu_counters();
  if (!counters) return XDP_PASS; /* cannot happen for a one-entry array; the verifier asks */
  const struct rf_xdp_config *config = rf_xdp_active_config();
  struct rf_result where;
  const __u32 verdict = rf_classify_exact(data, end, &config->filter, 0, &where);
  return rf_xdp_act(ctx, counters, config, verdict, data, end, &where, 0);
}

/* A frame the fast tier rejected (with the exact classifier's reason): counted, passed. Out of
 * line, so the reject counting stays out of the reflect path's registers. */
__attribute__((noinline)) int rf_xdp_rejected(struct xdp_md *ctx, __u32 verdict) {
  struct rf_xdp_counters *counters = rf_xdp_cpu_counters();
  if (!counters) return XDP_PASS; /* cannot happen for a one-entry array; the verifier asks */
  rf_count_reject(counters, verdict, (__u64)(ctx->data_end - ctx->data));
  return XDP_PASS;
}

/* The classifier as rf_classify_hinted composes it (packet library): the fast tier, then the
 * exact classifier for what it leaves. */
SEC("xdp")
int rf_xdp_reflect(struct xdp_md *ctx) {
  /* The capture's one check, a predictable branch on a config field (issue 21). */
  if (rf_capture.enabled) rf_xdp_capture(ctx);
  __u8 *data = (__u8 *)(long)ctx->data;
  const __u8 *end = (const __u8 *)(long)ctx->data_end;
  struct rf_xdp_counters *counters = rf_xdp_cpu_counters();
  if (!counters) return XDP_PASS; /* cannot happen for a one-entry array; the verifier asks */
  const struct rf_xdp_config *config = rf_xdp_active_config();
  struct rf_result where;
  const __u32 verdict = rf_classify_fast(data, end, &config->filter, &counters->rule_hint, &where);
  if (verdict == RF_FAST_UNDECIDED) return rf_xdp_exact(ctx);
  if (verdict != RF_REFLECT) return rf_xdp_rejected(ctx, verdict);
  return rf_xdp_act(ctx, counters, config, RF_REFLECT, data, end, &where, 1);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
