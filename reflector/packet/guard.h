/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The guard stage (SPEC §8): what a data path checks, with state of its own, before it reflects
 * a frame the classifier accepted. Shared by the XDP program (clang -target bpf) and the
 * userspace workers (g++), like classify.h; the state lives where each keeps it (a per-CPU map,
 * a per-worker table), and the clock is the caller's.
 *
 * Loops. Two reflectors that accept each other's frames bounce one frame back and forth: A
 * reflects F to B, B reflects it back, and A receives F again, byte for byte (each reflection
 * only swaps fields, and two swaps cancel; with different modes at A and B, F comes back after
 * at most two round trips). A tester's frames differ from each other (a sequence number, a
 * time), so a frame whose bytes were seen within a short window is one we already reflected.
 * The check remembers a fingerprint of every frame it lets through in a direct-mapped table
 * and reports a frame whose fingerprint is in its slot and younger than the window.
 */
#ifndef REFLECTOR_PACKET_GUARD_H_
#define REFLECTOR_PACKET_GUARD_H_

#include "reflector/packet/classify.h"
#include "reflector/packet/wire.h"

/* Slots of one loop table: one table per CPU (XDP) or per worker. A frame's slot lasts about
 * this many frames of that CPU before another frame takes it. */
#define RF_LOOP_SLOTS 4096
/* What the fingerprint covers: the frame's first bytes (headers up to two tags and IPv6, and
 * the payload's start, where testers keep sequence numbers), its last bytes (where some keep
 * theirs, e.g. Spirent's signature), and its length. */
#define RF_FINGERPRINT_HEAD 96
#define RF_FINGERPRINT_TAIL 16
#define RF_FINGERPRINT_MUL 0x9e3779b97f4a7c15ULL
/* The words' multipliers: word j's is RF_FINGERPRINT_WORD_MUL + j * RF_FINGERPRINT_WORD_STEP
 * (mod 2^32, the step even so every one is odd), sign-extended to 64 bits. A 64-bit multiply
 * takes such a constant as its immediate, in BPF and on x86; a full 64-bit constant cost a
 * register and a 10-byte load more per word. */
#define RF_FINGERPRINT_WORD_MUL 0x85ebca77u
#define RF_FINGERPRINT_WORD_STEP 0x9e3779b8u

struct rf_loop_slot {
  __u32 tag;   /* fingerprint bits not used by the slot index; 0: empty */
  __u32 stamp; /* when its frame was last seen, in RF_LOOP_TICK_SHIFT ticks */
};

/* One word into one of the two lanes (two lanes: two independent multiply chains). */
RF_INLINE __u64 rf_fingerprint_mix(__u64 lane, __u64 word) {
  lane = (lane ^ word) * RF_FINGERPRINT_MUL;
  return lane ^ (lane >> 31);
}

/* The multiplier of the fingerprint's word `word` (the frame's 8-byte word of that index, the
 * last 16 bytes' words after the head's). */
RF_INLINE __u64 rf_fingerprint_word_k(__u32 word) {
  return (__u64)(__s64)(__s32)(RF_FINGERPRINT_WORD_MUL + word * RF_FINGERPRINT_WORD_STEP);
}

/* A 16-byte block's share of the fingerprint: each of its words multiplied by a constant of its
 * own (odd, so a bijection of the word), the products folded together. */
RF_INLINE __u64 rf_fingerprint_block(const __u8 *p, __u32 block) {
  return (rf_load_u64(p) * rf_fingerprint_word_k(2 * block)) ^
         (rf_load_u64(p + 8) * rf_fingerprint_word_k(2 * block + 1));
}

/*
 * A 64-bit fingerprint of the frame's bytes (of only its length below 16 bytes, shorter than
 * any frame the classifier accepts). Never reads outside [data, end). Every word is multiplied
 * by a constant of its position and the products are folded together with the length, then
 * mixed once: no multiply waits for another, and a word costs a load, a multiply and an
 * exclusive or (a chain of multiply-and-fold steps, one per word, cost the XDP program 150
 * instructions on a 64-byte frame). The final mix is a bijection of `sum`, so the length goes
 * in as it is: two frames whose words agree but whose lengths differ (zero padding) have sums
 * that differ, and a multiply of its own bought nothing. A word is hashed once (the last 16
 * bytes only where the blocks did not cover them), so a change in one word, any bit of it,
 * always changes the fingerprint.
 */
RF_INLINE __u64 rf_fingerprint(const __u8 *data, const __u8 *end) {
  const __u64 length = (__u64)(end - data);
  __u64 sum = length;
  if (RF_FITS(data, 0, 48, end)) {
    /* The first three blocks under one check: every frame the classifier takes has them. */
    sum ^= rf_fingerprint_block(data, 0) ^ rf_fingerprint_block(data + 16, 1) ^
           rf_fingerprint_block(data + 32, 2);
    /* Unrolled for the verifier only: g++ -O2, unrolling it for a frame of known size, warns
     * about the words past the frame that the length check skips (issue 20). */
#if defined(__bpf__)
    RF_UNROLL
#endif
    for (__u32 at = 48; at < RF_FINGERPRINT_HEAD; at += 16) {
      if (!RF_FITS(data, at, 16, end)) break;
      sum ^= rf_fingerprint_block(data + at, at / 16);
    }
  } else {
#if defined(__bpf__)
    RF_UNROLL
#endif
    for (__u32 at = 0; at < 48; at += 16) {
      if (!RF_FITS(data, at, 16, end)) break;
      sum ^= rf_fingerprint_block(data + at, at / 16);
    }
  }
  /* The last 16 bytes, of which only what the blocks above did not take (a length of 16,
   * 32, ... 96: none; 24, 40, ... 104: the last word). A word hashed twice, with two odd
   * multipliers, lost its top bit (2^63 times either is 2^63: the changes cancelled); and a
   * 64-byte frame hashed its last block twice. */
  if (length >= RF_FINGERPRINT_TAIL &&
      (length > RF_FINGERPRINT_HEAD || (length & (RF_FINGERPRINT_TAIL - 1)) != 0)) {
    /* Masked so the BPF verifier sees the offset and its end below 64 KiB (MAX_PACKET_OFF);
     * frames are shorter (a longer one would have a middle stretch hashed instead). */
    const __u64 tail = (length - RF_FINGERPRINT_TAIL) & 0x3fff;
    const __u8 *p = data + tail;
    if (RF_PTR_FITS(data, p, RF_FINGERPRINT_TAIL, end)) {
      if ((length & (RF_FINGERPRINT_TAIL - 1)) == 8 && length <= RF_FINGERPRINT_HEAD + 8) {
        /* Its first word is a block's last: only its second, as rf_fingerprint_block would. */
        sum ^= rf_load_u64(p + 8) * rf_fingerprint_word_k(RF_FINGERPRINT_HEAD / 8 + 1);
      } else {
        sum ^= rf_fingerprint_block(p, RF_FINGERPRINT_HEAD / 16);
      }
    }
  }
  /* Every bit of `sum` into the slot's low bits and the tag's high ones. */
  __u64 hash = (sum ^ (sum >> 32)) * RF_FINGERPRINT_MUL;
  return hash ^ (hash >> 29);
}

/* The slot of a fingerprint in a table of RF_LOOP_SLOTS. */
RF_INLINE __u32 rf_loop_slot_index(__u64 fingerprint) {
  return (__u32)fingerprint & (RF_LOOP_SLOTS - 1);
}

/* The tag a fingerprint leaves in its slot; never 0, so an empty slot holds no frame. */
RF_INLINE __u32 rf_loop_tag(__u64 fingerprint) { return (__u32)(fingerprint >> 32) | 1; }

/*
 * Whether the frame with this fingerprint was seen in the last `window` ticks: its slot holds
 * it, stamped less than `window` ticks before `now`. Ticks are CLOCK_MONOTONIC >>
 * RF_LOOP_TICK_SHIFT, modulo 2^32: differences stay right across the wrap.
 */
RF_INLINE int rf_loop_recent(const struct rf_loop_slot *slot, __u64 fingerprint, __u32 now,
                             __u32 window) {
  return slot->tag == rf_loop_tag(fingerprint) && (__u32)(now - slot->stamp) < window;
}

/* Records the frame with this fingerprint as seen at `stamp`. A stamp older than the truth
 * (a clock read a few frames earlier, as the XDP program keeps one) only makes a repeat look
 * older: it can hide a loop for a round, never report one that is not. */
RF_INLINE void rf_loop_remember(struct rf_loop_slot *slot, __u64 fingerprint, __u32 stamp) {
  slot->tag = rf_loop_tag(fingerprint);
  slot->stamp = stamp;
}

/* Both, with one clock: whether the frame was seen in the window, recording it as seen now. */
RF_INLINE int rf_loop_seen(struct rf_loop_slot *slot, __u64 fingerprint, __u32 now,
                           __u32 window) {
  const int seen = rf_loop_recent(slot, fingerprint, now, window);
  rf_loop_remember(slot, fingerprint, now);
  return seen;
}

/* A MAC address as a number (00:c0:17:00:00:01 is 0x00c017000001): how the counters name the
 * peer a loop came from. Zero is no peer (a zero source MAC is never reflected). */
RF_INLINE __u64 rf_mac_number(const __u8 *mac) {
  __u64 number = 0;
  RF_UNROLL
  for (int i = 0; i < RF_ETH_ALEN; ++i) number = (number << 8) | mac[i];
  return number;
}

/*
 * Rate caps. Each cap is a bucket in the form of the generic cell rate algorithm: `tat`, the
 * time (RF_RATE_SHIFT units) at which the bucket's frames so far would have been sent at
 * exactly the cap. A frame conforms when that time is at most `burst` ahead of now; it then
 * moves the time on by its cost (the larger of its frame cost and its bytes' cost). One word of
 * state, no division per frame, and the same arithmetic for the kernel and userspace, which
 * each make it atomic their own way (a spin lock in the map value, a lock per bucket).
 */
#define RF_RATE_SOURCE_SLOTS 4096 /* per-source buckets, direct-mapped by source address */

/* What a frame of `length` bytes costs of a cap's time; 0 when the cap is not set. */
RF_INLINE __u64 rf_rate_cost(const struct rf_rate_cap *cap, __u64 length) {
  const __u64 bytes = cap->byte_cost * length;
  return cap->frame_cost > bytes ? cap->frame_cost : bytes;
}

/* Whether a frame of `cost` conforms to the bucket at `now`, moving the bucket on if it does. */
RF_INLINE int rf_rate_take(__u64 *tat, __u64 now, __u64 cost, __u64 burst) {
  const __u64 start = *tat > now ? *tat : now;
  if (start - now > burst) return 0;
  *tat = start + cost;
  return 1;
}

/*
 * The key of a frame's source in scope `scope` (0: the global caps, 1 + i: rule i's): a hash of
 * its source IP address (the sender's identity across routers, where the MAC is the last
 * router's) and the scope. Its low bits pick the slot, all of it is the slot's tag. Reads only
 * within [data, end); the classifier accepted the frame, so the address is there.
 */
RF_INLINE __u64 rf_rate_source_key(const __u8 *data, const __u8 *end,
                                   const struct rf_result *where, __u32 scope) {
  __u64 key = rf_fingerprint_mix(RF_FINGERPRINT_MUL, scope);
  const __u8 *l3 = data + (where->l3_offset & 0x3ff);
  if (where->ip_version == 4) {
    if (RF_PTR_FITS(data, l3, 20, end)) key = rf_fingerprint_mix(key, rf_load_u32(l3 + 12));
  } else if (RF_PTR_FITS(data, l3, 40, end)) {
    key = rf_fingerprint_mix(key, rf_load_u64(l3 + 8));
    key = rf_fingerprint_mix(key, rf_load_u64(l3 + 16));
  }
  return key | 1; /* never 0, so an empty slot holds no source */
}

RF_INLINE __u32 rf_rate_source_slot(__u64 key) { return (__u32)key & (RF_RATE_SOURCE_SLOTS - 1); }

/*
 * A source's bucket in a direct-mapped slot: the slot holds the source whose key is its tag;
 * another source that maps to it takes it over with a fresh bucket. Two busy sources sharing a
 * slot therefore each start fresh now and then and get more than their cap (never more than
 * they send); with RF_RATE_SOURCE_SLOTS slots that needs many sources at once.
 */
RF_INLINE int rf_rate_take_source(__u64 *tag, __u64 *tat, __u64 key, __u64 now, __u64 cost,
                                  __u64 burst) {
  if (*tag != key) {
    *tag = key;
    *tat = 0;
  }
  return rf_rate_take(tat, now, cost, burst);
}

#endif /* REFLECTOR_PACKET_GUARD_H_ */
