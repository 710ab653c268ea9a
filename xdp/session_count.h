/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Per-tester sessions in the XDP program (BPF only; the key and the cache slot are in
 * reflector/packet/session.h). Each CPU counts its reflected frames in a direct-mapped cache of
 * RF_SESSION_CACHE_SLOTS slots: a frame whose session holds its slot costs a hash, a compare and
 * two adds, with no lock, atomic or helper call. A session that finds its slot taken by another
 * moves that one's counts into rf_sessions, an LRU hash shared by the CPUs (atomic adds), and
 * takes the slot. The daemon reads both (xdp/loader.h) and adds them up per key.
 *
 * Exactness: nothing is lost while rf_sessions has room; a reading taken while a CPU moves a
 * slot may count that slot twice or not at all, which the next reading corrects.
 */
#ifndef REFLECTOR_XDP_SESSION_COUNT_H_
#define REFLECTOR_XDP_SESSION_COUNT_H_

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "reflector/packet/session.h"

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, RF_SESSION_CACHE_SLOTS);
  __type(key, __u32);
  __type(value, struct rf_session_slot);
} rf_session_cache SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_LRU_HASH);
  __uint(max_entries, RF_SESSION_TABLE_ENTRIES);
  __type(key, struct rf_session_key);
  __type(value, struct rf_session_counts);
} rf_sessions SEC(".maps");

/* Adds a slot's counts to its session's entry in rf_sessions. */
static __attribute__((noinline)) void rf_session_spill(struct rf_session_slot *slot) {
  struct rf_session_counts *total = bpf_map_lookup_elem(&rf_sessions, &slot->key);
  if (!total) {
    if (bpf_map_update_elem(&rf_sessions, &slot->key, &slot->counts, BPF_NOEXIST) == 0) return;
    total = bpf_map_lookup_elem(&rf_sessions, &slot->key); /* another CPU created it */
    if (!total) return;
  }
  __sync_fetch_and_add(&total->frames, slot->counts.frames);
  __sync_fetch_and_add(&total->bytes, slot->counts.bytes);
}

/*
 * Counts a reflected frame for its session, before it is reflected. `offsets`: the result's
 * l3_offset | l4_offset << 16; `info`: ip_version | vlan_tags << 8 | rule << 16 (a global
 * function takes scalars). Out of line: the verifier checks it once.
 */
__attribute__((noinline)) int rf_xdp_session(struct xdp_md *ctx, __u32 offsets, __u32 info) {
  if (ctx == 0) return 0;
  const __u8 *data = (const __u8 *)(long)ctx->data;
  const __u8 *end = (const __u8 *)(long)ctx->data_end;
  struct rf_session_key key;
  /* Masks the verifier can bound; real offsets are far below them. */
  if (rf_session_key_fill(data, end, offsets & 0xff, (offsets >> 16) & 0x1ff, info & 0xff,
                          (info >> 8) & 0xff, (info >> 16) & 0xff, &key) != 0) {
    return 0;
  }
  const __u32 index = rf_session_slot_index(&key);
  struct rf_session_slot *slot = bpf_map_lookup_elem(&rf_session_cache, &index);
  if (!slot) return 0; /* cannot happen: the index is below max_entries */
  const __u64 bytes = (__u64)(end - data);
  if (rf_session_key_equal(&slot->key, &key)) {
    slot->counts.frames++;
    slot->counts.bytes += bytes;
    return 0;
  }
  if (slot->counts.frames) rf_session_spill(slot);
  slot->key = key;
  slot->counts.frames = 1;
  slot->counts.bytes = bytes;
  return 0;
}

#endif /* REFLECTOR_XDP_SESSION_COUNT_H_ */
