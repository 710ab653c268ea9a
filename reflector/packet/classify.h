/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The classifier (SPEC §3) and the in-place reflector (SPEC §4), written once for both the XDP
 * program and userspace. Rules that keep it loadable by the BPF verifier and safe everywhere:
 *   - every read is preceded by an explicit check, RF_FITS, that the bytes lie in the frame;
 *   - offsets are small bounded integers, pointers are rebuilt as `data + offset` once the
 *     check passed;
 *   - loops have constant trip counts; no libc, no allocation, no globals.
 */
#ifndef REFLECTOR_PACKET_CLASSIFY_H_
#define REFLECTOR_PACKET_CLASSIFY_H_

#include "reflector/packet/wire.h"

/* Fixed-count loops are unrolled: the verifier then sees straight-line code, and g++ would
 * otherwise keep a counter and a branch per byte compared. */
#if defined(__clang__)
#define RF_UNROLL _Pragma("unroll")
#elif defined(__GNUC__)
#define RF_UNROLL _Pragma("GCC unroll 16")
#else
#define RF_UNROLL
#endif

/*
 * Whether the `n` bytes at offset `off` lie inside the frame [data, end). The verifier learns a
 * packet's bounds only from comparing packet pointers, so the BPF program compares
 * `data + off + n` with `end`, and the bounds then hold for `data + off` only: form the pointer
 * to read through right after its check, from the same offset. C and C++ define pointer
 * arithmetic only inside an object, and on a short frame `data + off + n` lies past its end:
 * undefined, so g++ -O2 cannot use such a check and warned about the reads it guards (issue
 * 20). Userspace compares lengths instead.
 */
#if defined(__bpf__)
#define RF_FITS(data, off, n, end) ((data) + (off) + (n) <= (end))
#define RF_PTR_FITS(data, p, n, end) ((p) + (n) <= (end))
#else
#define RF_FITS(data, off, n, end) ((__u64)(off) + (__u64)(n) <= (__u64)((end) - (data)))
#define RF_PTR_FITS(data, p, n, end) RF_FITS(data, (p) - (data), n, end)
#endif

/*
 * Loads and stores as wide as the field, in host byte order. The BPF target reads packet memory
 * through a plain dereference (the verifier allows unaligned packet access where the CPU does);
 * g++ gets __builtin_memcpy, which it compiles to the same single move without alignment or
 * aliasing assumptions. Compare such values only with values loaded the same way.
 */
#if defined(__bpf__)
#define RF_DEFINE_ACCESS(bits)                                                         \
  RF_INLINE __u##bits rf_load_u##bits(const __u8 *p) { return *(const __u##bits *)p; } \
  RF_INLINE void rf_store_u##bits(__u8 *p, __u##bits v) { *(__u##bits *)p = v; }
#else
#define RF_DEFINE_ACCESS(bits)                               \
  RF_INLINE __u##bits rf_load_u##bits(const __u8 *p) {       \
    __u##bits v;                                             \
    __builtin_memcpy(&v, p, sizeof(v));                      \
    return v;                                                \
  }                                                          \
  RF_INLINE void rf_store_u##bits(__u8 *p, __u##bits v) { __builtin_memcpy(p, &v, sizeof(v)); }
#endif
RF_DEFINE_ACCESS(16)
RF_DEFINE_ACCESS(32)
RF_DEFINE_ACCESS(64)
#undef RF_DEFINE_ACCESS

RF_INLINE __u16 rf_load_be16(const __u8 *p) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  return __builtin_bswap16(rf_load_u16(p));
#else
  return rf_load_u16(p);
#endif
}

RF_INLINE void rf_store_be16(__u8 *p, __u16 v) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  rf_store_u16(p, __builtin_bswap16(v));
#else
  rf_store_u16(p, v);
#endif
}

/* The host-order value of 2 or 4 bytes as they lie in memory: what a wide load of them reads,
 * so frame fields can be compared with constants without byte swaps. */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define RF_BYTES16(b0, b1) ((__u16)((b0) | ((b1) << 8)))
#define RF_BYTES32(b0, b1, b2, b3) \
  ((__u32)(b0) | ((__u32)(b1) << 8) | ((__u32)(b2) << 16) | ((__u32)(b3) << 24))
#else
#define RF_BYTES16(b0, b1) ((__u16)(((b0) << 8) | (b1)))
#define RF_BYTES32(b0, b1, b2, b3) \
  (((__u32)(b0) << 24) | ((__u32)(b1) << 16) | ((__u32)(b2) << 8) | (__u32)(b3))
#endif

RF_INLINE int rf_mac_equal(const __u8 *a, const __u8 *b) {
  return ((rf_load_u32(a) ^ rf_load_u32(b)) | (__u32)(rf_load_u16(a + 4) ^ rf_load_u16(b + 4))) == 0;
}

RF_INLINE int rf_mac_is_zero(const __u8 *mac) {
  return (rf_load_u32(mac) | (__u32)rf_load_u16(mac + 4)) == 0;
}

/* IPv4 0/8, 127/8, 224/4 and 240/4 (which holds the limited broadcast) are not unicast. */
RF_INLINE int rf_ipv4_is_unicast(const __u8 *addr) {
  return addr[0] != 0 && addr[0] != 127 && addr[0] < 224;
}

/* IPv6 :: and ::1 and ff00::/8 are not unicast. */
RF_INLINE int rf_ipv6_is_unicast(const __u8 *addr) {
  const __u64 high = rf_load_u64(addr);
  const __u64 low = rf_load_u64(addr + 8);
  /* :: and ::1 are the addresses whose first 15 bytes are zero and whose last is 0 or 1. */
  const __u64 low_without_last_bit =
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
      low & ~((__u64)1 << 56);
#else
      low & ~(__u64)1;
#endif
  if ((high | low_without_last_bit) == 0) return 0;
  return addr[0] != 0xff;
}

/*
 * The rule stage's second pass (the reason of a frame no rule took) is branch-free arithmetic
 * on 0/1 values, built from the three primitives below. The BPF target has no conditional
 * moves, so every comparison is a branch; a pass that keeps the best reason so far in a
 * variable would give the verifier a path per reason per rule of the loop, and with 32 rules
 * the program would not load. So for BPF the primitives compute 0 or 1 with shifts, and
 * RF_OPAQUE hides each 0/1 value from the compiler, which would otherwise turn the arithmetic
 * back into compare-and-branch. For g++ they are plain comparisons (setcc/cmov). The logic that
 * combines them is the same code for both.
 */
#if defined(__bpf__)
#define RF_OPAQUE(x) __asm__ volatile("" : "+r"(x))
#else
#define RF_OPAQUE(x) ((void)0)
#endif

#if defined(__bpf__)
/* 1 when x == 0, else 0. The barriers sit before the shift (else the compiler recognises
 * "x != 0" in it) and on the result (else it knows the result is 0 or 1 and turns masks made
 * from it into branches). */
RF_INLINE __u64 rf_is_zero(__u64 x) {
  __u64 sign = x | (0 - x); /* bit 63 set unless x == 0 */
  RF_OPAQUE(sign);
  __u64 zero = (sign >> 63) ^ 1;
  RF_OPAQUE(zero);
  return zero;
}

/* 1 when a >= b, else 0; both below 2^32. */
RF_INLINE __u64 rf_at_least(__u64 a, __u64 b) {
  __u64 difference = a - b; /* bit 63 set when a < b */
  RF_OPAQUE(difference);
  __u64 at_least = (difference >> 63) ^ 1;
  RF_OPAQUE(at_least);
  return at_least;
}

/* max(a, b); both below 2^32. */
RF_INLINE __u64 rf_max(__u64 a, __u64 b) {
  __u64 difference = a - b;
  RF_OPAQUE(difference);
  __u64 below = 0 - (difference >> 63); /* all ones when a < b */
  RF_OPAQUE(below);
  return a - (difference & below);
}
#else
/* x86 and arm64 compare into a register (setcc, cset) and select (cmov, csel) without a
 * branch, so plain comparisons are the cheapest branch-free form for g++. */
RF_INLINE __u64 rf_is_zero(__u64 x) { return x == 0; }
RF_INLINE __u64 rf_at_least(__u64 a, __u64 b) { return a >= b; }
RF_INLINE __u64 rf_max(__u64 a, __u64 b) { return a > b ? a : b; }
#endif

/* A MAC's first three bytes as a 32-bit value, the fourth byte cleared: how rf_config.ouis
 * holds OUIs, so one compare tests one. */
RF_INLINE __u32 rf_oui_key(const __u8 *mac) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  return rf_load_u32(mac) & 0x00ffffffu;
#else
  return rf_load_u32(mac) & 0xffffff00u;
#endif
}

/* Bit i set when the frame's source OUI is the config's OUI i, and RF_ANY_OUI. */
RF_INLINE __u32 rf_oui_bits(const __u8 *mac, const struct rf_config *cfg) {
  const __u64 oui = rf_oui_key(mac);
  __u64 bits = RF_ANY_OUI;
  /* Bounded loops (kernel >= 5.3), not unrolled: the counts come from the config. */
  for (__u32 i = 0; i < RF_MAX_OUIS; i++) {
    if (i >= cfg->oui_count) break;
    bits |= rf_is_zero(oui ^ cfg->ouis[i]) << i;
  }
  return (__u32)bits;
}

/* Whether the source OUI is one of the config's OUIs whose bits `ouis` has: rf_oui_bits & ouis,
 * stopping at the first that matches (for one rule, where no bit set is kept for others). */
RF_INLINE int rf_oui_listed(const __u8 *mac, const struct rf_config *cfg, __u32 ouis) {
  const __u32 oui = rf_oui_key(mac);
  for (__u32 i = 0; i < RF_MAX_OUIS; i++) {
    if (i >= cfg->oui_count) break;
    if (((ouis >> i) & 1) && oui == cfg->ouis[i]) return 1;
  }
  return 0;
}

/* Bit i set when the IPv4 address `addr` lies in the config's prefix i, and RF_ANY_PREFIX. */
RF_INLINE __u64 rf_ipv4_prefix_bits(const __u8 *addr, const struct rf_config *cfg) {
  const __u64 value = rf_load_u32(addr);
  __u64 bits = 0;
  for (__u32 i = 0; i < RF_MAX_PREFIXES; i++) {
    if (i >= cfg->prefix_count) break;
    const struct rf_prefix *prefix = &cfg->prefixes[i];
    const __u64 inside = rf_is_zero((__u64)prefix->version ^ 4) &
                         rf_is_zero((value & rf_load_u32(prefix->mask)) ^ rf_load_u32(prefix->addr));
    bits |= inside << i;
  }
  return bits | RF_ANY_PREFIX;
}

/* Bit i set when the IPv6 address `addr` lies in the config's prefix i, and RF_ANY_PREFIX. */
RF_INLINE __u64 rf_ipv6_prefix_bits(const __u8 *addr, const struct rf_config *cfg) {
  const __u64 high = rf_load_u64(addr);
  const __u64 low = rf_load_u64(addr + 8);
  __u64 bits = 0;
  for (__u32 i = 0; i < RF_MAX_PREFIXES; i++) {
    if (i >= cfg->prefix_count) break;
    const struct rf_prefix *prefix = &cfg->prefixes[i];
    const __u64 inside =
        rf_is_zero((__u64)prefix->version ^ 6) &
        rf_is_zero(((high & rf_load_u64(prefix->mask)) ^ rf_load_u64(prefix->addr)) |
                   ((low & rf_load_u64(prefix->mask + 8)) ^ rf_load_u64(prefix->addr + 8)));
    bits |= inside << i;
  }
  return bits | RF_ANY_PREFIX;
}

/* What the rules look at, gathered once per frame by the safety stage. The ports are read from
 * the frame when a rule is tested; the list bit sets are looked up (rf_look_up_lists) before a
 * pass over all the rules (in the XDP fast tier, the OUI's only for the rule whose pattern
 * holds), and not at all for the one rule the fast tier tries first. */
struct rf_facts {
  const __u8 *udp;      /* the UDP header, which holds the ports */
  const __u8 *src_mac;
  const __u8 *src_addr; /* IP addresses */
  const __u8 *dst_addr;
  __u64 dst_bits;       /* rf_look_up_lists: prefix bits of the destination address | RF_ANY_PREFIX */
  __u64 src_bits;       /* of the source address */
  __u32 oui_bits;       /* rf_look_up_lists: rf_oui_bits | RF_ANY_OUI */
  __u32 payload_off;    /* UDP payload */
  __u32 payload_len;    /* from the UDP length: never Ethernet padding */
  __u32 vlan_key;       /* rf_vlan_key */
  __u8 version_bit;     /* RF_IP_VERSION_BIT of the frame's IP version */
  __u8 ip_version;
};

/* Which tags a frame has and their VLAN IDs, as rf_rule.vlan_mask / vlan_value test them. */
RF_INLINE __u32 rf_vlan_key(__u32 tags, __u32 outer_vid, __u32 inner_vid) {
  __u32 key = 0;
  if (tags >= 1) key |= RF_VLAN_KEY_OUTER_PRESENT | (outer_vid << RF_VLAN_KEY_OUTER_SHIFT);
  if (tags >= 2) key |= RF_VLAN_KEY_INNER_PRESENT | inner_vid;
  return key;
}

/* The rule-stage reasons are consecutive, in the order a rule checks them. */
#ifdef __cplusplus
static_assert(RF_ADDRESS == RF_VLAN_ID + 1 && RF_PORT == RF_VLAN_ID + 2 &&
                  RF_SIGNATURE == RF_VLAN_ID + 3 && RF_OUI == RF_VLAN_ID + 4,
              "rule-stage verdicts out of order");
#else
_Static_assert(RF_ADDRESS == RF_VLAN_ID + 1 && RF_PORT == RF_VLAN_ID + 2 &&
                   RF_SIGNATURE == RF_VLAN_ID + 3 && RF_OUI == RF_VLAN_ID + 4,
               "rule-stage verdicts out of order");
#endif

/*
 * The conditions of a rule, each 0 or 1 (wire.h stores absent conditions so that they hold).
 * The classifier asks them twice, from the same definitions: first, rule by rule, whether all
 * hold, leaving a rule at its first failed condition (cheap, and the usual test frame matches
 * the first rule); then, only for a frame no rule took, how far each rule got, branch-free, to
 * name the reason. Each condition is written once, over a pair of primitives: the first pass
 * uses plain comparisons (a branch per condition is what it wants), the second the branch-free
 * ones.
 */
#define RF_VLAN_OK(is_zero, at_least, rule, facts) \
  is_zero(((facts)->vlan_key & (rule)->vlan_mask) ^ (rule)->vlan_value)
#define RF_ADDRESS_OK(is_zero, at_least, rule, facts)                         \
  ((is_zero((__u64)((rule)->ip_versions & (facts)->version_bit)) ^ 1) &       \
   (is_zero((rule)->dst_prefixes & (facts)->dst_bits) ^ 1) &                  \
   (is_zero((rule)->src_prefixes & (facts)->src_bits) ^ 1))
/* port - min wraps to a large 32-bit value below the range. */
#define RF_PORT_OK(is_zero, at_least, rule, facts)                                         \
  (at_least((rule)->dst_port_span,                                                         \
            (__u32)(rf_load_be16((facts)->udp + 2) - (rule)->dst_port_min)) &              \
   at_least((rule)->src_port_span, (__u32)(rf_load_be16((facts)->udp) - (rule)->src_port_min)))
#define RF_OUI_OK(is_zero, at_least, rule, facts) \
  (is_zero((__u64)((rule)->ouis & (facts)->oui_bits)) ^ 1)

RF_INLINE __u64 rf_plain_is_zero(__u64 x) { return x == 0; }
RF_INLINE __u64 rf_plain_at_least(__u64 a, __u64 b) { return a >= b; }

/*
 * The payload pattern is kept right-aligned in 16 bytes, so one masked compare of the 16 frame
 * bytes that end where the pattern ends decides, whatever its length; mask bytes in front of
 * the pattern are zero. No pattern: pattern_end 0 and an empty mask. The compare is done in
 * two halves; the second holds the pattern's last 8 bytes, all of a pattern up to 8 long.
 */
RF_INLINE __u64 rf_pattern_end(const struct rf_rule *rule) {
  /* A mask keeps the verifier's bounds small; valid configs are far inside it. */
  return rule->pattern_end & 0x7ff;
}

/* Masked differences between the 16 bytes at `p` and the pattern's halves: 0 when equal. */
RF_INLINE __u64 rf_pattern_head_difference(const __u8 *p, const struct rf_rule *rule) {
  return (rf_load_u64(p) & rf_load_u64(rule->mask)) ^ rf_load_u64(rule->pattern);
}
RF_INLINE __u64 rf_pattern_tail_difference(const __u8 *p, const struct rf_rule *rule) {
  return (rf_load_u64(p + 8) & rf_load_u64(rule->mask + 8)) ^ rf_load_u64(rule->pattern + 8);
}

/*
 * The first pass's pattern test: 1 when the pattern is in the UDP payload, 0 when not, -1 when
 * the 16 bytes compared are not in the frame, which the payload length rules out (for the
 * verifier).
 */
RF_INLINE long rf_pattern_matches(const __u8 *data, const __u8 *end, const struct rf_rule *rule,
                                  const struct rf_facts *facts) {
  const __u64 pattern_end = rf_pattern_end(rule);
  if (pattern_end > facts->payload_len) return 0;
  const __u64 window = facts->payload_off - RF_PATTERN_LEN + pattern_end;
  if (window > 0xffff || !RF_FITS(data, window, RF_PATTERN_LEN, end)) return -1;
  const __u8 *p = data + window;
  return rf_pattern_tail_difference(p, rule) == 0 && rf_pattern_head_difference(p, rule) == 0;
}

/*
 * The same test for the branch-free second pass. When the pattern would end past the UDP
 * payload it compares the 16 bytes before the payload instead (always in the frame: the end of
 * the IP header and the UDP header), and that result does not count.
 */
RF_INLINE long rf_pattern_ok(const __u8 *data, const __u8 *end, const struct rf_rule *rule,
                             const struct rf_facts *facts) {
  const __u64 pattern_end = rf_pattern_end(rule);
  const __u64 in_payload = rf_at_least(facts->payload_len, pattern_end);
  const __u64 window = facts->payload_off - RF_PATTERN_LEN + (pattern_end & (0 - in_payload));
  if (window > 0xffff || !RF_FITS(data, window, RF_PATTERN_LEN, end)) return -1;
  const __u8 *p = data + window;
  return (long)(in_payload & rf_is_zero(rf_pattern_head_difference(p, rule) |
                                        rf_pattern_tail_difference(p, rule)));
}

/*
 * How far `rule` gets with the frame: RF_VLAN_ID + the number of its checks that hold before
 * the first that fails (VLAN, addresses, ports, payload pattern, OUI), so RF_VLAN_ID .. RF_OUI
 * name the failing check and RF_OUI + 1 means every check holds; -1 as rf_pattern_ok.
 */
#if defined(__bpf__)
#define RF_OUT_OF_LINE RF_INLINE
#else
/* Out of line for g++: rf_rule_progress inlined into the classifier runs out of registers and
 * spills its 0/1 values as bytes that are read back wider, a store-forwarding stall each; the
 * exact classifier inlined would crowd the fast tier's registers the same way. */
#define RF_OUT_OF_LINE static inline __attribute__((noinline))
#endif
RF_OUT_OF_LINE long rf_rule_progress(const __u8 *data, const __u8 *end,
                                     const struct rf_rule *rule, const struct rf_facts *facts) {
  const long pattern_ok = rf_pattern_ok(data, end, rule, facts);
  if (pattern_ok < 0) return -1;
  const __u64 past_vlan = RF_VLAN_OK(rf_is_zero, rf_at_least, rule, facts);
  const __u64 past_address = past_vlan & RF_ADDRESS_OK(rf_is_zero, rf_at_least, rule, facts);
  const __u64 past_port = past_address & RF_PORT_OK(rf_is_zero, rf_at_least, rule, facts);
  const __u64 past_pattern = past_port & (__u64)pattern_ok;
  const __u64 past_oui = past_pattern & RF_OUI_OK(rf_is_zero, rf_at_least, rule, facts);
  return (long)(RF_VLAN_ID + past_vlan + past_address + past_port + past_pattern + past_oui);
}

/* Bits of the config's prefixes that hold the IP address `addr`, and RF_ANY_PREFIX. */
RF_INLINE __u64 rf_prefix_bits(const __u8 *addr, __u8 ip_version, const struct rf_config *cfg) {
  return ip_version == 4 ? rf_ipv4_prefix_bits(addr, cfg) : rf_ipv6_prefix_bits(addr, cfg);
}

/* The bit sets of the addresses in the config's prefix list, looked up only when some rule has
 * one (else RF_ANY_PREFIX, which every rule's address condition tests then). (Looked up per
 * rule in the loop over the rules, the lookups' loops inside it would make the program too long
 * to verify.) */
RF_INLINE void rf_look_up_prefixes(const struct rf_config *cfg, struct rf_facts *facts) {
  facts->dst_bits = RF_ANY_PREFIX;
  facts->src_bits = RF_ANY_PREFIX;
  if (cfg->flags & RF_CFG_USES_PREFIXES) {
    facts->dst_bits = rf_prefix_bits(facts->dst_addr, facts->ip_version, cfg);
    facts->src_bits = rf_prefix_bits(facts->src_addr, facts->ip_version, cfg);
  }
}

/* The bit set of the source OUI in the config's OUI list, likewise. */
RF_INLINE void rf_look_up_oui(const struct rf_config *cfg, struct rf_facts *facts) {
  facts->oui_bits = (cfg->flags & RF_CFG_USES_OUIS) ? rf_oui_bits(facts->src_mac, cfg) : RF_ANY_OUI;
}

RF_INLINE void rf_look_up_lists(const struct rf_config *cfg, struct rf_facts *facts) {
  rf_look_up_oui(cfg, facts);
  rf_look_up_prefixes(cfg, facts);
}

/*
 * The first pass's test of one rule: 1 when all its conditions hold, 0 when one does not, -1 as
 * rf_pattern_matches. The payload pattern first: it tells the default rules apart. A rule's
 * lists (prefixes, OUIs) are tested last, only for a rule that has them and got that far: the
 * bit sets in `facts` (rf_look_up_lists), or with `look_up` (a constant) the frame's addresses
 * and OUI looked up here, for the one rule the fast tier tries on its own. (Inside the loop over
 * the rules, the lookups' own loops would multiply the paths the verifier walks.)
 */
RF_INLINE long rf_rule_takes(const struct rf_config *cfg, const struct rf_rule *rule,
                             const struct rf_facts *facts, int look_up) {
  if (!RF_PORT_OK(rf_plain_is_zero, rf_plain_at_least, rule, facts) ||
      !RF_VLAN_OK(rf_plain_is_zero, rf_plain_at_least, rule, facts) ||
      !(rule->ip_versions & facts->version_bit)) {
    return 0;
  }
  if (!(rule->flags & RF_RULE_LISTS)) return 1;
  if (!look_up) {
    return (rule->dst_prefixes & facts->dst_bits) && (rule->src_prefixes & facts->src_bits) &&
           (rule->ouis & facts->oui_bits);
  }
  if (!(rule->dst_prefixes & RF_ANY_PREFIX) &&
      !(rule->dst_prefixes & rf_prefix_bits(facts->dst_addr, facts->ip_version, cfg))) {
    return 0;
  }
  if (!(rule->src_prefixes & RF_ANY_PREFIX) &&
      !(rule->src_prefixes & rf_prefix_bits(facts->src_addr, facts->ip_version, cfg))) {
    return 0;
  }
  return (rule->ouis & RF_ANY_OUI) || rf_oui_listed(facts->src_mac, cfg, rule->ouis);
}

RF_INLINE long rf_rule_matches(const __u8 *data, const __u8 *end, const struct rf_config *cfg,
                               const struct rf_rule *rule, const struct rf_facts *facts,
                               int look_up) {
  const long pattern = rf_pattern_matches(data, end, rule, facts);
  if (pattern <= 0) return pattern;
  return rf_rule_takes(cfg, rule, facts, look_up);
}

/* rf_first_rule's answers that are not a rule index. */
#define RF_NO_RULE (-1)
#define RF_WINDOW_OUTSIDE (-2) /* a pattern's window is not in the frame: see rf_pattern_matches */

/*
 * A rule-stage reason kept in memory while it is worked out: in the XDP program, per-CPU map
 * memory, whose contents the verifier does not track, each access a load or a store. In a
 * register, the verifier follows the reason as a value to the reject counter's index, and
 * states that differ only in it are verified again for every rule (the program went past the
 * verifier's million instructions).
 */
#if defined(__bpf__)
#define RF_NOTE(field) (*(volatile __u32 *)&(field))
#else
#define RF_NOTE(field) (field)
#endif

/* The first pass over the rules: the index of the first rule whose conditions all hold; the
 * list bit sets in `facts` must be set (rf_look_up_lists). With `pattern_only` (a constant),
 * the index of the first rule whose payload pattern holds, whatever its other conditions, and
 * no list is read: for a frame it gives RF_NO_RULE, every rule failed at its pattern or before,
 * and rf_reason_before_patterns names the reason. */
RF_INLINE long rf_first_rule(const __u8 *data, const __u8 *end, const struct rf_config *cfg,
                             const struct rf_facts *facts, int pattern_only) {
#if defined(__clang__)
#pragma clang loop unroll(disable)
#endif
  for (__u32 i = 0; i < RF_MAX_RULES; i++) {
    if (i >= cfg->rule_count) break;
    const struct rf_rule *rule = &cfg->rules[i];
    /* rf_pattern_matches, with a branch to the next rule from each test that fails: its
     * three-valued answer cost each rule a select and two tests of it. */
    const __u64 pattern_end = rf_pattern_end(rule);
    if (pattern_end > facts->payload_len) continue;
    const __u64 window = facts->payload_off - RF_PATTERN_LEN + pattern_end;
    if (window > 0xffff || !RF_FITS(data, window, RF_PATTERN_LEN, end)) return RF_WINDOW_OUTSIDE;
    const __u8 *p = data + window;
    if (rf_pattern_tail_difference(p, rule) != 0 || rf_pattern_head_difference(p, rule) != 0) {
      continue;
    }
    if (pattern_only || rf_rule_takes(cfg, rule, facts, 0)) return (long)i;
  }
  return RF_NO_RULE;
}

#if !defined(__bpf__)
/* How far `rule` gets with the frame, as rf_rule_progress, given whether its payload pattern
 * holds (`pattern_ok`, 0 or 1, from rf_pattern_matches). For g++ a branch per condition,
 * leaving at the first that fails (the count of conditions that hold before it, as
 * rf_rule_progress adds them up branch-free): a reject's rule usually fails at its pattern,
 * and the branch-free form computed every condition, out of line (51 instructions and a call,
 * callgrind). Inline: it keeps no 0/1 values that would be spilled. Userspace only, as its one
 * caller below. */
RF_INLINE __u64 rf_rule_progress_given(const struct rf_rule *rule,
                                       const struct rf_facts *facts, __u64 pattern_ok) {
  if (!RF_VLAN_OK(rf_plain_is_zero, rf_plain_at_least, rule, facts)) return RF_VLAN_ID;
  if (!RF_ADDRESS_OK(rf_plain_is_zero, rf_plain_at_least, rule, facts)) return RF_ADDRESS;
  if (!RF_PORT_OK(rf_plain_is_zero, rf_plain_at_least, rule, facts)) return RF_PORT;
  if (!pattern_ok) return RF_SIGNATURE;
  if (!RF_OUI_OK(rf_plain_is_zero, rf_plain_at_least, rule, facts)) return RF_OUI;
  return RF_OUI + 1;
}

/*
 * rf_first_rule and, for a frame no rule takes (RF_NO_RULE), in `*reason` what
 * rf_closest_reason would name, without its second pass over every rule: only the rules that
 * can be the closest are asked how far they got, one whose pattern holds and the first of the
 * rules with the same VLAN, address and port conditions (RF_RULE_REASON); a later one whose
 * pattern fails gets exactly as far as that first one. (With the default profiles: the first
 * rule, and one whose signature is in the frame.) Userspace only: in the kernel programs the
 * furthest reason kept in this loop took the verifier past its million instructions, so they
 * keep rf_first_rule (and the fast tier rf_reason_before_patterns).
 */
RF_INLINE long rf_first_rule_or_reason(const __u8 *data, const __u8 *end,
                                       const struct rf_config *cfg, const struct rf_facts *facts,
                                       __u32 *reason) {
  __u64 furthest = RF_FIRST_RULE_VERDICT;
  /* A pointer to the end of the table and one to the rule: inlined into the fast tier, a
   * counter and the count did not fit in registers and were reloaded from the stack per rule. */
  const struct rf_rule *const rules = cfg->rules;
  const struct rf_rule *const rules_end =
      rules + (cfg->rule_count < RF_MAX_RULES ? cfg->rule_count : RF_MAX_RULES);
  for (const struct rf_rule *rule = rules; rule != rules_end; rule++) {
    const long pattern = rf_pattern_matches(data, end, rule, facts);
    if (pattern < 0) return RF_WINDOW_OUTSIDE;
    if (pattern > 0 && rf_rule_takes(cfg, rule, facts, 0)) return (long)(rule - rules);
    if (pattern > 0 || (rule->flags & RF_RULE_REASON)) {
      furthest = rf_max(furthest, rf_rule_progress_given(rule, facts, (__u64)pattern));
    }
  }
  /* Cannot exceed RF_OUI: the rule would have taken the frame. Fail closed. */
  *reason = furthest > RF_OUI ? (__u32)RF_OUI : (__u32)furthest;
  return RF_NO_RULE;
}
#endif

/* The reason of a frame no rule takes, when every rule failed at its payload pattern or
 * before (rf_first_rule with `pattern_only` gave RF_NO_RULE): what rf_closest_reason would
 * name, asking only the rules that can come closest (RF_RULE_REASON) how far they got, which is
 * at most to their pattern, so the source OUI is not needed; the prefix bits in `facts` must be
 * set (rf_look_up_prefixes). Into `*reason`, per-CPU map memory in the XDP program (RF_NOTE).
 * It walks the chain of those rules (first_reason_rule, next_reason_rule), not the table: with
 * the default profiles one rule of five. */
RF_INLINE void rf_reason_before_patterns(const struct rf_config *cfg,
                                         const struct rf_facts *facts, __u32 *reason) {
  RF_NOTE(*reason) = RF_FIRST_RULE_VERDICT;
  __u32 i = cfg->first_reason_rule;
#if defined(__clang__)
#pragma clang loop unroll(disable)
#endif
  for (__u32 steps = 0; steps < RF_MAX_RULES; steps++) {
    if (i >= cfg->rule_count) break; /* RF_MAX_RULES ends the chain */
    const struct rf_rule *rule = &cfg->rules[i & (RF_MAX_RULES - 1)];
    /* As rf_rule_progress with its pattern failed: the conditions before it. */
    const __u64 past_vlan = RF_VLAN_OK(rf_is_zero, rf_at_least, rule, facts);
    const __u64 past_address = past_vlan & RF_ADDRESS_OK(rf_is_zero, rf_at_least, rule, facts);
    const __u64 past_port = past_address & RF_PORT_OK(rf_is_zero, rf_at_least, rule, facts);
    RF_NOTE(*reason) =
        (__u32)rf_max(RF_NOTE(*reason), RF_VLAN_ID + past_vlan + past_address + past_port);
    i = rule->next_reason_rule;
  }
}

/* An RF_REFLECT result: where the headers are, and the matching rule's index and actions. */
RF_INLINE void rf_fill_result(struct rf_result *res, __u32 l3_off, __u32 l4_off, __u32 udp_len,
                              __u32 tags, const struct rf_facts *facts, long rule_index,
                              const struct rf_rule *rule) {
  res->l3_offset = (__u16)l3_off;
  res->l4_offset = (__u16)l4_off;
  res->payload_offset = (__u16)facts->payload_off;
  res->udp_length = (__u16)udp_len;
  res->ip_version = facts->ip_version;
  res->rule = (__u8)rule_index;
  res->vlan_tags = (__u8)tags;
  res->mode = rule->mode;
  res->actions = rule->actions;
#if !defined(__bpf__)
  res->reserved[0] = res->reserved[1] = res->reserved[2] = 0;
#endif
}

/* The second pass, for a frame that passed the safety checks and that no rule took: the
 * reason of the rule that came closest. The list bit sets in `facts` must be set. */
RF_INLINE enum rf_verdict rf_closest_reason(const __u8 *data, const __u8 *end,
                                            const struct rf_config *cfg,
                                            const struct rf_facts *facts) {
  __u64 verdict = RF_FIRST_RULE_VERDICT;
#if defined(__clang__)
#pragma clang loop unroll(disable)
#endif
  for (__u32 i = 0; i < RF_MAX_RULES; i++) {
    if (i >= cfg->rule_count) break;
    const long progress = rf_rule_progress(data, end, &cfg->rules[i], facts);
    if (progress < 0) return RF_TOO_SHORT;
    /* Cannot exceed RF_OUI: the first pass would have taken the frame. Fail closed. */
    verdict = rf_max(verdict, (__u64)progress);
  }
  if (verdict > RF_OUI) verdict = RF_OUI;
  return (enum rf_verdict)verdict;
}

/* rf_classify_exact: the frame's outer tag was taken out of its bytes (tc's skb metadata). */
#define RF_STRIPPED_TAG 0x10000u

/*
 * The exact classifier: the safety checks of SPEC §3 in order, then the rules, and for a frame
 * no rule takes the reason of the rule that came closest. On RF_REFLECT, `res` says where the
 * headers are, which rule matched and how to reflect; on any other verdict its content is
 * unspecified. `stripped_tag` is 0, or RF_STRIPPED_TAG | TCI of an outer tag the driver removed
 * from the bytes, which then counts as the frame's first tag. rf_classify_hinted puts the fast
 * tier in front of it.
 */
RF_OUT_OF_LINE enum rf_verdict rf_classify_exact(const __u8 *data, const __u8 *end,
                                                 const struct rf_config *cfg, __u32 stripped_tag,
                                                 struct rf_result *res) {
  struct rf_facts facts;
#if defined(__bpf__)
  /* Defined on every path: left undefined on rejects, clang may reuse its registers for other
   * values there, and the verifier then follows those values into the reflect path. (Not for
   * g++: narrow field stores after these wide ones would stall the caller's wide reads.) */
  rf_store_u64((__u8 *)res, 0);
  rf_store_u64((__u8 *)res + 8, 0);
#endif
  /* Ethernet addresses. */
  if (!RF_FITS(data, 0, RF_ETH_ALEN, end)) return RF_TOO_SHORT;
  /* Multicast, broadcast and all-zero are never ours, even with the dst MAC filter off: a
   * reply to them would carry a group or zero source MAC. */
  if ((data[0] & 1) || rf_mac_is_zero(data)) return RF_DST_MAC;
  if ((cfg->flags & RF_CFG_DST_MAC_FILTER) && !rf_mac_equal(data, cfg->if_mac)) return RF_DST_MAC;

  if (!RF_FITS(data, 0, 2 * RF_ETH_ALEN, end)) return RF_TOO_SHORT;
  const __u8 *src_mac = data + RF_ETH_ALEN;
  /* Loop guards: a frame from ourselves, or one whose reply would go back to its own sender
   * address (src == dst, possible with the dst MAC filter off). */
  if ((src_mac[0] & 1) || rf_mac_is_zero(src_mac) || rf_mac_equal(src_mac, cfg->if_mac) ||
      rf_mac_equal(src_mac, data)) {
    return RF_SRC_MAC;
  }

  /* Up to two 802.1Q / 802.1ad tags; a third is rejected. */
  __u32 type_off = 2 * RF_ETH_ALEN;
  __u16 ethertype = 0;
  __u16 outer_vid = 0;
  __u16 inner_vid = 0;
  __u32 tags = 0;
  if (stripped_tag) {
    if (!(cfg->flags & RF_CFG_VLAN)) return RF_VLAN;
    outer_vid = stripped_tag & 0x0fff;
    tags = 1;
  }
  RF_UNROLL for (int i = 0; i <= RF_MAX_VLAN_TAGS; i++) {
    if (!RF_FITS(data, type_off, 2, end)) return RF_TOO_SHORT;
    ethertype = rf_load_be16(data + type_off);
    if (ethertype != RF_ETHERTYPE_VLAN && ethertype != RF_ETHERTYPE_QINQ) break;
    if (!(cfg->flags & RF_CFG_VLAN) || tags == RF_MAX_VLAN_TAGS) return RF_VLAN;
    if (!RF_FITS(data, type_off, RF_VLAN_HLEN, end)) return RF_TOO_SHORT;
    const __u16 vid = rf_load_be16(data + type_off + 2) & 0x0fff;
    if (tags == 0) {
      outer_vid = vid;
    } else {
      inner_vid = vid;
    }
    tags++;
    type_off += RF_VLAN_HLEN;
  }
  const __u32 l3_off = type_off + 2;

  /* IP header: the frame must hold what the header claims. */
  __u32 l4_off;
  __u32 ip_payload_len;
  const __u8 *src_addr;
  const __u8 *dst_addr;
  if (ethertype == RF_ETHERTYPE_IPV4) {
    if (!RF_FITS(data, l3_off, 1, end)) return RF_TOO_SHORT;
    const __u8 *ip = data + l3_off;
    if ((ip[0] >> 4) != 4) return RF_IP_HEADER;
    const __u32 ihl = (__u32)(ip[0] & 0x0f) * 4;
    if (ihl < RF_IPV4_MIN_HLEN) return RF_IP_HEADER;
    if (!RF_FITS(data, l3_off, RF_IPV4_MIN_HLEN, end)) return RF_TOO_SHORT;
    if (!RF_FITS(data, l3_off, ihl, end)) return RF_TOO_SHORT;
    const __u32 total_len = rf_load_be16(ip + 2);
    if (total_len < ihl + RF_UDP_HLEN) return RF_IP_HEADER;
    if (!RF_FITS(data, l3_off, total_len, end)) return RF_IP_HEADER;
    if (rf_load_be16(ip + 6) & 0x3fff) return RF_FRAGMENT; /* MF flag or fragment offset */
    if (ip[9] != RF_IPPROTO_UDP) return RF_PROTOCOL;
    if (!rf_ipv4_is_unicast(ip + 12) || !rf_ipv4_is_unicast(ip + 16)) return RF_SRC_IP;
    src_addr = ip + 12;
    dst_addr = ip + 16;
    l4_off = l3_off + ihl;
    ip_payload_len = total_len - ihl;
    facts.ip_version = 4;
  } else if (ethertype == RF_ETHERTYPE_IPV6 && (cfg->flags & RF_CFG_IPV6)) {
    if (!RF_FITS(data, l3_off, 1, end)) return RF_TOO_SHORT;
    const __u8 *ip = data + l3_off;
    if ((ip[0] >> 4) != 6) return RF_IP_HEADER;
    if (!RF_FITS(data, l3_off, RF_IPV6_HLEN, end)) return RF_TOO_SHORT;
    const __u32 payload_len = rf_load_be16(ip + 4);
    if (!RF_FITS(data, l3_off, RF_IPV6_HLEN + payload_len, end)) return RF_IP_HEADER;
    /* No extension headers: a fragment header (44) is "not UDP" too. */
    if (ip[6] != RF_IPPROTO_UDP) return RF_PROTOCOL;
    if (!rf_ipv6_is_unicast(ip + 8) || !rf_ipv6_is_unicast(ip + 24)) return RF_SRC_IP;
    src_addr = ip + 8;
    dst_addr = ip + 24;
    l4_off = l3_off + RF_IPV6_HLEN;
    ip_payload_len = payload_len;
    facts.ip_version = 6;
  } else {
    return RF_ETHERTYPE;
  }

  /* UDP header, inside the IP payload. */
  if (ip_payload_len < RF_UDP_HLEN) return RF_UDP_HEADER;
  /* Implied by the IP checks; for the verifier. */
  if (!RF_FITS(data, l4_off, RF_UDP_HLEN, end)) return RF_TOO_SHORT;
  const __u8 *udp = data + l4_off;
  const __u32 udp_len = rf_load_be16(udp + 4);
  if (udp_len < RF_UDP_HLEN || udp_len > ip_payload_len) return RF_UDP_HEADER;

  /* The rule stage. */
  facts.payload_off = l4_off + RF_UDP_HLEN;
  facts.payload_len = udp_len - RF_UDP_HLEN;
  facts.udp = udp;
  facts.src_mac = src_mac;
  facts.src_addr = src_addr;
  facts.dst_addr = dst_addr;
  facts.vlan_key = rf_vlan_key(tags, outer_vid, inner_vid);
  facts.version_bit = RF_IP_VERSION_BIT(facts.ip_version);
  rf_look_up_lists(cfg, &facts);
  const struct rf_facts *const facts_ptr = &facts;

#if defined(__bpf__)
  const long first = rf_first_rule(data, end, cfg, facts_ptr, 0);
#else
  __u32 reason = RF_FIRST_RULE_VERDICT;
  const long first = rf_first_rule_or_reason(data, end, cfg, facts_ptr, &reason);
  if (first == RF_NO_RULE) return (enum rf_verdict)reason;
#endif
  if (first == RF_WINDOW_OUTSIDE) return RF_TOO_SHORT;
  if (first >= 0) {
    const struct rf_rule *rule = &cfg->rules[first & (RF_MAX_RULES - 1)];
    rf_fill_result(res, l3_off, l4_off, udp_len, tags, facts_ptr, first, rule);
    return RF_REFLECT;
  }

  return rf_closest_reason(data, end, cfg, facts_ptr);
}

/* A rule hint that names no rule: rf_classify_fast then tries the rules in order. */
#define RF_NO_RULE_HINT 0xffffffffu
/* rf_classify_fast's answer for a frame it leaves to the exact classifier. */
#define RF_FAST_UNDECIDED RF_VERDICT_COUNT

/*
 * The fast tier: the usual test frame (untagged IPv4 with a 20-byte header, UDP) checked with
 * loads as wide as its fields at fixed offsets, after one bounds check, keeping no reasons
 * there: each check below is one of the exact classifier's, specialised to this shape. It
 * answers what the exact classifier would: RF_REFLECT by the same rule with the same `res`, or,
 * for a frame that passed every check and that no rule takes, the rule stage's reason (the same
 * second pass); for a frame its first checks reject (MAC addresses, an EtherType with no
 * parser), the exact classifier's reason, as these are its first checks too. Every other frame
 * gets RF_FAST_UNDECIDED and goes on to the exact classifier, which names the reason.
 *
 * `*hint` is the rule that took the caller's previous frame (RF_NO_RULE_HINT at first): a test
 * stream repeats one rule, so that rule is tried first when no earlier rule can share a frame
 * with it (RF_RULE_SHORTCUT), and the rules before it are not tried at all. It is updated to
 * the rule that took this frame.
 */
#define RF_FAST_L3 RF_ETH_HLEN
#define RF_FAST_L4 (RF_FAST_L3 + RF_IPV4_MIN_HLEN)

/* rf_rule_matches for a rule with RF_RULE_FAST (config compiler, rule_overlap.cc) on a frame
 * of the fast tier's shape, with a UDP payload `payload_len` long: the ports and the pattern's
 * last 8 bytes (all of it, for such a rule), each one masked compare at a fixed offset. The
 * 8 bytes end where the pattern ends, in the payload, so inside the frame (the check is for
 * the verifier). */
RF_INLINE int rf_fast_rule_takes(const __u8 *data, const __u8 *end, const struct rf_rule *rule,
                                 __u64 payload_len) {
  if ((rf_load_u32(data + RF_FAST_L4) & rule->fast_ports_mask) != rule->fast_ports_value) return 0;
  const __u64 pattern_end = rf_pattern_end(rule);
  if (pattern_end > payload_len) return 0;
  /* The pattern's window starts at payload - RF_PATTERN_LEN + pattern_end; its tail 8 later. */
  const __u64 tail = RF_FAST_L4 + RF_UDP_HLEN - RF_PATTERN_LEN / 2 + pattern_end;
  if (!RF_FITS(data, tail, RF_PATTERN_LEN / 2, end)) return 0;
  return rf_pattern_tail_difference(data + tail - RF_PATTERN_LEN / 2, rule) == 0;
}

/* The rule that took the caller's previous frame (`guess`, see rf_classify_fast), when no
 * earlier rule can share a frame with it (RF_RULE_SHORTCUT) and it takes this one; else 0, and
 * the rules are tried in order. `fast_shape` (a constant): the frame has the fast tier's shape,
 * where an RF_RULE_FAST rule is rf_fast_rule_takes. */
RF_INLINE const struct rf_rule *rf_hinted_rule_taking(const __u8 *data, const __u8 *end,
                                                      const struct rf_config *cfg, __u32 guess,
                                                      const struct rf_facts *facts,
                                                      const int fast_shape) {
  if (guess >= cfg->rule_count) return 0;
  const struct rf_rule *rule = &cfg->rules[guess & (RF_MAX_RULES - 1)];
  RF_OPAQUE(rule); /* one pointer kept, rather than the index and the address rebuilt */
  const __u32 flags = rule->flags;
  if (fast_shape && (flags & RF_RULE_FAST)) {
    return rf_fast_rule_takes(data, end, rule, facts->payload_len) ? rule : 0;
  }
  if ((flags & RF_RULE_SHORTCUT) && rf_rule_matches(data, end, cfg, rule, facts, 1) > 0) {
    return rule;
  }
  return 0;
}

/* rf_hinted_rule_taking as the rule's index, or RF_NO_RULE. */
RF_INLINE long rf_hinted_rule(const __u8 *data, const __u8 *end, const struct rf_config *cfg,
                              __u32 guess, const struct rf_facts *facts, const int fast_shape) {
  return rf_hinted_rule_taking(data, end, cfg, guess, facts, fast_shape) ? (long)guess
                                                                           : RF_NO_RULE;
}

/* What the rule stage reads of a frame in the fast tier's shape, with UDP length `udp_len`: at
 * fixed offsets. */
RF_INLINE void rf_fast_facts(const __u8 *data, __u32 udp_len, struct rf_facts *facts) {
  facts->payload_off = RF_FAST_L4 + RF_UDP_HLEN;
  facts->payload_len = udp_len - RF_UDP_HLEN;
  facts->udp = data + RF_FAST_L4;
  facts->src_mac = data + RF_ETH_ALEN;
  facts->src_addr = data + RF_FAST_L3 + 12;
  facts->dst_addr = data + RF_FAST_L3 + 16;
  facts->vlan_key = 0; /* rf_vlan_key of an untagged frame */
  facts->ip_version = 4;
  facts->version_bit = RF_IP_VERSION_BIT(4);
}

/* A MAC address as a number, from an 8-byte load: of the bytes the load read, the first 6
 * (rf_mac_in_head) or the last 6 (rf_mac_in_tail), in the same 48 bits of the result, the others
 * zero; RF_MAC_GROUP_BIT is the group bit (bit 0 of the address's first byte) there. */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
RF_INLINE __u64 rf_mac_in_head(__u64 loaded) { return loaded << 16; }
RF_INLINE __u64 rf_mac_in_tail(__u64 loaded) { return loaded & ~(__u64)0xffff; }
#define RF_MAC_GROUP_BIT ((__u64)1 << 16)
#else
RF_INLINE __u64 rf_mac_in_head(__u64 loaded) { return loaded & ~(__u64)0xffff; }
RF_INLINE __u64 rf_mac_in_tail(__u64 loaded) { return loaded << 16; }
#define RF_MAC_GROUP_BIT ((__u64)1 << 56)
#endif

/* rf_classify_fast_tier's answer for a frame that passed every check and that no rule takes:
 * the rule stage's reason is in its `*reason`. */
#define RF_FAST_NO_RULE (RF_VERDICT_COUNT + 1)

/* rf_classify_fast, giving a frame no rule takes as RF_FAST_NO_RULE and its reason in
 * `*reason`: in the XDP program, per-CPU map memory (RF_NOTE), from which its reject path
 * counts it without a call. */
RF_INLINE __u32 rf_classify_fast_tier(const __u8 *data, const __u8 *end,
                                      const struct rf_config *cfg, __u32 *hint,
                                      struct rf_result *res, __u32 *reason) {
  if (!RF_FITS(data, 0, RF_FAST_L4 + RF_UDP_HLEN, end)) return RF_FAST_UNDECIDED;
  /* The MAC addresses as 48-bit numbers in one register each, each from one 8-byte load (the
   * frame's bytes 0..7 and 4..11, the config's MAC and the two bytes after it). */
  const __u64 dst = rf_mac_in_head(rf_load_u64(data));
  const __u64 src = rf_mac_in_tail(rf_load_u64(data + RF_ETH_ALEN - 2));
  const __u64 own = rf_mac_in_head(rf_load_u64(cfg->if_mac));
  /* The exact classifier's first checks, in its order and with its reasons (the frame holds
   * the bytes they read): production traffic that is not for us leaves here. A group or zero
   * destination, one not to us; a group or zero source, a frame from ourselves or to its own
   * sender. */
  if ((dst & RF_MAC_GROUP_BIT) || dst == 0) return RF_DST_MAC;
  if ((cfg->flags & RF_CFG_DST_MAC_FILTER) && dst != own) return RF_DST_MAC;
  if ((src & RF_MAC_GROUP_BIT) || src == 0 || src == own || src == dst) return RF_SRC_MAC;
  /* EtherType IPv4, then version 4 and IHL 5, as one word. */
  const __u32 type_word = rf_load_u32(data + 12);
  if ((type_word & RF_BYTES32(0xff, 0xff, 0xff, 0)) != RF_BYTES32(0x08, 0x00, 0x45, 0)) {
    /* An EtherType the exact classifier has no parser for. */
    const __u16 type = rf_load_be16(data + 2 * RF_ETH_ALEN);
    if (type != RF_ETHERTYPE_IPV4 && type != RF_ETHERTYPE_VLAN && type != RF_ETHERTYPE_QINQ &&
        (type != RF_ETHERTYPE_IPV6 || !(cfg->flags & RF_CFG_IPV6))) {
      return RF_ETHERTYPE;
    }
    return RF_FAST_UNDECIDED;
  }
  const __u8 *ip = data + RF_FAST_L3;
  const __u32 total_len = rf_load_be16(ip + 2);
  if (total_len < RF_IPV4_MIN_HLEN + RF_UDP_HLEN || !RF_FITS(data, RF_FAST_L3, total_len, end)) {
    return RF_FAST_UNDECIDED;
  }
  /* Not a fragment (no MF flag, offset 0: bytes 6..7) and UDP (byte 9), as one word. */
  if ((rf_load_u32(ip + 6) & RF_BYTES32(0x3f, 0xff, 0, 0xff)) !=
      RF_BYTES32(0, 0, 0, RF_IPPROTO_UDP)) {
    return RF_FAST_UNDECIDED;
  }
  if (!rf_ipv4_is_unicast(ip + 12) || !rf_ipv4_is_unicast(ip + 16)) return RF_FAST_UNDECIDED;
  const __u8 *udp = data + RF_FAST_L4;
  const __u32 udp_len = rf_load_be16(udp + 4);
  if (udp_len < RF_UDP_HLEN || udp_len > total_len - RF_IPV4_MIN_HLEN) return RF_FAST_UNDECIDED;

  struct rf_facts facts;
  rf_fast_facts(data, udp_len, &facts);
#if defined(__bpf__)
  /* The hinted rule's pointer kept for the result (rebuilt from its index, it waited for the
   * hint and the config to come back from the stack), and the hint, which it already is, not
   * stored again. */
  const __u32 guess = *hint;
  const struct rf_rule *rule = rf_hinted_rule_taking(data, end, cfg, guess, &facts, 1);
  long first = (long)(guess & (RF_MAX_RULES - 1)); /* guess itself, where it names a rule */
  if (!rule) {
    /* The source OUI is looked up only for the one rule whose pattern holds, where it
     * decides; a frame no pattern fits needs only the prefix bits, for its reason. (Looked up
     * after the loop, the prefixes' own loops would be verified once per rule it may stop at.)
     * A frame with a rule whose pattern holds but that does not take it (a signature from an
     * OUI not listed, say) goes on to the exact classifier, which names its reason: asking
     * those rules here too took the verifier past its million instructions. */
    rf_look_up_prefixes(cfg, &facts);
    first = rf_first_rule(data, end, cfg, &facts, 1);
    if (first == RF_NO_RULE) {
      rf_reason_before_patterns(cfg, &facts, reason);
      return RF_FAST_NO_RULE;
    }
    if (first < 0) return RF_FAST_UNDECIDED;
    /* The rule's index through map memory (RF_NOTE), where the verifier does not follow it:
     * what follows is then verified once, not once per rule the loop may stop at. It is the
     * next frame's hint whether or not the rule takes this one: a hint only orders the tries. */
    RF_NOTE(*hint) = (__u32)first;
    first = RF_NOTE(*hint) & (RF_MAX_RULES - 1);
    rule = &cfg->rules[first];
    rf_look_up_oui(cfg, &facts);
    if (!rf_rule_takes(cfg, rule, &facts, 0)) return RF_FAST_UNDECIDED;
  }
#else
  long first = rf_hinted_rule(data, end, cfg, *hint, &facts, 1);
  if (first < 0) {
    rf_look_up_lists(cfg, &facts);
    first = rf_first_rule_or_reason(data, end, cfg, &facts, reason);
    if (first == RF_NO_RULE) return RF_FAST_NO_RULE;
    if (first < 0) return RF_FAST_UNDECIDED;
  }
  *hint = (__u32)first;
  const struct rf_rule *rule = &cfg->rules[first & (RF_MAX_RULES - 1)];
#endif
  rf_fill_result(res, RF_FAST_L3, RF_FAST_L4, udp_len, 0, &facts, first, rule);
  return RF_REFLECT;
}

RF_INLINE __u32 rf_classify_fast(const __u8 *data, const __u8 *end, const struct rf_config *cfg,
                                 __u32 *hint, struct rf_result *res) {
#if defined(__bpf__)
  __u32 reason;
#else
  /* Set on every path that reads it; g++ cannot always tell (-Wmaybe-uninitialized). */
  __u32 reason = RF_FIRST_RULE_VERDICT;
#endif
  const __u32 verdict = rf_classify_fast_tier(data, end, cfg, hint, res, &reason);
  return verdict == RF_FAST_NO_RULE ? reason : verdict;
}

/*
 * The second fast tier: the shapes the first leaves to the exact classifier that test streams
 * use, one or two VLAN tags (IPv4 with a 20-byte header, or IPv6) and untagged IPv6, UDP, at
 * the offsets of its shape after one bounds check, keeping no reasons: each check is one of the
 * exact classifier's. For a frame to which rf_classify_fast answered RF_FAST_UNDECIDED, so
 * whose MAC addresses passed its first checks (every frame of these shapes holds the bytes
 * they read); it answers as the exact classifier: RF_REFLECT by the same rule with the same
 * `res`, or for a frame that passed every check and that no rule takes, the rule stage's
 * reason. Every other frame gets RF_FAST_UNDECIDED, and the exact classifier names its reason.
 * `hint` as rf_classify_fast's. Out of line: inlined into rf_classify_hinted it cost the
 * untagged IPv4 frames 6 instructions each (callgrind). In the XDP program (rf_xdp_undecided)
 * it takes only what the hinted rule takes when that rule has no lists, and leaves the rest,
 * reasons included, to the exact classifier.
 */
#if !defined(__bpf__)
/* rf_classify_shaped's rule stage for a frame its hinted rule did not take: out of line, so
 * that its loop and the facts in memory stay off the hinted path's registers. */
RF_OUT_OF_LINE long rf_shaped_first_rule(const __u8 *data, const __u8 *end,
                                         const struct rf_config *cfg, struct rf_facts *facts,
                                         __u32 *reason) {
  rf_look_up_lists(cfg, facts);
  return rf_first_rule_or_reason(data, end, cfg, facts, reason);
}
#endif

/* rf_classify_shaped for one shape: `tags` tags (0..2) and IPv6 when `v6`, both constants, so
 * that every offset is one and the hinted path keeps its few values in registers; `vlan_key`
 * the frame's rf_vlan_key. */
RF_INLINE __u32 rf_classify_shape(const __u8 *data, const __u8 *end, const struct rf_config *cfg,
                                  __u32 *hint, struct rf_result *res, const __u32 tags,
                                  const int v6, __u32 vlan_key) {
  const __u32 l3_off = RF_ETH_HLEN + tags * RF_VLAN_HLEN;
  const __u32 l4_off = l3_off + (v6 ? RF_IPV6_HLEN : RF_IPV4_MIN_HLEN);
  if (!RF_FITS(data, l3_off, l4_off - l3_off + RF_UDP_HLEN, end)) return RF_FAST_UNDECIDED;
  const __u8 *ip = data + l3_off;
  __u32 ip_payload_len;
  struct rf_facts facts;
  if (v6) {
    ip_payload_len = rf_load_be16(ip + 4);
    /* No extension headers. */
    if ((ip[0] >> 4) != 6 || !RF_FITS(data, l3_off, RF_IPV6_HLEN + ip_payload_len, end) ||
        ip[6] != RF_IPPROTO_UDP || !rf_ipv6_is_unicast(ip + 8) || !rf_ipv6_is_unicast(ip + 24)) {
      return RF_FAST_UNDECIDED;
    }
    facts.src_addr = ip + 8;
    facts.dst_addr = ip + 24;
    facts.ip_version = 6;
  } else {
    const __u32 total_len = rf_load_be16(ip + 2);
    if (ip[0] != 0x45 || total_len < RF_IPV4_MIN_HLEN + RF_UDP_HLEN ||
        !RF_FITS(data, l3_off, total_len, end) || (rf_load_be16(ip + 6) & 0x3fff) ||
        ip[9] != RF_IPPROTO_UDP || !rf_ipv4_is_unicast(ip + 12) || !rf_ipv4_is_unicast(ip + 16)) {
      return RF_FAST_UNDECIDED;
    }
    facts.src_addr = ip + 12;
    facts.dst_addr = ip + 16;
    facts.ip_version = 4;
    ip_payload_len = total_len - RF_IPV4_MIN_HLEN;
  }
  const __u8 *udp = data + l4_off;
  const __u32 udp_len = rf_load_be16(udp + 4);
  if (udp_len < RF_UDP_HLEN || udp_len > ip_payload_len) return RF_FAST_UNDECIDED;

  facts.payload_off = l4_off + RF_UDP_HLEN;
  facts.payload_len = udp_len - RF_UDP_HLEN;
  facts.udp = udp;
  facts.src_mac = data + RF_ETH_ALEN;
  facts.vlan_key = vlan_key;
  facts.version_bit = RF_IP_VERSION_BIT(facts.ip_version);
#if defined(__bpf__)
  /* The hinted rule when it has no lists (prefixes, OUIs): their lookups' loops, walked for
   * each shape, would make the program too long to verify. */
  const __u32 guess = *hint;
  if (guess >= cfg->rule_count) return RF_FAST_UNDECIDED;
  const struct rf_rule *hinted = &cfg->rules[guess & (RF_MAX_RULES - 1)];
  long first = RF_NO_RULE;
  if ((hinted->flags & (RF_RULE_SHORTCUT | RF_RULE_LISTS)) == RF_RULE_SHORTCUT &&
      rf_rule_matches(data, end, cfg, hinted, &facts, 0) > 0) {
    first = (long)guess;
  }
#else
  long first = rf_hinted_rule(data, end, cfg, *hint, &facts, 0);
#endif
  if (first < 0) {
#if defined(__bpf__)
    /* The kernel's exact classifier takes the rest: a rule pass here as well would make the
     * program too long to verify. */
    return RF_FAST_UNDECIDED;
#else
    /* A copy whose address is taken: `facts` itself then stays in registers. */
    struct rf_facts listed = facts;
    __u32 reason = RF_FIRST_RULE_VERDICT;
    first = rf_shaped_first_rule(data, end, cfg, &listed, &reason);
    if (first == RF_NO_RULE) return reason;
    if (first < 0) return RF_FAST_UNDECIDED;
#endif
  }
  *hint = (__u32)first;
  rf_fill_result(res, l3_off, l4_off, udp_len, tags, &facts, first,
                 &cfg->rules[first & (RF_MAX_RULES - 1)]);
  return RF_REFLECT;
}

#if defined(__bpf__)
/* The same dispatch for the verifier: one rf_classify_shape with the tag count and version as
 * variables, so that it walks the shape's checks and the hinted rule once, not five times. */
RF_INLINE __u32 rf_classify_shaped(const __u8 *data, const __u8 *end,
                                   const struct rf_config *cfg, __u32 *hint,
                                   struct rf_result *res) {
  if (!RF_FITS(data, 0, RF_ETH_HLEN + RF_MAX_VLAN_TAGS * RF_VLAN_HLEN, end)) {
    return RF_FAST_UNDECIDED;
  }
  __u32 type = rf_load_be16(data + 2 * RF_ETH_ALEN);
  __u32 tags = 0;
  __u32 outer_vid = 0;
  __u32 inner_vid = 0;
  if (type == RF_ETHERTYPE_VLAN || type == RF_ETHERTYPE_QINQ) {
    if (!(cfg->flags & RF_CFG_VLAN)) return RF_FAST_UNDECIDED;
    outer_vid = rf_load_be16(data + RF_ETH_HLEN) & 0x0fff;
    type = rf_load_be16(data + RF_ETH_HLEN + 2);
    tags = 1;
    if (type == RF_ETHERTYPE_VLAN || type == RF_ETHERTYPE_QINQ) {
      inner_vid = rf_load_be16(data + RF_ETH_HLEN + RF_VLAN_HLEN) & 0x0fff;
      type = rf_load_be16(data + RF_ETH_HLEN + RF_VLAN_HLEN + 2);
      tags = 2;
    }
  }
  const int v6 = type == RF_ETHERTYPE_IPV6;
  if (v6 ? !(cfg->flags & RF_CFG_IPV6) : (type != RF_ETHERTYPE_IPV4 || tags == 0)) {
    return RF_FAST_UNDECIDED;
  }
  return rf_classify_shape(data, end, cfg, hint, res, tags, v6,
                           rf_vlan_key(tags, outer_vid, inner_vid));
}
#else
RF_OUT_OF_LINE __u32 rf_classify_shaped(const __u8 *data, const __u8 *end,
                                        const struct rf_config *cfg, __u32 *hint,
                                        struct rf_result *res) {
  /* The tags: the EtherTypes and VLAN IDs of up to two, then the one after them. */
  if (!RF_FITS(data, 0, RF_ETH_HLEN + RF_MAX_VLAN_TAGS * RF_VLAN_HLEN, end)) {
    return RF_FAST_UNDECIDED;
  }
  const int ipv6 = (cfg->flags & RF_CFG_IPV6) != 0;
  __u32 type = rf_load_be16(data + 2 * RF_ETH_ALEN);
  if (type == RF_ETHERTYPE_IPV6 && ipv6) {
    return rf_classify_shape(data, end, cfg, hint, res, 0, 1, 0);
  }
  if ((type != RF_ETHERTYPE_VLAN && type != RF_ETHERTYPE_QINQ) || !(cfg->flags & RF_CFG_VLAN)) {
    return RF_FAST_UNDECIDED;
  }
  const __u32 outer_vid = rf_load_be16(data + RF_ETH_HLEN) & 0x0fff;
  type = rf_load_be16(data + RF_ETH_HLEN + 2);
  if (type == RF_ETHERTYPE_IPV4) {
    return rf_classify_shape(data, end, cfg, hint, res, 1, 0, rf_vlan_key(1, outer_vid, 0));
  }
  if (type == RF_ETHERTYPE_IPV6 && ipv6) {
    return rf_classify_shape(data, end, cfg, hint, res, 1, 1, rf_vlan_key(1, outer_vid, 0));
  }
  if (type != RF_ETHERTYPE_VLAN && type != RF_ETHERTYPE_QINQ) return RF_FAST_UNDECIDED;
  const __u32 inner_vid = rf_load_be16(data + RF_ETH_HLEN + RF_VLAN_HLEN) & 0x0fff;
  const __u32 vlan_key = rf_vlan_key(2, outer_vid, inner_vid);
  type = rf_load_be16(data + RF_ETH_HLEN + RF_VLAN_HLEN + 2);
  if (type == RF_ETHERTYPE_IPV4) {
    return rf_classify_shape(data, end, cfg, hint, res, 2, 0, vlan_key);
  }
  if (type == RF_ETHERTYPE_IPV6 && ipv6) {
    return rf_classify_shape(data, end, cfg, hint, res, 2, 1, vlan_key);
  }
  return RF_FAST_UNDECIDED;
}
#endif

/*
 * Classifies the frame [data, end) (SPEC §3): the fast tier, the second for tagged and IPv6
 * frames, and the exact classifier for every frame they leave. See rf_classify_exact for `res`,
 * rf_classify_fast for `hint`.
 */
RF_INLINE enum rf_verdict rf_classify_hinted(const __u8 *data, const __u8 *end,
                                             const struct rf_config *cfg, __u32 *hint,
                                             struct rf_result *res) {
  const __u32 fast = rf_classify_fast(data, end, cfg, hint, res);
  if (fast != RF_FAST_UNDECIDED) return (enum rf_verdict)fast;
#if !defined(__bpf__)
  const __u32 shaped = rf_classify_shaped(data, end, cfg, hint, res);
  if (shaped != RF_FAST_UNDECIDED) return (enum rf_verdict)shaped;
#endif
  return rf_classify_exact(data, end, cfg, 0, res);
}

/*
 * The IPv4 header checksum after toggling bit 0 of the ToS byte (the low byte of header word 0),
 * by RFC 1624 eqn. 3, HC' = ~(~HC + ~m + m'): with m' = m ^ 1, ~m + m' is 0x10000 (one after
 * folding) when the bit was clear and 0xfffe when it was set.
 */
RF_INLINE __u16 rf_checksum_after_tos_toggle(__u16 checksum, __u16 old_word) {
  __u32 sum = (__u32)(__u16)~checksum + ((old_word & 1) ? 0xfffeu : 1u);
  sum = (sum & 0xffff) + (sum >> 16);
  return (__u16)~sum;
}

/*
 * The swaps of SPEC §4 for `mode` (enum rf_mode) and `actions`, straight-line and as wide as the
 * fields: MACs at `data`, IP addresses in the header at `ip` (IPv6 when `v6`), ports in the UDP
 * header at `udp`. The caller has checked that those headers are in the frame. Every other byte
 * stays as it was; the checksums stay valid because one's-complement sums do not depend on the
 * order of the words they add, and the ToS handshake updates the IPv4 header checksum (the UDP
 * checksum does not cover ToS).
 */
RF_INLINE void rf_swap(__u8 *data, __u8 *ip, __u8 *udp, __u32 mode, int v6, __u32 actions) {
  const __u32 dst_head = rf_load_u32(data);
  const __u16 dst_tail = rf_load_u16(data + 4);
  rf_store_u32(data, rf_load_u32(data + 6));
  rf_store_u16(data + 4, rf_load_u16(data + 10));
  rf_store_u32(data + 6, dst_head);
  rf_store_u16(data + 10, dst_tail);
  if (mode == RF_MODE_MAC) return;
  if (v6) {
    const __u64 src_high = rf_load_u64(ip + 8);
    const __u64 src_low = rf_load_u64(ip + 16);
    rf_store_u64(ip + 8, rf_load_u64(ip + 24));
    rf_store_u64(ip + 16, rf_load_u64(ip + 32));
    rf_store_u64(ip + 24, src_high);
    rf_store_u64(ip + 32, src_low);
  } else {
    const __u32 src = rf_load_u32(ip + 12);
    rf_store_u32(ip + 12, rf_load_u32(ip + 16));
    rf_store_u32(ip + 16, src);
    if (actions & RF_ACTION_TOS_HANDSHAKE) {
      /* The ITO ToS handshake: toggle bit 0 of the ToS byte, the low byte of header word 0. */
      const __u16 old_word = rf_load_be16(ip);
      const __u16 new_word = old_word ^ 1;
      const __u16 checksum = rf_checksum_after_tos_toggle(rf_load_be16(ip + 10), old_word);
      /* 16-bit stores: a later 16-bit read of these words is then forwarded from the store. */
      rf_store_be16(ip, new_word);
      rf_store_be16(ip + 10, checksum);
    }
  }
  if (mode == RF_MODE_MAC_IP) return;
  const __u16 src_port = rf_load_u16(udp);
  rf_store_u16(udp, rf_load_u16(udp + 2));
  rf_store_u16(udp + 2, src_port);
}

/*
 * Reflects in place a frame that rf_classify_hinted found RF_REFLECT, per res->mode and
 * res->actions, at the offsets in `res`. Returns 0, or -1 without touching the frame when `res`
 * does not fit the frame.
 */
RF_INLINE int rf_reflect(__u8 *data, const __u8 *end, const struct rf_result *res) {
  const __u32 mode = res->mode;
  if (mode >= RF_MODE_COUNT) return -1;
  if (!RF_FITS(data, 0, 2 * RF_ETH_ALEN, end)) return -1;
  const __u32 l3_off = res->l3_offset;
  const __u32 l4_off = res->l4_offset;
  if (l3_off > RF_MAX_L3_OFFSET || l4_off > RF_MAX_L4_OFFSET) return -1;
  const int v6 = res->ip_version == 6;
  if (!v6 && res->ip_version != 4) return -1;
  /* Each pointer is formed once its bytes are known to be in the frame, and then reused: the
   * verifier's bounds belong to the very register that was compared. */
  __u8 *ip = data;
  __u8 *udp = data;
  if (mode != RF_MODE_MAC) {
    if (v6 && !RF_FITS(data, l3_off, RF_IPV6_HLEN, end)) return -1;
    if (!v6 && !RF_FITS(data, l3_off, RF_IPV4_MIN_HLEN, end)) return -1;
    ip = data + l3_off;
  }
  if (mode == RF_MODE_ALL) {
    if (!RF_FITS(data, l4_off, RF_UDP_HLEN, end)) return -1;
    udp = data + l4_off;
  }
  rf_swap(data, ip, udp, mode, v6, res->actions);
  return 0;
}

/* rf_reflect for a frame that rf_classify_fast took: its headers are at the fast tier's fixed
 * offsets, checked once. */
RF_INLINE int rf_reflect_fast(__u8 *data, const __u8 *end, const struct rf_result *res) {
  if (!RF_FITS(data, 0, RF_FAST_L4 + RF_UDP_HLEN, end)) return -1;
  rf_swap(data, data + RF_FAST_L3, data + RF_FAST_L4, res->mode, 0, res->actions);
  return 0;
}

#endif /* REFLECTOR_PACKET_CLASSIFY_H_ */
