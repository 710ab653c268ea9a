/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Per-tester sessions in the XDP program (BPF only; the key and the cache set are in
 * reflector/packet/session.h). Each CPU counts its reflected frames in a 2-way set-associative
 * cache of RF_SESSION_CACHE_SETS sets: a frame whose session holds a way of its set costs its
 * fingerprint (a few loads and multiplies), two compares and two adds, with no lock, atomic or
 * call. A session that holds neither way takes the one with fewer frames
 * (rf_session_victim_way), moving that way's counts into rf_sessions, an LRU hash shared by the
 * CPUs (atomic adds). The daemon reads both (xdp/loader.h) and adds them up per key.
 *
 * Exactness: nothing is lost while rf_sessions has room; a reading taken while a CPU moves a
 * way may count that way twice or not at all, which the next reading corrects.
 */
#ifndef REFLECTOR_XDP_SESSION_COUNT_H_
#define REFLECTOR_XDP_SESSION_COUNT_H_

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "reflector/packet/session.h"

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, RF_SESSION_CACHE_SETS);
  __type(key, __u32);
  __type(value, struct rf_session_cache_set);
} rf_session_cache SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_LRU_HASH);
  __uint(max_entries, RF_SESSION_TABLE_ENTRIES);
  __type(key, struct rf_session_key);
  __type(value, struct rf_session_counts);
} rf_sessions SEC(".maps");

/* Adds a way's counts to its session's entry in rf_sessions. */
static __attribute__((noinline)) void rf_session_spill(const struct rf_session_key *key,
                                                       const struct rf_session_counts *counts) {
  struct rf_session_counts *total = bpf_map_lookup_elem(&rf_sessions, key);
  if (!total) {
    if (bpf_map_update_elem(&rf_sessions, key, counts, BPF_NOEXIST) == 0) return;
    total = bpf_map_lookup_elem(&rf_sessions, key); /* another CPU created it */
    if (!total) return;
  }
  __sync_fetch_and_add(&total->frames, counts->frames);
  __sync_fetch_and_add(&total->bytes, counts->bytes);
}

/*
 * A frame whose fingerprint holds neither way of its set: builds its key, moves the counts of
 * the way it takes (rf_session_victim_way) to rf_sessions, and takes it. `offsets`: l3 |
 * l4 << 16; `info`: ip_version | vlan_tags << 8 | rule << 16 (a global function takes
 * scalars). Out of line, verified once.
 */
__attribute__((noinline)) int rf_xdp_session_take(struct xdp_md *ctx, __u32 offsets, __u32 info,
                                                  __u64 fingerprint) {
  if (ctx == 0) return 0;
  const __u8 *data = (const __u8 *)(long)ctx->data;
  const __u8 *end = (const __u8 *)(long)ctx->data_end;
  struct rf_session_key key;
  /* Masks the verifier can bound; real offsets are far below them. */
  if (rf_session_key_fill(data, end, offsets & 0xff, (offsets >> 16) & 0x1ff, info & 0xff,
                          (info >> 8) & 0xff, (info >> 16) & 0xff, &key) != 0) {
    return 0;
  }
  const __u32 index = rf_session_set_index(fingerprint);
  struct rf_session_cache_set *set = bpf_map_lookup_elem(&rf_session_cache, &index);
  if (!set) return 0; /* cannot happen: the index is below max_entries */
  const __u32 way = rf_session_victim_way(set) & 1;
  if (set->counts[way].frames) rf_session_spill(&set->key[way], &set->counts[way]);
  set->key[way] = key;
  set->counts[way].frames = 1;
  set->counts[way].bytes = (__u64)(end - data);
  set->fingerprint[way] = fingerprint;
  return 0;
}

/* The hit path of a reflected frame's session count, before it is reflected: its fingerprint
 * compared with its set's two; rf_xdp_session_take when neither way holds it. Returns the
 * counts of the way that holds it (the caller adds the frame to them), or 0. The
 * classification comes as scalars: for a frame the fast tier took they are constants (its
 * fixed offsets, IPv4, no tag), and the fingerprint's branches and masks fold away. */
RF_INLINE struct rf_session_counts *rf_xdp_session_way(struct xdp_md *ctx, const __u8 *data,
                                                       const __u8 *end, __u32 l3, __u32 l4,
                                                       __u32 ip_version, __u32 vlan_tags,
                                                       __u32 rule) {
  l3 &= 0xff;
  l4 &= 0x1ff;
  rule &= RF_MAX_RULES - 1;
  __u32 index;
  const __u64 fingerprint =
      rf_session_fingerprint_set(data, end, l3, l4, ip_version, vlan_tags, rule, &index);
  if (!fingerprint) return 0;
  struct rf_session_cache_set *set = bpf_map_lookup_elem(&rf_session_cache, &index);
  if (!set) return 0; /* cannot happen: the index is below max_entries */
  if (set->fingerprint[0] == fingerprint) return &set->counts[0];
  if (set->fingerprint[1] == fingerprint) return &set->counts[1];
  rf_xdp_session_take(ctx, l3 | l4 << 16,
                      (ip_version & 0xff) | (vlan_tags & 0xff) << 8 | rule << 16, fingerprint);
  return 0;
}

/* A reflected frame of `length` bytes added to its session's counts. */
RF_INLINE void rf_session_counts_add(struct rf_session_counts *counts, __u64 length) {
  counts->frames++;
  counts->bytes += length;
}

/* Counts a reflected frame for its session (rf_xdp_session_way). */
RF_INLINE void rf_xdp_session_count(struct xdp_md *ctx, const __u8 *data, const __u8 *end,
                                    __u32 l3, __u32 l4, __u32 ip_version, __u32 vlan_tags,
                                    __u32 rule) {
  struct rf_session_counts *counts =
      rf_xdp_session_way(ctx, data, end, l3, l4, ip_version, vlan_tags, rule);
  if (!counts) return;
  /* The length read again, not kept across the lookup's call: kept, the frame's pointers took
   * two of the four registers a call leaves, and the classifier's values went to the stack. */
  rf_session_counts_add(counts, (__u64)(ctx->data_end - ctx->data));
}

#endif /* REFLECTOR_XDP_SESSION_COUNT_H_ */
