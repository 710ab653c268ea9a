/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Wire constants, verdicts and the classifier's configuration: the definitions shared by the
 * XDP program (clang -target bpf) and userspace (g++). Plain C, no libc, fixed-width types,
 * so the same bytes mean the same thing on both sides of the kernel boundary.
 */
#ifndef REFLECTOR_PACKET_WIRE_H_
#define REFLECTOR_PACKET_WIRE_H_

#include <linux/types.h>

#define RF_INLINE static inline __attribute__((always_inline))

/* Ethernet and tags. */
#define RF_ETH_ALEN 6
#define RF_ETH_HLEN 14
#define RF_VLAN_HLEN 4
#define RF_MAX_VLAN_TAGS 2
#define RF_ETHERTYPE_IPV4 0x0800
#define RF_ETHERTYPE_IPV6 0x86DD
#define RF_ETHERTYPE_VLAN 0x8100 /* 802.1Q */
#define RF_ETHERTYPE_QINQ 0x88A8 /* 802.1ad */

/* IP and UDP. */
#define RF_IPV4_MIN_HLEN 20
#define RF_IPV6_HLEN 40
#define RF_IPPROTO_UDP 17
#define RF_UDP_HLEN 8
#define RF_DEFAULT_PORT 3842

/* Test-frame payloads (SPEC §2): ITO frames carry a 5-byte vendor header before the
 * signature; the custom (RFC 2544 / Y.1564) signatures start the payload. */
#define RF_SIG_LEN 7
#define RF_ITO_SIG_OFFSET 5
#define RF_CUSTOM_SIG_OFFSET 0

/* Largest offsets the classifier can produce: two tags + IPv4 with IHL 15. Used to bound
 * offsets for the verifier and for sanity checks in the reflector. */
#define RF_MAX_L3_OFFSET (RF_ETH_HLEN + RF_MAX_VLAN_TAGS * RF_VLAN_HLEN)
#define RF_MAX_L4_OFFSET (RF_MAX_L3_OFFSET + 60)

/*
 * Verdicts: `reflect`, or a reject reason. The safety checks of SPEC §3 come first, in check
 * order, and are the same for every frame. The rule-stage reasons follow in the order each rule
 * checks its fields; when no rule matches, the frame gets the reason of the rule that came
 * closest (the latest check it reached), so with one rule it is exactly the check that failed.
 * `oui` is checked last within a rule: a frame that carries a rule's signature on the rule's
 * port from the wrong vendor is an `oui` reject, not a `signature` one. The X-macro is the one
 * list of names: the C enum, the C++ name table and the counters all come from it.
 */
#define RF_VERDICT_LIST(X)                     \
  X(REFLECT, Reflect, "reflect")               \
  X(TOO_SHORT, TooShort, "too_short")          \
  X(DST_MAC, DstMac, "dst_mac")                \
  X(SRC_MAC, SrcMac, "src_mac")                \
  X(VLAN, Vlan, "vlan")                        \
  X(ETHERTYPE, Ethertype, "ethertype")         \
  X(IP_HEADER, IpHeader, "ip_header")          \
  X(FRAGMENT, Fragment, "fragment")            \
  X(PROTOCOL, Protocol, "protocol")            \
  X(SRC_IP, SrcIp, "src_ip")                   \
  X(UDP_HEADER, UdpHeader, "udp_header")       \
  X(VLAN_ID, VlanId, "vlan_id")                \
  X(ADDRESS, Address, "address")               \
  X(PORT, Port, "port")                        \
  X(SIGNATURE, Signature, "signature")         \
  X(OUI, Oui, "oui")                           \
  X(LOOP, Loop, "loop")                        \
  X(LEASE, Lease, "lease")                     \
  X(RATE_LIMITED, RateLimited, "rate_limited") \
  X(NO_ROOM, NoRoom, "no_room")

#define RF_VERDICT_ENUM_ENTRY(id, cc_id, name) RF_##id,
enum rf_verdict { RF_VERDICT_LIST(RF_VERDICT_ENUM_ENTRY) RF_VERDICT_COUNT };
#undef RF_VERDICT_ENUM_ENTRY

/* The first reason of the rule stage: what a rule that fails its first check reports. */
#define RF_FIRST_RULE_VERDICT RF_VLAN_ID
/* The first reason of the guard stage (guard.h), which a data path applies to a frame the
 * classifier would reflect: the classifier itself never returns it or any after it. Such frames
 * are dropped, never handed to the stack (SPEC §8). `loop`: the frame came back already
 * reflected. `lease`: the daemon's lease (--lease) ran out, so nothing is reflected.
 * `rate_limited`: the frame is over a rate cap (guard.h). `no_room`: the answer is longer than
 * the frame (a short STAMP / TWAMP-Light sender, stamp.h) and would not fit the frame's buffer
 * or the interface's MTU. */
#define RF_FIRST_GUARD_VERDICT RF_LOOP

/* The test-frame signatures of SPEC §2, which the profiles turn into rules. */
#define RF_SIGNATURE_LIST(X)                                          \
  X(PROBEOT, Probeot, "PROBEOT", "probeot", RF_ITO_SIG_OFFSET)        \
  X(DATAOT, DataOt, "DATA:OT", "dataot", RF_ITO_SIG_OFFSET)           \
  X(LATENCY, Latency, "LATENCY", "latency", RF_ITO_SIG_OFFSET)        \
  X(RFC2544, Rfc2544, "RFC2544", "rfc2544", RF_CUSTOM_SIG_OFFSET)     \
  X(Y1564, Y1564, "Y.1564 ", "y1564", RF_CUSTOM_SIG_OFFSET)

#define RF_SIGNATURE_ENUM_ENTRY(id, cc_id, text, name, offset) RF_SIG_##id,
enum rf_signature { RF_SIGNATURE_LIST(RF_SIGNATURE_ENUM_ENTRY) RF_SIG_COUNT };
#undef RF_SIGNATURE_ENUM_ENTRY

#define RF_SIG_BIT(sig) ((__u8)(1u << (sig)))
#define RF_SIGS_ITO (RF_SIG_BIT(RF_SIG_PROBEOT) | RF_SIG_BIT(RF_SIG_DATAOT) | RF_SIG_BIT(RF_SIG_LATENCY))
#define RF_SIGS_ALL (RF_SIGS_ITO | RF_SIG_BIT(RF_SIG_RFC2544) | RF_SIG_BIT(RF_SIG_Y1564))

/* Reflection modes (SPEC §4). */
enum rf_mode {
  RF_MODE_ALL = 0,    /* MACs, IP addresses and UDP ports */
  RF_MODE_MAC_IP = 1, /* MACs and IP addresses */
  RF_MODE_MAC = 2,    /* MACs only */
  RF_MODE_COUNT
};

/* rf_config.flags: the safety stage, and which per-frame facts the rules need. */
#define RF_CFG_DST_MAC_FILTER 0x01 /* dst MAC must be the interface MAC */
#define RF_CFG_VLAN 0x02           /* accept up to two 802.1Q/802.1ad tags */
#define RF_CFG_IPV6 0x04           /* accept IPv6 */
#define RF_CFG_USES_OUIS 0x08      /* some rule has an OUI list: look the source OUI up */
#define RF_CFG_USES_PREFIXES 0x10  /* some rule has IP prefixes: look the addresses up */
#define RF_CFG_STAMP 0x20          /* some rule has RF_ACTION_STAMP: data paths read the clock */

/* Bounds of the rule table; they keep the kernel program verifiable (kernel 6.1). */
#define RF_MAX_RULES 32
#define RF_MAX_OUIS 16     /* distinct OUIs over all rules */
#define RF_MAX_PREFIXES 32 /* distinct IP prefixes over all rules */
#define RF_PATTERN_LEN 16  /* longest payload pattern */
#define RF_MAX_PATTERN_OFFSET 1024 /* deepest pattern start in the UDP payload */

/*
 * A frame's VLAN key (rf_vlan_key in classify.h) and the bits a rule's vlan_mask / vlan_value
 * test in it: untagged is "outer tag absent"; an outer VLAN ID needs the outer tag present, an
 * inner one the inner tag present.
 */
#define RF_VLAN_KEY_OUTER_PRESENT (1u << 25)
#define RF_VLAN_KEY_INNER_PRESENT (1u << 24)
#define RF_VLAN_KEY_OUTER_SHIFT 12 /* outer VLAN ID in bits 12..23, inner in bits 0..11 */

/* The bit every frame has in its prefix and OUI bit sets: a rule with no list tests only it. */
#define RF_ANY_PREFIX ((__u64)1 << 63)
#define RF_ANY_OUI ((__u32)1 << 31)

/* rf_rule.ip_versions bits */
#define RF_IP_VERSION_BIT(v) ((__u8)(1u << ((v) == 6 ? 1 : 0)))
#define RF_IP_VERSIONS_ANY (RF_IP_VERSION_BIT(4) | RF_IP_VERSION_BIT(6))

/* rf_rule.actions: what the reflection does besides the mode's swaps. */
#define RF_ACTION_TOS_HANDSHAKE 0x01 /* IPv4, modes mac-ip and all: toggle ToS bit 0 */
/* Mode all, then answer as an RFC 8762 STAMP Session-Reflector (stamp.h): a data path without
 * a clock (rf_reflect alone) must not reflect such a frame. */
#define RF_ACTION_STAMP 0x02
#define RF_ACTION_TWAMP 0x04 /* with RF_ACTION_STAMP: TWAMP-Light, bytes 14..15 are MBZ, not SSID */
/* With RF_ACTION_STAMP: a stateful Session-Reflector (RFC 8972 §4): the answer's sequence
 * number is the reflector's own count of the session's packets (stamp_session.h). */
#define RF_ACTION_STAMP_STATEFUL 0x08

/* rf_rule.flags */
/* No frame that this rule matches can match an earlier rule (they differ in a payload byte,
 * port, VLAN ID, IP version or OUI), so the first-match result does not change if this rule
 * is tried first: the fast tier tries the rule that took the last frame first when it has it. */
#define RF_RULE_SHORTCUT 0x01
/* The rule has an IP prefix or OUI list: the first pass looks them up only then. */
#define RF_RULE_LISTS 0x02
/* No earlier rule has the same VLAN, address and port conditions: for a frame no rule takes,
 * the rule can name the reason even when its payload pattern fails, where a later rule with
 * these conditions gets exactly as far (rf_first_rule). */
#define RF_RULE_REASON 0x04
/* RF_RULE_SHORTCUT, and on the fast tier's shape (untagged IPv4, classify.h) the rule is two
 * masked compares at fixed offsets: no lists, untagged frames and IPv4 allowed, a pattern in
 * the last 8 of its 16 bytes (mask[0..7] zero), port ranges that are masks (fast_ports_*). */
#define RF_RULE_FAST 0x08

/* An IP prefix: IPv4 in the first 4 bytes of addr and mask. */
struct rf_prefix {
  __u8 addr[16]; /* already masked */
  __u8 mask[16];
  __u8 version;  /* 4 or 6 */
  __u8 length;   /* prefix bits, for display */
  __u8 reserved[2];
};

/*
 * One rule, compiled for the branch-free matcher in classify.h: every condition is one masked
 * compare or one range test, and a condition the rule does not have is stored so that it always
 * holds (an any-bit, a full range, an empty mask). Lists (OUIs, prefixes) are bit masks over
 * the config's shared tables, so a frame's source OUI and addresses are looked up once however
 * many rules there are.
 */
struct rf_rule {
  /* Payload bytes to match, already masked, and which of their bits count: right-aligned, so
   * the pattern's last byte is pattern[15]; the mask is zero in front of the pattern. */
  __u8 pattern[RF_PATTERN_LEN];
  __u8 mask[RF_PATTERN_LEN];
  __u64 dst_prefixes; /* bits of rf_config.prefixes; RF_ANY_PREFIX = any destination */
  __u64 src_prefixes; /* RF_ANY_PREFIX = any source address */
  __u32 vlan_mask;    /* bits of the frame's VLAN key that must equal vlan_value */
  __u32 vlan_value;
  __u32 ouis;         /* bits of rf_config.ouis; RF_ANY_OUI = any source OUI */
  __u16 dst_port_min; /* UDP destination ports dst_port_min .. dst_port_min + dst_port_span */
  __u16 dst_port_span;
  __u16 src_port_min; /* UDP source ports, likewise */
  __u16 src_port_span;
  __u16 pattern_end;  /* where the pattern ends in the UDP payload (offset + length); 0: none */
  __u8 pattern_len;   /* 0 (any payload) .. RF_PATTERN_LEN, for display and checks */
  __u8 ip_versions;   /* RF_IP_VERSION_BIT() set */
  __u8 mode;          /* enum rf_mode */
  __u8 actions;       /* RF_ACTION_* */
  __u8 flags;         /* RF_RULE_* */
  __u8 next_reason_rule; /* the next RF_RULE_REASON rule after this one; RF_MAX_RULES: none */
  /* With RF_RULE_FAST: the UDP header's first 4 bytes (the ports) as loaded (rf_load_u32),
   * masked by fast_ports_mask, equal fast_ports_value exactly when both ports are in range. */
  __u32 fast_ports_mask;
  __u32 fast_ports_value;
  __u8 reserved[12];
};

/*
 * The guard stage (guard.h): what a data path checks, with state of its own, before it
 * reflects a frame the classifier accepted. Zero turns a check off.
 */
#define RF_LOOP_TICK_SHIFT 20 /* the loop window's unit: 2^20 ns (1.05 ms) of CLOCK_MONOTONIC */
#define RF_GUARD_LEASE_EXPIRED 0x01 /* reflect nothing: every reflect verdict is a `lease` */
#define RF_GUARD_RATE_CAPS 0x02     /* some rate cap below is set: check them */

/*
 * Rate caps (guard.h) count time in units of 2^-RF_RATE_SHIFT ns of CLOCK_MONOTONIC: fine
 * enough for a frame cost at 100 Mfps or a byte cost at 10 Gbit/s to be exact within 0.5 %,
 * coarse enough for 2^64 units to last 9 years of uptime.
 */
#define RF_RATE_SHIFT 6
/* A cap: what one frame costs of the cap's time, the larger of the two; both 0: no cap. */
struct rf_rate_cap {
  __u64 frame_cost; /* per frame: 2^RF_RATE_SHIFT * 1e9 / (frames per second); 0: no frame cap */
  __u64 byte_cost;  /* per byte: 2^RF_RATE_SHIFT * 8e9 / (bits per second); 0: no bit cap */
};
/* The caps of one scope (all reflected frames, or one rule's): on the scope's frames together,
 * and on each source address's frames of the scope. */
struct rf_rate_caps {
  struct rf_rate_cap all;
  struct rf_rate_cap per_source;
};

struct rf_guard {
  __u32 loop_window_ticks; /* a frame seen again within this many ticks is a `loop` */
  __u32 flags;             /* RF_GUARD_* */
  __u64 rate_burst;        /* how far ahead of the clock a cap's bucket may run (RF_RATE_SHIFT) */
  struct rf_rate_caps global;                 /* every reflected frame */
  struct rf_rate_caps rules[RF_MAX_RULES];    /* the frames rule i reflects */
};

/*
 * The clock of the STAMP reflector (stamp.h): how a data path turns CLOCK_TAI nanoseconds
 * (bpf_ktime_get_tai_ns, clock_gettime(CLOCK_TAI)) into the timestamps on the wire, and the
 * Error Estimate it sends. The daemon fills it from adjtimex and keeps it current.
 */
struct rf_stamp_clock {
  __s64 ntp_shift;        /* seconds added to CLOCK_TAI seconds for NTP (1900, UTC) time */
  __s32 ptp_shift;        /* seconds added to CLOCK_TAI seconds for PTP (1970, TAI) time */
  __u16 error_estimate;   /* RFC 4656 §4.1.2 S, Scale, Multiplier in host order; Z clear */
  __u16 reserved;
};

/*
 * The Y.1731 / 802.1ag Ethernet OAM responder (cfm.h): which CFM frames it answers. All zero
 * (flags 0) answers none, so an old or unwritten config block changes nothing.
 */
#define RF_CFM_ON 0x01            /* answer LBM, DMM and SLM at `level` */
#define RF_CFM_MULTICAST_LBM 0x02 /* also LBM to the class-1 multicast 01:80:C2:00:00:3<level> */
#define RF_CFM_ONE_VLAN 0x04        /* only frames whose (outer) tag is `vlan`; 0: untagged only */
struct rf_cfm_config {
  __u8 flags;      /* RF_CFM_* */
  __u8 level;      /* the MEG level answered, 0..7 */
  __u16 vlan;      /* with RF_CFM_ONE_VLAN: the VLAN ID required, 0 for untagged frames */
  __u16 mep_id;    /* the Responder MEP ID an SLR carries */
  __u16 reserved;
};

/*
 * What the classifier needs to decide. It crosses the kernel boundary as part of the XDP
 * program's configuration, so the layout is fixed, with no implicit padding.
 */
struct rf_config {
  __u8 if_mac[RF_ETH_ALEN]; /* the interface's own MAC */
  __u8 flags;               /* RF_CFG_* */
  __u8 rule_count;          /* 1..RF_MAX_RULES; 0 reflects nothing */
  __u8 oui_count;
  __u8 prefix_count;
  __u8 first_reason_rule; /* the first RF_RULE_REASON rule (chained by next_reason_rule) */
  __u8 reserved[5];
  __u32 ouis[RF_MAX_OUIS]; /* the OUI's 3 bytes as in memory, then a zero byte (rf_oui_key) */
  struct rf_prefix prefixes[RF_MAX_PREFIXES];
  struct rf_rule rules[RF_MAX_RULES];
  struct rf_guard guard; /* not the classifier's: the data path's checks after it */
  struct rf_stamp_clock stamp_clock; /* not the classifier's: the STAMP reflector's clock */
  struct rf_cfm_config cfm;          /* not the classifier's: the Y.1731 responder (cfm.h) */
};

/* Where the reflector finds things in a frame the classifier accepted, and what to do. */
struct rf_result {
  __u16 l3_offset;      /* IP header */
  __u16 l4_offset;      /* UDP header */
  __u16 payload_offset; /* UDP payload */
  __u16 udp_length;     /* from the UDP header, >= 8 */
  __u8 ip_version;      /* 4 or 6 */
  __u8 rule;            /* index of the matching rule */
  __u8 vlan_tags;       /* 0..2 */
  __u8 mode;            /* the rule's enum rf_mode */
  __u8 actions;         /* the rule's RF_ACTION_* */
  __u8 reserved[3];
};

/*
 * Capture (issue 21): which frames the data paths copy out with their verdict, and the record
 * they copy them in. The kernel programs check `enabled` once per frame and do everything else
 * out of line; userspace workers use the same selection.
 */
#define RF_CAPTURE_SNAP_MAX 2048 /* most bytes of a frame a kernel program copies into the ring */
#define RF_CAPTURE_ANY_RULE 0xFFFFFFFFu

struct rf_capture_config {
  __u32 verdicts;   /* bit v: frames whose verdict is v (bit RF_REFLECT: reflected frames) */
  __u32 rules;      /* reflected frames: bit r for rule r; RF_CAPTURE_ANY_RULE: any */
  __u32 sample;     /* 1 in `sample` selected frames (0 and 1: every one); per CPU or worker */
  __u32 per_second; /* at most this many frames a second per CPU or worker; 0: no bound */
  __u16 snap;       /* bytes of each frame to keep, 1..RF_CAPTURE_SNAP_MAX in the kernel */
  __u8 enabled;     /* the one field the data paths test per frame */
  __u8 sent;        /* reflected frames taken: also the frame as sent, right after reflecting */
  __u8 reserved[4];
};

/* rf_capture_record.direction */
#define RF_CAPTURE_RECEIVED 1
#define RF_CAPTURE_SENT 2

/* What a kernel program puts in the capture ring per frame: this header, then `captured`
 * bytes of the frame as received. */
struct rf_capture_record {
  __u64 time_ns;   /* CLOCK_MONOTONIC (bpf_ktime_get_ns) */
  __u32 ifindex;
  __u32 queue;     /* rx queue */
  __u32 length;    /* the frame's length as received */
  __u16 captured;  /* bytes that follow, <= length */
  __u8 verdict;    /* enum rf_verdict */
  __u8 rule;       /* reflected frames: the rule */
  __u8 direction;  /* RF_CAPTURE_RECEIVED or _SENT */
  __u8 reserved[7];
};

/* Per CPU (kernel) or per worker (userspace): where sampling and the rate bound stand, and
 * what they and the ring refused. */
struct rf_capture_state {
  __u64 window_start_ns; /* start of the current second of the rate bound */
  __u32 window_taken;    /* frames taken in that second */
  __u32 countdown;       /* selected frames to skip before the next sample */
  __u64 taken;           /* frames handed to the ring or queue */
  __u64 limited;         /* selected frames the rate bound refused */
  __u64 ring_full;       /* frames taken that the ring or queue had no room for */
  __u64 sent_due;        /* 1: the reflected frame just taken is to be captured as sent too */
};

#ifdef __cplusplus
#define RF_WIRE_STATIC_ASSERT static_assert
#else
#define RF_WIRE_STATIC_ASSERT _Static_assert
#endif
RF_WIRE_STATIC_ASSERT(sizeof(struct rf_prefix) == 36, "rf_prefix crosses the kernel boundary");
RF_WIRE_STATIC_ASSERT(sizeof(struct rf_rule) == 96, "rf_rule crosses the kernel boundary");
RF_WIRE_STATIC_ASSERT(sizeof(struct rf_stamp_clock) == 16, "rf_stamp_clock layout");
RF_WIRE_STATIC_ASSERT(sizeof(struct rf_cfm_config) == 8, "rf_cfm_config layout");
RF_WIRE_STATIC_ASSERT(sizeof(struct rf_config) == 5400, "rf_config crosses the kernel boundary");
RF_WIRE_STATIC_ASSERT(sizeof(struct rf_guard) == 1072, "rf_guard layout");
RF_WIRE_STATIC_ASSERT(sizeof(struct rf_result) == 16, "rf_result layout");
RF_WIRE_STATIC_ASSERT(sizeof(struct rf_capture_config) == 24, "rf_capture_config layout");
RF_WIRE_STATIC_ASSERT(sizeof(struct rf_capture_record) == 32, "rf_capture_record layout");
RF_WIRE_STATIC_ASSERT(sizeof(struct rf_capture_state) == 48, "rf_capture_state layout");
RF_WIRE_STATIC_ASSERT(RF_MAX_OUIS < 31, "OUI bits below RF_ANY_OUI");
RF_WIRE_STATIC_ASSERT(RF_MAX_PREFIXES < 63, "prefix bits below RF_ANY_PREFIX");
#undef RF_WIRE_STATIC_ASSERT

#endif /* REFLECTOR_PACKET_WIRE_H_ */
