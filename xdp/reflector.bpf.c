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
#include "reflector/packet/stamp.h"
#include "reflector/packet/stamp_session.h"
#include "reflector/packet/stamp_tlv.h"
#include "xdp/abi.h"
#include "xdp/capture_ring.h"
#include "xdp/count_reject.h"
#include "xdp/session_count.h"
#include "xdp/stamp_dwell.h"

/* Written by the loader through its memory mapping (see struct rf_xdp_config_block). */
struct rf_xdp_config_block rf_config SEC(".data.config");

/* Per-tester sessions (session_count.h): on, unless the loader turned them off before loading
 * (LoadOptions::count_sessions), which lets the verifier drop their code: how the bench times
 * what they cost. */
const volatile __u8 rf_count_sessions = 1;

/* A short STAMP sender's frame grows at its tail when it can (rf_xdp_stamp_room); 0 only in
 * tests (LoadOptions::stamp_grow_at_tail), to reach the growth at the front. */
const volatile __u8 rf_stamp_grow_at_tail = 1;

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

/* The loop guard's table (guard.h): one per CPU, as a looping frame keeps its RX queue. One
 * map value holds a CPU's whole table, so a frame's slot is one load from the table's base.
 * As a map of RF_LOOP_SLOTS 8-byte values, a per-CPU array found a slot through the map's
 * array of per-CPU pointers: two dependent loads at random places, most of the guard's ~56 %
 * of the program's samples at max load (~42 % after this change; perf, BENCHMARKS.md,
 * 2026-12-03). 32 KiB: the most a per-CPU value may be (PCPU_MIN_UNIT_SIZE). */
struct rf_loop_table {
  struct rf_loop_slot slot[RF_LOOP_SLOTS];
};
_Static_assert(sizeof(struct rf_loop_table) <= 32768, "a per-CPU map value is at most 32 KiB");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct rf_loop_table);
} rf_loop_tables SEC(".maps");

/* A rate cap's bucket (guard.h), shared by all CPUs: its lock is held for a few instructions. */
struct rf_rate_bucket {
  struct bpf_spin_lock lock;
  __u32 reserved;
  __u64 tag; /* per-source buckets: the source's key (rf_rate_source_key) */
  __u64 tat; /* the bucket's time (RF_RATE_SHIFT units) */
};

/* The whole-scope buckets: index 0 the global cap, 1 + i rule i's. */
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1 + RF_MAX_RULES);
  __type(key, __u32);
  __type(value, struct rf_rate_bucket);
} rf_rate_aggregate SEC(".maps");

/* The per-source buckets, direct-mapped by source key. */
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, RF_RATE_SOURCE_SLOTS);
  __type(key, __u32);
  __type(value, struct rf_rate_bucket);
} rf_rate_sources SEC(".maps");

/* Whether the frame conforms to the caps of one scope (0: global, 1 + i: rule i), charging
 * its source's bucket and then the scope's (the same order as userspace's RateBuckets). The
 * frame's pointers are read from ctx here (see rf_xdp_guard). */
RF_INLINE int rf_xdp_rate_scope(struct xdp_md *ctx, const struct rf_result *where,
                                const struct rf_rate_caps *caps, __u32 scope, __u64 burst,
                                __u64 now) {
  const __u8 *data = (const __u8 *)(long)ctx->data;
  const __u8 *end = (const __u8 *)(long)ctx->data_end;
  const __u64 length = (__u64)(end - data);
  const __u64 source_cost = rf_rate_cost(&caps->per_source, length);
  if (source_cost != 0) {
    const __u64 key = rf_rate_source_key(data, end, where, scope);
    const __u32 index = rf_rate_source_slot(key);
    struct rf_rate_bucket *bucket = bpf_map_lookup_elem(&rf_rate_sources, &index);
    if (!bucket) return 0; /* cannot happen: the index is below max_entries */
    bpf_spin_lock(&bucket->lock);
    const int taken = rf_rate_take_source(&bucket->tag, &bucket->tat, key, now, source_cost, burst);
    bpf_spin_unlock(&bucket->lock);
    if (!taken) return 0;
  }
  const __u64 cost = rf_rate_cost(&caps->all, length);
  if (cost != 0) {
    const __u32 index = scope;
    struct rf_rate_bucket *bucket = bpf_map_lookup_elem(&rf_rate_aggregate, &index);
    if (!bucket) return 0; /* cannot happen: the scope is at most RF_MAX_RULES */
    bpf_spin_lock(&bucket->lock);
    const int taken = rf_rate_take(&bucket->tat, now, cost, burst);
    bpf_spin_unlock(&bucket->lock);
    if (!taken) return 0;
  }
  return 1;
}

/* Copies the frame's first `captured` bytes into a reserved scratch record and hands it to the
 * ring; nothing without a record. */
RF_INLINE int rf_xdp_capture_copy(struct xdp_md *ctx, struct rf_capture_scratch *scratch,
                                  __u32 captured) {
  if (!scratch) return 0;
  if (bpf_xdp_load_bytes(ctx, 0, scratch->data, captured) != 0) return 0;
  scratch->record.ifindex = ctx->ingress_ifindex;
  scratch->record.queue = ctx->rx_queue_index;
  rf_capture_send(scratch, captured);
  return 0;
}

/* Copies the frame as received into the capture ring with `verdict` (and `rule` for a
 * reflected frame), once rf_capture_pick has picked it and if the rate bound lets it. Global,
 * so the verifier checks it once. */
__attribute__((noinline)) int rf_xdp_capture_picked(struct xdp_md *ctx, __u32 verdict,
                                                    __u32 rule) {
  if (ctx == 0) return 0;
  __u32 captured = 0;
  struct rf_capture_scratch *scratch =
      rf_capture_reserve_picked(verdict, rule, (__u32)(ctx->data_end - ctx->data), &captured);
  return rf_xdp_capture_copy(ctx, scratch, captured);
}

/* The frame as received into the capture ring, if the selection and sampling take it. */
RF_INLINE void rf_xdp_capture_frame(struct xdp_md *ctx, __u32 verdict, __u32 rule) {
  if (rf_capture_pick(verdict, rule)) rf_xdp_capture_picked(ctx, verdict, rule);
}

/* The frame as sent, right after reflecting it, when its received copy was taken and the
 * capture asks for both (rf_capture.sent). Global, so the verifier checks it once. */
__attribute__((noinline)) int rf_xdp_capture_sent(struct xdp_md *ctx, __u32 rule) {
  if (ctx == 0) return 0;
  __u32 captured = 0;
  struct rf_capture_scratch *scratch =
      rf_capture_reserve_sent(rule, (__u32)(ctx->data_end - ctx->data), &captured);
  return rf_xdp_capture_copy(ctx, scratch, captured);
}

/* The guard's decision on a frame: counted unless it is reflected (rf_xdp_act counts those),
 * captured with it while a capture runs (rf_xdp_capture leaves these frames to the guard).
 * Returns what rf_xdp_guard returns: 0 to reflect, 1 to drop. */
RF_INLINE int rf_xdp_guard_verdict(struct xdp_md *ctx, struct rf_xdp_counters *counters,
                                   __u32 verdict, __u32 rule) {
  if (verdict != RF_REFLECT) {
    rf_count_reject(counters, verdict, (__u64)(ctx->data_end - ctx->data));
  }
  if (rf_capture.enabled) rf_xdp_capture_frame(ctx, verdict, rule);
  return verdict != RF_REFLECT;
}

/* The loop guard's check (guard.h) on this CPU's table: whether the frame was seen in the last
 * `window` ticks, recording it as seen now. The clock is read every RF_XDP_GUARD_CLOCK_EVERY
 * frames and for a frame that may be a repeat: stamps run a little behind, which can only hide
 * a loop for a round (guard.h). */
RF_INLINE int rf_xdp_loop_seen(const __u8 *data, const __u8 *end,
                               struct rf_xdp_counters *counters, __u32 window) {
  const __u64 fingerprint = rf_fingerprint(data, end);
  const __u32 zero = 0;
  struct rf_loop_table *table = bpf_map_lookup_elem(&rf_loop_tables, &zero);
  if (!table) return 0; /* cannot happen for a one-entry array; the verifier asks */
  struct rf_loop_slot *slot = &table->slot[rf_loop_slot_index(fingerprint)];
  /* One pointer for every access: else clang kept the index and the table apart and rebuilt
   * the slot's address, a stack slot more on the exact path. */
  RF_OPAQUE(slot);
  const __u32 tag = rf_loop_tag(fingerprint);
  const __u32 countdown = counters->guard_clock_countdown;
  if (__builtin_expect(slot->tag != tag && countdown != 0, 1)) {
    /* A new frame between two clock reads: a countdown (a load, a test, a store) and the
     * clock as last read. rf_loop_remember written out: with it, clang merged these stores
     * with the clock read's path, a jump more on this one. */
    counters->guard_clock_countdown = countdown - 1;
    slot->tag = tag;
    slot->stamp = counters->guard_clock;
    return 0;
  }
  /* A repeat, or a new frame that is due to read the clock. */
  if (slot->tag != tag) counters->guard_clock_countdown = RF_XDP_GUARD_CLOCK_EVERY - 1;
  const __u32 now = (__u32)(bpf_ktime_get_coarse_ns() >> RF_LOOP_TICK_SHIFT);
  counters->guard_clock = now;
  return rf_loop_seen(slot, fingerprint, now, window);
}

/* A frame the loop guard caught: its sender named as the loop's peer, counted, captured.
 * Returns 1 (drop), as rf_xdp_guard_verdict. */
RF_INLINE int rf_xdp_loop_verdict(struct xdp_md *ctx, struct rf_xdp_counters *counters,
                                  __u32 rule) {
  const __u8 *data = (const __u8 *)(long)ctx->data;
  const __u8 *end = (const __u8 *)(long)ctx->data_end;
  if (RF_FITS(data, 0, RF_ETH_HLEN, end)) counters->loop_peer = rf_mac_number(data + RF_ETH_ALEN);
  return rf_xdp_guard_verdict(ctx, counters, RF_LOOP, rule);
}

/*
 * The guard stage (guard.h) for a frame the classifier would reflect: with the lease expired it
 * is a `lease`; if it came back already reflected (its fingerprint seen on this CPU in the
 * loop window) a `loop`; over a rate cap `rate_limited`. Such a frame is counted (a loop with
 * its sender as the loop's peer) and dropped (the stack would answer it). Returns 0 for a frame
 * to reflect, 1 for one to drop. `rule`, `l3_offset` and `ip_version`: the classifier's result.
 * Out of line (the verifier checks it once), for a lease or rate caps only: rf_xdp_guard_frame
 * decides the loop guard alone inline. The frame's pointers are read from ctx where they are
 * used: kept from the start across the lookups' calls, they took two stack slots (104 bytes of
 * frame, now 88), and the exact path's chain ends in this function and rf_xdp_capture_picked
 * (Linux 6.1's stack rule, stack_chain_prog_test).
 */
__attribute__((noinline)) int rf_xdp_guard(struct xdp_md *ctx, __u32 flags, __u32 window,
                                           __u32 rule, __u32 l3) {
  struct rf_xdp_counters *counters = rf_xdp_cpu_counters();
  if (!counters) return 1; /* cannot happen for a one-entry array; the verifier asks */
  if (flags & RF_GUARD_LEASE_EXPIRED) return rf_xdp_guard_verdict(ctx, counters, RF_LEASE, rule);
  if (window != 0 && rf_xdp_loop_seen((const __u8 *)(long)ctx->data,
                                      (const __u8 *)(long)ctx->data_end, counters, window)) {
    return rf_xdp_loop_verdict(ctx, counters, rule);
  }
  if (flags & RF_GUARD_RATE_CAPS) {
    /* The precise clock: a cap is a rate, and the caps are off unless a user set one. */
    const __u64 now = bpf_ktime_get_ns() << RF_RATE_SHIFT;
    const struct rf_xdp_config *config = rf_xdp_active_config();
    const __u64 burst = config->filter.guard.rate_burst;
    struct rf_result where;
    where.l3_offset = (__u16)(l3 & 0xffff);
    where.ip_version = (__u8)(l3 >> 16);
    const __u32 index = rule & (RF_MAX_RULES - 1); /* a mask the verifier can follow */
    if (!rf_xdp_rate_scope(ctx, &where, &config->filter.guard.rules[index], 1 + index, burst,
                           now) ||
        !rf_xdp_rate_scope(ctx, &where, &config->filter.guard.global, 0, burst, now)) {
      return rf_xdp_guard_verdict(ctx, counters, RF_RATE_LIMITED, rule);
    }
  }
  return rf_xdp_guard_verdict(ctx, counters, RF_REFLECT, rule);
}

/* rf_xdp_loop_verdict out of line, for rf_xdp_guard_frame: a loop is rare. */
__attribute__((noinline)) int rf_xdp_guard_loop(struct xdp_md *ctx, __u32 rule) {
  if (ctx == 0) return 1;
  struct rf_xdp_counters *counters = rf_xdp_cpu_counters();
  if (!counters) return 1; /* cannot happen for a one-entry array; the verifier asks */
  return rf_xdp_loop_verdict(ctx, counters, rule);
}

/*
 * The guard stage as rf_xdp_guard decides it, with the default case inline: with only the loop
 * guard on (no lease expired, no rate cap), a frame not seen before costs its fingerprint and
 * its slot, and no call (a BPF-to-BPF call costs 10-20 ns on this kind of host, as much as the
 * rest of the guard). A lease or rate caps (a clock read and locks anyway) take rf_xdp_guard,
 * a loop rf_xdp_guard_loop. `data`, `end`: the frame as received. Returns 0 to reflect, 1 to
 * drop.
 */
RF_INLINE int rf_xdp_guard_frame(struct xdp_md *ctx, const struct rf_xdp_config *config,
                                 struct rf_xdp_counters *counters, const __u8 *data,
                                 const __u8 *end, const struct rf_result *where) {
  /* Loaded here again, not kept from rf_xdp_guarded's test: kept, they took registers (and
   * stack) from the path of a frame with the guard off. */
  const struct rf_guard *guard = &config->filter.guard;
  RF_OPAQUE(guard);
  const __u32 flags = guard->flags;
  const __u32 window = guard->loop_window_ticks;
  if (flags != 0) {
    return rf_xdp_guard(ctx, flags, window, where->rule,
                        where->l3_offset | ((__u32)where->ip_version << 16));
  }
  if (window != 0 && rf_xdp_loop_seen(data, end, counters, window)) {
    return rf_xdp_guard_loop(ctx, where->rule);
  }
  /* What rf_xdp_guard_verdict does for a reflected frame: no count, the capture's check. */
  if (rf_capture.enabled) rf_xdp_capture_frame(ctx, RF_REFLECT, where->rule);
  return 0;
}

/* Whether the guard stage runs on what this program reflects (it then has the last word on
 * a frame the classifier would reflect, and captures it with its verdict). */
RF_INLINE int rf_xdp_guarded(const struct rf_xdp_config *config) {
  return config->action == RF_XDP_TX &&
         (config->filter.guard.flags | config->filter.guard.loop_window_ticks) != 0;
}

/* Whether the capture takes reflected frames. */
RF_INLINE int rf_xdp_capture_takes_reflected(void) {
  return (rf_capture.verdicts & (1u << RF_REFLECT)) != 0;
}

/* Whether rf_xdp_capture classifies every frame up front (issue 21): only where the capture
 * takes reflected frames and nothing later captures them as received. The guard does where it
 * runs (the default with datapath xdp), afxdp's workers where frames are redirected; then, and
 * when reflected frames are not selected, rejected frames are captured where they are counted
 * (rf_xdp_capture_rejected) and the capture costs a reflected frame one sampling countdown,
 * not a second classification. */
RF_INLINE int rf_xdp_capture_up_front(const struct rf_xdp_config *config) {
  return rf_xdp_capture_takes_reflected() && config->action != RF_XDP_REDIRECT &&
         !rf_xdp_guarded(config);
}

/* A rejected frame (not changed by the classifier) captured with its verdict, when the capture
 * runs and rf_xdp_capture did not see it first. */
RF_INLINE void rf_xdp_capture_rejected(struct xdp_md *ctx, __u32 verdict) {
  if (rf_capture.enabled && !rf_xdp_capture_up_front(rf_xdp_active_config())) {
    rf_xdp_capture_frame(ctx, verdict, 0);
  }
}

/*
 * Copies a frame as received, with its verdict, into the capture ring when the selection takes
 * it. Global, so the verifier checks it once; called first thing, before the frame can change,
 * only where rf_xdp_capture_up_front says so (in monitor mode, or reflecting with the guard
 * off). It classifies on its own (read only), so the fast tier and the reflect path stay
 * exactly as they are without capture: a call after the classification made the verifier walk
 * the reflect path twice.
 */
__attribute__((noinline)) int rf_xdp_capture(struct xdp_md *ctx) {
  if (ctx == 0 || rf_capture_saturated()) return 0;
  const struct rf_xdp_config *config = rf_xdp_active_config();
  struct rf_result where;
  where.rule = 0; /* the classifier sets it only for reflect */
  const __u8 *data = (const __u8 *)(long)ctx->data;
  const __u8 *end = (const __u8 *)(long)ctx->data_end;
  /* The fast tier first, as the reflect path runs it: a test frame costs what it costs there. */
  __u32 hint = RF_NO_RULE_HINT;
  __u32 verdict = rf_classify_fast(data, end, &config->filter, &hint, &where);
  if (verdict == RF_FAST_UNDECIDED) {
    verdict = rf_classify_exact(data, end, &config->filter, 0, &where);
  }
  if (verdict == RF_REFLECT && (config->action == RF_XDP_REDIRECT || rf_xdp_guarded(config))) {
    return 0;
  }
  rf_xdp_capture_frame(ctx, verdict, where.rule);
  return 0;
}

#include "xdp/cfm_xdp.h" /* rf_xdp_cfm: uses the maps and helpers above */

/* The rf_result a global function of the STAMP path gets as two words (it takes scalars). */
RF_INLINE void rf_xdp_where(struct rf_result *where, __u64 where_low, __u64 where_high) {
  rf_store_u64((__u8 *)where, where_low);
  rf_store_u64((__u8 *)where + 8, where_high);
}

/* Packets received per stateful STAMP session (stamp_session.h), shared by all CPUs. LRU: an
 * old session is forgotten and would start again at 0, never refused. */
struct {
  __uint(type, BPF_MAP_TYPE_LRU_HASH);
  __uint(max_entries, RF_STAMP_SESSIONS);
  __type(key, struct rf_stamp_session_key);
  __type(value, __u32);
} rf_stamp_sessions SEC(".maps");

/* A stateful rule's answer, once rf_xdp_stamp has finished it, takes the reflector's own count
 * of the session's packets (stamp_session.h, rf_stamp_set_sequence): 0 for its first. An
 * atomic add without fetch (BPF v1), as for the SLR counts: two CPUs adding at the same moment
 * may give two answers one number; a session's packets come on one queue. Global: only
 * stateful rules reach it, and its frame stays out of the program's own (the verifier's 512
 * bytes of stack cover a whole call chain). Returns XDP_TX, or XDP_DROP (the frame is already
 * an answer, not for the stack) if it does not fit (never). */
__attribute__((noinline)) int rf_xdp_stamp_number(struct xdp_md *ctx, __u64 where_low,
                                                  __u64 where_high) {
  if (ctx == 0) return XDP_DROP;
  __u8 *data = (__u8 *)(long)ctx->data;
  const __u8 *end = (const __u8 *)(long)ctx->data_end;
  struct rf_result where;
  rf_xdp_where(&where, where_low, where_high);
  struct rf_stamp_session_key key = {};
  if (rf_stamp_read_session_key(data, end, &where, &key) != 0) return XDP_DROP;
  __u32 sequence = 0;
  __u32 *count = bpf_map_lookup_elem(&rf_stamp_sessions, &key);
  if (count) {
    __sync_fetch_and_add(count, 1);
    sequence = *count - 1;
  } else {
    __u32 one = 1;
    bpf_map_update_elem(&rf_stamp_sessions, &key, &one, BPF_NOEXIST);
  }
  return rf_stamp_set_sequence(data, end, &where, sequence) == 0 ? XDP_TX : XDP_DROP;
}

/* The RFC 8972 TLVs of a finished STAMP answer (stamp_tlv.h); `t2_method` (RF_STAMP_TS_*) is how
 * T2 was taken, for the Timestamp Information TLV: hardware when it came from the NIC. Global,
 * for the same reason as rf_xdp_stamp_number: only packets with TLVs reach it, and its frame
 * stays out of the program's own. Returns XDP_TX, or XDP_DROP (the frame is already an answer)
 * if it does not fit (never). */
__attribute__((noinline)) int rf_xdp_stamp_tlvs(struct xdp_md *ctx, __u64 where_low,
                                                __u64 where_high, __u32 t2_method) {
  if (ctx == 0) return XDP_DROP;
  __u8 *data = (__u8 *)(long)ctx->data;
  const __u8 *end = (const __u8 *)(long)ctx->data_end;
  struct rf_result where;
  rf_xdp_where(&where, where_low, where_high);
  const struct rf_stamp_clock *clock = &rf_xdp_active_config()->filter.stamp_clock;
  return rf_stamp_tlvs(data, end, &where, clock, t2_method) == 0 ? XDP_TX : XDP_DROP;
}

/* The longest frame that may need room for its answer: a sender's packet shorter than the 44
 * bytes of the STAMP base packet behind the deepest UDP header the classifier takes. */
#define RF_STAMP_MOVE_MAX (RF_MAX_L4_OFFSET + RF_UDP_HLEN + RF_STAMP_LEN)

/*
 * After bpf_xdp_adjust_head(-by): the frame of `len` bytes that now starts `by` bytes into the
 * packet moves to its start, so the packet is the frame and then `by` bytes (the room; their
 * old bytes rf_stamp_build zeroes). Word by word from the front, which never overwrites a word
 * still to be read (the destination lies before its source); the frame's last word, which the
 * words may not cover, is read before anything is written and stored last. Fixed offsets from
 * the packet's start, each checked: a bounded copy the verifier follows. Returns 0, or -1 if
 * the packet does not hold what the caller said (never, after the helper succeeded).
 */
RF_INLINE int rf_xdp_move_to_front(struct xdp_md *ctx, __u32 by, __u32 len) {
  __u8 *data = (__u8 *)(long)ctx->data;
  const __u8 *end = (const __u8 *)(long)ctx->data_end;
  if (len < 8 || len >= RF_STAMP_MOVE_MAX || by >= RF_STAMP_LEN) return -1;
  /* Masked behind RF_OPAQUE, as in rf_stamp_offsets: the verifier needs each offset it adds to
   * the packet pointer small, and clang would drop a mask the checks above make redundant. */
  __u32 last_off = by + len - 8;
  __u32 last_to_off = len - 8;
  RF_OPAQUE(by);
  RF_OPAQUE(last_off);
  RF_OPAQUE(last_to_off);
  by &= 0x3f;
  last_off &= 0xff;
  last_to_off &= 0xff;
  const __u8 *last_from = data + last_off;
  if (last_from + 8 > end) return -1;
  const __u64 last = rf_load_u64(last_from);
  /* No exit inside (clang unrolls only such loops): a word past `len` is skipped. The checks
   * hold for every word within `len`, whose source ends at most at the packet's end. */
  RF_UNROLL for (int i = 0; i < RF_STAMP_MOVE_MAX / 8; i++) {
    __u8 *to = data + 8 * i;
    const __u8 *from = to + by;
    if ((__u32)(8 * i + 8) <= len && to + 8 <= end && from + 8 <= end) {
      rf_store_u64(to, rf_load_u64(from));
    }
  }
  __u8 *last_to = data + last_to_off;
  if (last_to + 8 > end) return -1;
  rf_store_u64(last_to, last);
  return 0;
}

/*
 * Room for the answer to a STAMP / TWAMP-Light frame longer than the frame (stamp.h: a sender
 * shorter than 44 bytes): the frame grows to rf_stamp_lengths' build_len, at its tail where the
 * buffer has the tailroom, else at its front, moving the frame to the new start
 * (rf_xdp_move_to_front). veth, for one, gives a frame that came from the stack as an skb the
 * skb's own buffer or a copy of it sized to the frame rounded up to a cache line
 * (skb_pp_cow_data): often too little tailroom for a 14-byte sender's answer, but always
 * XDP_PACKET_HEADROOM in front. Returns the bytes it grew by, or -1 when the answer would
 * exceed the MTU or neither end has room (the caller counts the frame as `no_room`). A frame
 * that needs no room, or that is no STAMP packet (rf_xdp_stamp refuses it), is left alone. Out
 * of line: only short STAMP senders reach it.
 */
__attribute__((noinline)) int rf_xdp_stamp_room(struct xdp_md *ctx, __u64 where_low,
                                                __u64 where_high) {
  if (ctx == 0) return 0;
  struct rf_result where;
  rf_xdp_where(&where, where_low, where_high);
  const __u32 frame_len = (__u32)(ctx->data_end - ctx->data);
  __u32 build_len = 0;
  __u32 send_len = 0;
  if (rf_stamp_lengths(&where, frame_len, &build_len, &send_len) != 0) return 0;
  if (build_len == frame_len) return 0;
  const __u32 grow = build_len - frame_len;
  /* The helper holds the frame against MTU + Ethernet header: without the frame's tags, the
   * answer's IP packet against the MTU. */
  __u32 mtu_len = 0;
  const __s32 tag_bytes = (__s32)(where.vlan_tags & 3) * RF_VLAN_HLEN;
  if (bpf_check_mtu(ctx, 0, &mtu_len, (__s32)(send_len - frame_len) - tag_bytes, 0) != 0) {
    return -1;
  }
  if (rf_stamp_grow_at_tail && bpf_xdp_adjust_tail(ctx, (int)grow) == 0) return (int)grow;
  if (frame_len >= RF_STAMP_MOVE_MAX || grow >= RF_STAMP_LEN ||
      bpf_xdp_adjust_head(ctx, -(int)grow) != 0) {
    return -1;
  }
  return rf_xdp_move_to_front(ctx, grow, frame_len) == 0 ? (int)grow : -1;
}

/*
 * The NIC's receive timestamp (XDP RX metadata, kernel >= 6.3; veth has it since 6.5). The
 * verifier refuses a program that holds a call to it unless the program was loaded bound to
 * its device (add_kfunc_call checks every kfunc call, reachable or not, before it prunes dead
 * code), so no rodata switch can keep it in the one program: only rf_xdp_reflect_nic, which the
 * loader loads device-bound, reaches it. Weak, so the object still opens on a kernel without
 * it (libbpf then poisons the call, in the program nobody loads there).
 */
extern int bpf_xdp_metadata_rx_timestamp(const struct xdp_md *ctx, __u64 *timestamp) __ksym __weak;

/*
 * T2 from the NIC, in the device-bound program: the driver's receive timestamp, or 0 when it
 * has none for this frame (an error: no hardware timestamping on the NIC, no op in the driver;
 * or 0, as veth gives without an skb stamp), and then rf_xdp_stamp reads the software clock.
 * Global, so its 8-byte out-parameter stays out of the program's frame; only the device-bound
 * program calls it.
 */
__attribute__((noinline)) __u64 rf_xdp_nic_rx_time(struct xdp_md *ctx) {
  if (ctx == 0) return 0;
  __u64 timestamp = 0;
  if (bpf_xdp_metadata_rx_timestamp(ctx, &timestamp) != 0) return 0;
  return timestamp;
}

/*
 * A STAMP / TWAMP-Light frame (a rule with RF_ACTION_STAMP) answered in place (stamp.h): T2
 * the NIC's receive timestamp `t2_nic` where it is not 0 (a hardware T2: what the Timestamp
 * Information TLV reports; the NIC's clock is taken to be TAI, as phc2sys keeps a PHC), else
 * CLOCK_TAI on entry; T3 CLOCK_TAI right before the checksum (XDP has no transmit timestamp);
 * both converted by the config's clock; then the frame is cut to the answer's length where the
 * build needed more (rf_stamp_lengths). Inline for the fast tier's frames: a BPF-to-BPF call
 * costs 10-20 ns on a host whose returns go through a mitigation thunk, a fifth of a STAMP
 * answer's own work. The other frames call it as rf_xdp_stamp_global.
 */
RF_INLINE int rf_xdp_stamp(struct xdp_md *ctx, const struct rf_result *where, __u64 t2_nic) {
  const __u64 t2 = t2_nic != 0 ? t2_nic : bpf_ktime_get_tai_ns();
  __u8 *data = (__u8 *)(long)ctx->data;
  const __u8 *end = (const __u8 *)(long)ctx->data_end;
  const struct rf_stamp_clock *clock = &rf_xdp_active_config()->filter.stamp_clock;
  struct rf_stamp_pending pending;
  __u32 build_len = 0;
  __u32 send_len = 0;
  const __u32 frame_len = (__u32)(end - data);
  if (rf_stamp_lengths(where, frame_len, &build_len, &send_len) == 0 &&
      rf_stamp_build(data, end, where, clock, t2, &pending) == 0 &&
      rf_stamp_finish(data, end, &pending, clock, bpf_ktime_get_tai_ns()) == 0 &&
      (send_len >= frame_len ||
       bpf_xdp_adjust_tail(ctx, -(int)((frame_len - send_len) & 3)) == 0)) {
    return XDP_TX;
  }
  struct rf_xdp_counters *counters = rf_xdp_cpu_counters();
  if (counters) counters->reflect_errors++;
  return XDP_PASS;
}

/* rf_xdp_stamp out of line, for the frames the fast tier did not take (rf_xdp_act): inline, its
 * spills made the frames of rf_xdp_reflect and rf_xdp_exact_sw/_nic 168 and 176-184 bytes, and
 * the chain rf_xdp_reflect > rf_xdp_exact_sw > rf_xdp_stamp_tlvs 544 under Linux 6.1's rule
 * (each frame rounded up to 32 bytes, at most 512). A tagged or IPv6 STAMP frame pays the call;
 * the fast tier's untagged IPv4 ones keep it inline. Takes `where` as two words, as the STAMP
 * path's other globals. */
__attribute__((noinline)) int rf_xdp_stamp_global(struct xdp_md *ctx, __u64 where_low,
                                                  __u64 where_high, __u64 t2_nic) {
  if (ctx == 0) return XDP_PASS;
  struct rf_result where;
  rf_xdp_where(&where, where_low, where_high);
  return rf_xdp_stamp(ctx, &where, t2_nic);
}

/*
 * What the program does with a classified frame: count it, then reflect in place (XDP_TX),
 * redirect it to AF_XDP, or pass it, per the config's action. `fast`: the fast tier took it.
 * `nic_rx_time`: a constant, 1 in the device-bound program, whose STAMP T2 comes from the NIC.
 */
RF_INLINE int rf_xdp_act(struct xdp_md *ctx, struct rf_xdp_counters *counters,
                         const struct rf_xdp_config *config, __u32 verdict, __u8 *data,
                         const __u8 *end, const struct rf_result *where, int fast,
                         const int nic_rx_time) {
  /* Two adds per frame; userspace derives received, passed and sent (xdp/abi.h). */
  if (verdict != RF_REFLECT) {
    rf_xdp_capture_rejected(ctx, verdict);
    rf_count_reject(counters, verdict, (__u64)(end - data));
    return XDP_PASS;
  }
  /* The guard: only where this program reflects (afxdp's workers guard their own frames). */
  if (rf_xdp_guarded(config) && rf_xdp_guard_frame(ctx, config, counters, data, end, where)) {
    return XDP_DROP;
  }
  /* A mask, not an if: the verifier needs the index bounded, and 32 is a power of two. */
  const __u32 rule = where->rule & (RF_MAX_RULES - 1);
  /* A STAMP answer longer than the frame: room first, so a frame without is counted only as
   * `no_room` (the pointers are taken again: the helper moves the frame's end). Only a sender's
   * packet shorter than the base one needs room (rf_stamp_lengths), so the usual STAMP frame
   * makes no call for it. */
  __u64 grown = 0;
  if (config->action == RF_XDP_TX && (where->actions & RF_ACTION_STAMP) &&
      where->udp_length < RF_UDP_HLEN + RF_STAMP_LEN) {
    const int room = rf_xdp_stamp_room(ctx, rf_load_u64((const __u8 *)where),
                                       rf_load_u64((const __u8 *)where + 8));
    if (room < 0) {
      /* (Captured as `reflect` already when the capture takes reflected frames.) */
      rf_xdp_capture_rejected(ctx, RF_NO_ROOM);
      rf_count_reject(counters, RF_NO_ROOM, (__u64)(ctx->data_end - ctx->data));
      return XDP_DROP;
    }
    grown = (__u64)room;
    data = (__u8 *)(long)ctx->data;
    end = (const __u8 *)(long)ctx->data_end;
  }
  counters->rule_frames[rule]++;
  counters->rule_bytes[rule] += (__u64)(end - data) - grown; /* as received */
  /* Per-tester sessions (session_count.h); afxdp's workers count their own. */
  if (rf_count_sessions && config->action != RF_XDP_REDIRECT) {
    if (fast) {
      rf_xdp_session_count(ctx, data, end, RF_FAST_L3, RF_FAST_L4, 4, 0, rule);
    } else {
      rf_xdp_session_count(ctx, data, end, where->l3_offset, where->l4_offset, where->ip_version,
                           where->vlan_tags, rule);
    }
  }

  switch (config->action) {
    case RF_XDP_TX:
      if (where->actions & RF_ACTION_STAMP) {
        const __u64 where_low = rf_load_u64((const __u8 *)where);
        const __u64 where_high = rf_load_u64((const __u8 *)where + 8);
        const __u64 t2_nic = nic_rx_time ? rf_xdp_nic_rx_time(ctx) : 0;
        counters->stamp_rx_time[t2_nic != 0]++; /* T2's source: [0] software, [1] the NIC */
        int answered = fast ? rf_xdp_stamp(ctx, where, t2_nic)
                            : rf_xdp_stamp_global(ctx, where_low, where_high, t2_nic);
        if (answered == XDP_TX && (where->actions & RF_ACTION_STAMP_STATEFUL)) {
          answered = rf_xdp_stamp_number(ctx, where_low, where_high);
        }
        /* Only STAMP packets longer than the base one can carry TLVs (a short sender's grown
         * answer has none). T2's method as rf_xdp_stamp took it. */
        if (answered == XDP_TX && !(where->actions & RF_ACTION_TWAMP) &&
            where->udp_length > RF_UDP_HLEN + RF_STAMP_LEN) {
          answered = rf_xdp_stamp_tlvs(ctx, where_low, where_high,
                                       t2_nic != 0 ? RF_STAMP_TS_HW_ASSIST : RF_STAMP_TS_SW_LOCAL);
        }
        /* The dwell the answer carries, for the metrics (stamp_dwell.h). */
        if (answered == XDP_TX) rf_xdp_stamp_dwell_count(ctx, where->l4_offset + RF_UDP_HLEN);
        /* The answer as sent, as for any reflected frame below. */
        if (answered == XDP_TX && rf_capture.enabled && rf_capture.sent) {
          rf_xdp_capture_sent(ctx, where->rule);
        }
        return answered;
      }
      if ((fast ? rf_reflect_fast(data, end, where) : rf_reflect(data, end, where)) != 0) {
        counters->reflect_errors++;
        return XDP_PASS;
      }
      if (rf_capture.enabled && rf_capture.sent) rf_xdp_capture_sent(ctx, where->rule);
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
 * Every frame the fast tiers leave: the exact classifier. Global, so the verifier checks it
 * once, on its own: inline after the second tier, it was walked from each of that tier's exits
 * and the program no longer verified. The call (10-20 ns on a kernel whose returns go through a
 * mitigation thunk, AMD's Safe RET here) falls on frames neither tier takes. It reads the active
 * slot again; a reload in between only means this frame is classified against the newer
 * configuration, as a whole. `nic_rx_time`: the device-bound program's (STAMP's T2 from the
 * NIC), a constant in each of the two globals below.
 */
RF_INLINE int rf_xdp_exact(struct xdp_md *ctx, const int nic_rx_time) {
  /* Y.1731 (xdp/cfm_xdp.h): CFM frames are never IPv4, so never the fast tier's. */
  if (rf_xdp_active_config()->filter.cfm.flags & RF_CFM_ON) {
    const int answer = rf_xdp_cfm(ctx);
    if (answer >= 0) return answer;
  }
  struct rf_xdp_counters *counters = rf_xdp_cpu_counters();
  if (!counters) return XDP_PASS; /* cannot happen for a one-entry array; the verifier asks */
  /* The frame's pointers read after the lookup: live across its call, they took a stack slot
   * more through the classifier's rule stage (a frame of 168 bytes, now 160; see
   * rf_xdp_stamp_global for the chain this frame is part of). */
  __u8 *data = (__u8 *)(long)ctx->data;
  const __u8 *end = (const __u8 *)(long)ctx->data_end;
  const struct rf_xdp_config *config = rf_xdp_active_config();
  struct rf_result where;
  const __u32 verdict = rf_classify_exact(data, end, &config->filter, 0, &where);
  /* The rule the second tier tries next: it leaves to this classifier the frames its hinted
   * rule does not take. */
  if (verdict == RF_REFLECT) counters->rule_hint = where.rule;
  return rf_xdp_act(ctx, counters, config, verdict, data, end, &where, 0, nic_rx_time);
}

__attribute__((noinline)) int rf_xdp_exact_sw(struct xdp_md *ctx) {
  if (ctx == 0) return XDP_PASS;
  return rf_xdp_exact(ctx, 0);
}

__attribute__((noinline)) int rf_xdp_exact_nic(struct xdp_md *ctx) {
  if (ctx == 0) return XDP_PASS;
  return rf_xdp_exact(ctx, 1);
}

/*
 * A frame the fast tier left: the second tier (rf_classify_shaped) for a tagged or IPv6 test
 * frame its hinted rule takes, inline (no call for a test stream); every other frame to the
 * exact classifier. No Y.1731 frame is IP, so none is the second tier's and the CFM responder
 * still sees each first.
 */
RF_INLINE int rf_xdp_undecided(struct xdp_md *ctx, struct rf_xdp_counters *counters,
                               const int nic_rx_time) {
  __u8 *data = (__u8 *)(long)ctx->data;
  const __u8 *end = (const __u8 *)(long)ctx->data_end;
  const struct rf_xdp_config *config = rf_xdp_active_config();
  struct rf_result where;
  /* Defined whole (rf_classify_shaped leaves the reserved bytes alone). */
  rf_store_u64((__u8 *)&where, 0);
  rf_store_u64((__u8 *)&where + 8, 0);
  if (rf_classify_shaped(data, end, &config->filter, &counters->rule_hint, &where) == RF_REFLECT) {
    return rf_xdp_act(ctx, counters, config, RF_REFLECT, data, end, &where, 0, nic_rx_time);
  }
  return nic_rx_time ? rf_xdp_exact_nic(ctx) : rf_xdp_exact_sw(ctx);
}

/* A frame the fast tier rejected, with the exact classifier's reason, while a capture or the
 * Y.1731 responder runs: captured, counted, passed. Out of line, so that neither crowds the
 * reflect path's registers. */
__attribute__((noinline)) int rf_xdp_rejected(struct xdp_md *ctx, __u32 verdict) {
  const struct rf_xdp_config *config = rf_xdp_active_config();
  if (verdict < RF_FIRST_RULE_VERDICT && (config->filter.cfm.flags & RF_CFM_ON)) {
    /* The fast tier's first checks reject Y.1731 frames too (a group address, the CFM
     * EtherType): offered to the responder first, as rf_xdp_exact does. */
    const int answer = rf_xdp_cfm(ctx);
    if (answer >= 0) return answer;
  }
  struct rf_xdp_counters *counters = rf_xdp_cpu_counters();
  if (!counters) return XDP_PASS; /* cannot happen for a one-entry array; the verifier asks */
  rf_xdp_capture_rejected(ctx, verdict);
  rf_count_reject(counters, verdict, (__u64)(ctx->data_end - ctx->data));
  return XDP_PASS;
}

/*
 * rf_xdp_act for a frame the fast tier took, where the program reflects in place with at most
 * the loop guard (no lease expired, no rate cap), the rule has no STAMP action and no capture
 * takes reflected frames: the daemon's configurations, also while a capture of rejected frames
 * runs (a frame the guard drops as a loop is captured in rf_xdp_guard_loop). `window`: the loop
 * guard's; `info`: the rule | its mode << 8 | its actions << 16. The frame's pointers are read
 * from ctx after the loop guard's lookup rather than kept from the classifier: a value live
 * across a call needs one of the four registers a call leaves, and kept, the pointers pushed
 * the classifier's own values to the stack. Past the loop guard the classifier's values are
 * dead, and the pointers stay in those registers across the session cache's lookup.
 */
RF_INLINE int rf_xdp_reflect_taken(struct xdp_md *ctx, struct rf_xdp_counters *counters,
                                   __u32 window, __u32 info) {
  const __u32 rule = info & (RF_MAX_RULES - 1);
  if (window != 0 && rf_xdp_loop_seen((const __u8 *)(long)ctx->data,
                                      (const __u8 *)(long)ctx->data_end, counters, window) &&
      rf_xdp_guard_loop(ctx, rule)) {
    return XDP_DROP;
  }
  /* The frame's pointers read once, after the loop guard's calls: checked here, they are kept
   * across the session cache's lookup (no register the fast tier needs is live there), for
   * the session's bytes and the swap. */
  __u8 *data = (__u8 *)(long)ctx->data;
  const __u8 *end = (const __u8 *)(long)ctx->data_end;
  counters->rule_frames[rule]++;
  counters->rule_bytes[rule] += (__u64)(end - data);
  if (!RF_FITS(data, 0, RF_FAST_L4 + RF_UDP_HLEN, end)) {
    counters->reflect_errors++; /* never: the fast tier checked these bytes */
    return XDP_PASS;
  }
  if (rf_count_sessions) {
    /* The session count given the checked headers' end as the frame's: its own checks against
     * that end are known to hold and fold away. */
    struct rf_session_counts *session = rf_xdp_session_way(
        ctx, data, data + RF_FAST_L4 + RF_UDP_HLEN, RF_FAST_L3, RF_FAST_L4, 4, 0, rule);
    if (session) rf_session_counts_add(session, (__u64)(end - data));
  }
  rf_swap(data, data + RF_FAST_L3, data + RF_FAST_L4, (info >> 8) & 0xff, 0, info >> 16);
  return XDP_TX;
}

/* The classifier as rf_classify_hinted composes it (packet library): the fast tier, then the
 * exact classifier for what it leaves. */
RF_INLINE int rf_xdp_reflect_body(struct xdp_md *ctx, const int nic_rx_time) {
  /* The capture's one check, a predictable branch on a config field (issue 21). */
  if (rf_capture.enabled && rf_xdp_capture_up_front(rf_xdp_active_config())) rf_xdp_capture(ctx);
  struct rf_xdp_counters *counters = rf_xdp_cpu_counters();
  if (!counters) return XDP_PASS; /* cannot happen for a one-entry array; the verifier asks */
  __u8 *data = (__u8 *)(long)ctx->data;
  const __u8 *end = (const __u8 *)(long)ctx->data_end;
  const struct rf_xdp_config *config = rf_xdp_active_config();
  struct rf_result where;
  const __u32 verdict =
      rf_classify_fast_tier(data, end, &config->filter, &counters->rule_hint, &where,
                            &counters->rule_reason);
  if (verdict == RF_FAST_UNDECIDED) return rf_xdp_undecided(ctx, counters, nic_rx_time);
  if (verdict != RF_REFLECT) {
    /* A MAC or EtherType reject (a constant), or for a frame no rule takes the rule stage's
     * reason read back from map memory (RF_NOTE). Neither is a value the verifier traces
     * through the rule loops, so either may index the counters here, without a call (a traced
     * one must not: rf_count_reject says why). */
    const __u32 reason =
        verdict == RF_FAST_NO_RULE ? RF_NOTE(counters->rule_reason) : verdict;
    if (rf_capture.enabled || (config->filter.cfm.flags & RF_CFM_ON)) {
      return rf_xdp_rejected(ctx, reason);
    }
    counters->verdict_frames[reason & (RF_XDP_VERDICT_SLOTS - 1)]++;
    counters->rejected_bytes += (__u64)(end - data);
    return XDP_PASS;
  }
  const struct rf_guard *guard = &config->filter.guard;
  if (__builtin_expect(config->action == RF_XDP_TX && guard->flags == 0 &&
                           !(where.actions & RF_ACTION_STAMP) &&
                           !(rf_capture.enabled && rf_xdp_capture_takes_reflected()),
                       1)) {
    return rf_xdp_reflect_taken(ctx, counters, guard->loop_window_ticks,
                                where.rule | (__u32)where.mode << 8 | (__u32)where.actions << 16);
  }
  /* The frame's pointers read again here too, so that none is live across this path's calls
   * (see rf_xdp_reflect_taken). */
  struct xdp_md *again = ctx;
  RF_OPAQUE(again);
  return rf_xdp_act(again, counters, config, RF_REFLECT, (__u8 *)(long)again->data,
                    (const __u8 *)(long)again->data_end, &where, 1, nic_rx_time);
}

/* The program, with STAMP's T2 from the software clock: loaded as it is, usable everywhere. */
SEC("xdp")
int rf_xdp_reflect(struct xdp_md *ctx) { return rf_xdp_reflect_body(ctx, 0); }

/* The same program with STAMP's T2 from the NIC (rf_xdp_nic_rx_time). The loader loads one of
 * the two: this one only bound to the interface it attaches to
 * (LoadOptions::nic_rx_time_interface). */
SEC("xdp")
int rf_xdp_reflect_nic(struct xdp_md *ctx) { return rf_xdp_reflect_body(ctx, 1); }

char LICENSE[] SEC("license") = "Dual BSD/GPL";
