/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Per-tester sessions (issue 15): what identifies a tester's stream, read from a frame the
 * classifier reflects (before it is reflected), its fingerprint, and the sets of the 2-way
 * set-associative caches the XDP program and the workers count in. Shared by the XDP program
 * (clang -target bpf) and the userspace workers (g++), like classify.h.
 *
 * The data paths only count, cumulatively, per key; they read no clock. Which sessions are
 * live, when each was first and last seen and when an idle one expires is the daemon's job
 * (reflector/engine/session_book.h), from readings it takes twice a second: a frame per frame
 * cost of a hash and a compare, not a clock read and a hash-map update.
 */
#ifndef REFLECTOR_PACKET_SESSION_H_
#define REFLECTOR_PACKET_SESSION_H_

#include "reflector/packet/classify.h"
#include "reflector/packet/wire.h"

/* The per-CPU (XDP) and per-worker caches: RF_SESSION_CACHE_SETS sets (a power of two) of
 * RF_SESSION_CACHE_WAYS slots, and the entries of the table behind them (an LRU hash in the
 * XDP program) that a session displaced from its set spills its counts into. Two ways: the 128
 * sessions of 64 streams met in 256 direct-mapped slots often enough to take the slow path
 * every frame; three sessions in one set of 512 are rare. */
#define RF_SESSION_CACHE_SET_BITS 9
#define RF_SESSION_CACHE_SETS (1 << RF_SESSION_CACHE_SET_BITS)
#define RF_SESSION_CACHE_WAYS 2
#define RF_SESSION_CACHE_SLOTS (RF_SESSION_CACHE_SETS * RF_SESSION_CACHE_WAYS)
#define RF_SESSION_TABLE_ENTRIES 4096

/* Six words, compared and hashed as such; zero padding so equal streams have equal keys. */
struct rf_session_key {
  __u8 src_mac[6];
  __u16 vlan;     /* outer VLAN ID, 0 for an untagged frame */
  __u16 src_port; /* UDP ports, network byte order */
  __u16 dst_port;
  __u8 rule;       /* the rule that reflected it (rf_result.rule) */
  __u8 ip_version; /* 4 or 6 */
  __u8 reserved[2];
  __u8 src_ip[16]; /* IPv4: the first 4 bytes, the rest zero */
  __u8 dst_ip[16];
} __attribute__((aligned(8)));

struct rf_session_counts {
  __u64 frames;
  __u64 bytes; /* as received */
};

/* A key and what was counted for it: a cache way's content, a table entry, a reading. */
struct rf_session_slot {
  struct rf_session_key key;
  struct rf_session_counts counts;
};

/*
 * One set of a cache. What a frame reads on a hit (both fingerprints, its way's counts) comes
 * first, in 48 bytes, and the keys, which only a miss writes and a reader reads, after. A
 * way's fingerprint is its key's (rf_session_fingerprint), 0 for an empty way. A session is in
 * one way of its set at most: a frame takes a way only when neither holds its fingerprint.
 */
struct rf_session_cache_set {
  __u64 fingerprint[RF_SESSION_CACHE_WAYS];
  struct rf_session_counts counts[RF_SESSION_CACHE_WAYS];
  struct rf_session_key key[RF_SESSION_CACHE_WAYS];
};

/* The fingerprint's bits that pick its set: the top RF_SESSION_CACHE_SET_BITS. */
#define RF_SESSION_SET_SHIFT (64 - RF_SESSION_CACHE_SET_BITS)

#define RF_SESSION_KEY_WORDS (sizeof(struct rf_session_key) / 8)

/* Fills `key` for a frame whose classification is `where`; 0 when done, -1 when the offsets do
 * not fit the frame (cannot happen for a reflect verdict). */
RF_INLINE int rf_session_key_fill(const __u8 *data, const __u8 *end, __u32 l3, __u32 l4,
                                  __u32 ip_version, __u32 vlan_tags, __u32 rule,
                                  struct rf_session_key *key) {
  __u64 *words = (__u64 *)key;
  RF_UNROLL for (__u32 i = 0; i < RF_SESSION_KEY_WORDS; i++) words[i] = 0;
  if (!RF_FITS(data, 0, RF_ETH_HLEN + 4, end)) return -1;
  /* Word loads and stores: byte copies would cost a load per byte in the BPF build. */
  rf_store_u32(key->src_mac, rf_load_u32(data + RF_ETH_ALEN));
  rf_store_u16(key->src_mac + 4, rf_load_u16(data + RF_ETH_ALEN + 4));
  if (vlan_tags) key->vlan = rf_load_be16(data + RF_ETH_HLEN) & 0x0fff;
  if (!RF_FITS(data, l4, 4, end)) return -1;
  key->src_port = rf_load_u16(data + l4);
  key->dst_port = rf_load_u16(data + l4 + 2);
  key->rule = (__u8)rule;
  key->ip_version = (__u8)ip_version;
  if (ip_version == 6) {
    if (!RF_FITS(data, l3, 40, end)) return -1;
    rf_store_u64(key->src_ip, rf_load_u64(data + l3 + 8));
    rf_store_u64(key->src_ip + 8, rf_load_u64(data + l3 + 16));
    rf_store_u64(key->dst_ip, rf_load_u64(data + l3 + 24));
    rf_store_u64(key->dst_ip + 8, rf_load_u64(data + l3 + 32));
  } else {
    if (!RF_FITS(data, l3, 20, end)) return -1;
    rf_store_u32(key->src_ip, rf_load_u32(data + l3 + 12));
    rf_store_u32(key->dst_ip, rf_load_u32(data + l3 + 16));
  }
  return 0;
}

/* Odd multipliers of the fingerprint's words (xxHash64's primes): one per word, so that two
 * words with swapped values do not cancel. */
#define RF_SESSION_MUL_HEAD 0x9e3779b97f4a7c15ULL
#define RF_SESSION_MUL_PORTS 0xc2b2ae3d27d4eb4fULL
#define RF_SESSION_MUL_ADDRS 0x165667b19e3779f9ULL

/* Two words into one: multiply and fold, as guard.h does (a bijection of either word). */
RF_INLINE __u64 rf_session_mix(__u64 lane, __u64 word) {
  lane = (lane ^ word) * RF_SESSION_MUL_ADDRS;
  return lane ^ (lane >> 29);
}

/*
 * A 64-bit fingerprint of the key of a frame classified as the arguments say, read straight
 * from the frame: what a frame in the cache is compared by, so that a frame whose session
 * holds a way of its set costs a few loads and multiplies, not a key built and compared. Two
 * sessions with one fingerprint would be counted as one: with 64 bits and at most a few
 * thousand sessions, about one chance in 10^12. Never 0 (an empty way's); 0 when the offsets
 * do not fit.
 *
 * Its cost is one multiply deep (two for IPv6): the words are multiplied side by side, each by
 * its own odd constant (a bijection of the word), and the products folded with exclusive ors.
 * Keys that differ in one field differ in one word, so in its product, so in the fingerprint
 * (bit 0 aside, which marks a way in use: a change of that bit alone would need the product's
 * change to be exactly 1, which no difference between two keys' fields makes but by a chance
 * of 2^-64); keys that differ in several fields collide only if their products' changes cancel,
 * a chance of about 2^-63 with a multiplier per word. No final mix: the set is the top bits
 * (rf_session_set_index), and a product's top bits depend on every bit of its word (bit i of
 * a product on the word's bits 0..i). A final multiply and fold cost every frame 7
 * instructions and a multiply's latency before its set's load.
 * ip_version and rule go into different words: a data path reads them from an rf_result its
 * classifier has just written byte by byte, and one 16-bit load of the two (what a compiler
 * makes of adjacent bytes shifted together) would wait for both stores. `set`: the
 * fingerprint's cache set (rf_session_set_index).
 */
RF_INLINE __u64 rf_session_fingerprint_set(const __u8 *data, const __u8 *end, __u32 l3,
                                           __u32 l4, __u32 ip_version, __u32 vlan_tags,
                                           __u32 rule, __u32 *set) {
  if (!RF_FITS(data, 0, RF_ETH_HLEN + 4, end) || !RF_FITS(data, l4, 4, end)) return 0;
  /* Source MAC (bits 0..47), VLAN ID (bits 48..59) and IP version (4 or 6: bits 60..63). The
   * MAC from one load of the word that ends with it (rf_mac_in_tail, either byte order). */
  __u64 head = rf_mac_in_tail(rf_load_u64(data + RF_ETH_ALEN - 2)) >> 16 |
               (__u64)(ip_version & 0xf) << 60;
  if (vlan_tags) head |= (__u64)(rf_load_be16(data + RF_ETH_HLEN) & 0x0fff) << 48;
  const __u64 ports = rf_load_u32(data + l4) | (__u64)(rule & 0xff) << 32;
  __u64 addrs;
  if (ip_version == 6) {
    if (!RF_FITS(data, l3, 40, end)) return 0;
    const __u64 src = rf_session_mix(rf_load_u64(data + l3 + 8) * RF_SESSION_MUL_HEAD,
                                     rf_load_u64(data + l3 + 16));
    const __u64 dst = rf_session_mix(rf_load_u64(data + l3 + 24) * RF_SESSION_MUL_PORTS,
                                     rf_load_u64(data + l3 + 32));
    addrs = src ^ (dst << 32 | dst >> 32);
  } else {
    if (!RF_FITS(data, l3, 20, end)) return 0;
    addrs = rf_load_u64(data + l3 + 12) * RF_SESSION_MUL_ADDRS; /* both addresses */
  }
  const __u64 words = (head * RF_SESSION_MUL_HEAD) ^ (ports * RF_SESSION_MUL_PORTS) ^ addrs;
  *set = (__u32)(words >> RF_SESSION_SET_SHIFT);
  return words | 1;
}

/* The fingerprint alone (its set: rf_session_set_index). */
RF_INLINE __u64 rf_session_fingerprint(const __u8 *data, const __u8 *end, __u32 l3, __u32 l4,
                                       __u32 ip_version, __u32 vlan_tags, __u32 rule) {
  __u32 set;
  return rf_session_fingerprint_set(data, end, l3, l4, ip_version, vlan_tags, rule, &set);
}

/* A fingerprint's cache set: its top bits. */
RF_INLINE __u32 rf_session_set_index(__u64 fingerprint) {
  return (__u32)(fingerprint >> RF_SESSION_SET_SHIFT);
}

/* The way of `set` that holds `fingerprint`, or -1: both compared side by side and the way
 * picked without a branch on which (a stream's way is either, so a branch per way would be
 * mispredicted as streams alternate). A fingerprint is in one way at most. */
RF_INLINE int rf_session_way_of(const struct rf_session_cache_set *set, __u64 fingerprint) {
  const int in_way0 = set->fingerprint[0] == fingerprint;
  const int in_way1 = set->fingerprint[1] == fingerprint;
  return (in_way0 | in_way1) ? in_way1 : -1;
}

/*
 * The way a session that holds neither takes: the one with fewer frames counted since its
 * session took it (an empty way has none; on a tie, way 0). Nothing to update per frame: the
 * counts are the use. A stream sending at rate keeps its way against others that come and go,
 * which take turns in the other; a session that stopped keeps its way until the worker's
 * expiry empties it (the XDP cache has none: its set then works as a direct-mapped slot, as
 * every slot did before).
 */
RF_INLINE __u32 rf_session_victim_way(const struct rf_session_cache_set *set) {
  return set->counts[1].frames < set->counts[0].frames;
}

RF_INLINE int rf_session_key_equal(const struct rf_session_key *a,
                                   const struct rf_session_key *b) {
  const __u64 *x = (const __u64 *)a;
  const __u64 *y = (const __u64 *)b;
  return ((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]) | (x[3] ^ y[3]) | (x[4] ^ y[4]) |
          (x[5] ^ y[5])) == 0;
}

#ifdef __cplusplus
#define RF_SESSION_STATIC_ASSERT static_assert
#else
#define RF_SESSION_STATIC_ASSERT _Static_assert
#endif
RF_SESSION_STATIC_ASSERT(sizeof(struct rf_session_key) == 48, "rf_session_key layout");
RF_SESSION_STATIC_ASSERT(sizeof(struct rf_session_slot) == 64, "rf_session_slot layout");
RF_SESSION_STATIC_ASSERT(sizeof(struct rf_session_cache_set) == 144, "rf_session_cache_set layout");
RF_SESSION_STATIC_ASSERT(RF_SESSION_CACHE_WAYS == 2, "rf_session_way_of, rf_session_victim_way");
#undef RF_SESSION_STATIC_ASSERT

#endif /* REFLECTOR_PACKET_SESSION_H_ */
