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
 * Verdicts: `reflect`, or the first failing check of SPEC §3, in check order. The X-macro is
 * the one list of names: the C enum, the C++ name table and the counters all come from it.
 */
#define RF_VERDICT_LIST(X)                    \
  X(REFLECT, Reflect, "reflect")              \
  X(TOO_SHORT, TooShort, "too_short")         \
  X(DST_MAC, DstMac, "dst_mac")               \
  X(SRC_MAC, SrcMac, "src_mac")               \
  X(OUI, Oui, "oui")                          \
  X(VLAN, Vlan, "vlan")                       \
  X(ETHERTYPE, Ethertype, "ethertype")        \
  X(IP_HEADER, IpHeader, "ip_header")         \
  X(FRAGMENT, Fragment, "fragment")           \
  X(PROTOCOL, Protocol, "protocol")           \
  X(SRC_IP, SrcIp, "src_ip")                  \
  X(UDP_HEADER, UdpHeader, "udp_header")      \
  X(PORT, Port, "port")                       \
  X(SIGNATURE, Signature, "signature")

#define RF_VERDICT_ENUM_ENTRY(id, cc_id, name) RF_##id,
enum rf_verdict { RF_VERDICT_LIST(RF_VERDICT_ENUM_ENTRY) RF_VERDICT_COUNT };
#undef RF_VERDICT_ENUM_ENTRY

/* Signatures, in match order. Each has its own bit in rf_config.signatures. */
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

/* rf_config.flags */
#define RF_CFG_DST_MAC_FILTER 0x01 /* dst MAC must be the interface MAC */
#define RF_CFG_VLAN 0x02           /* accept up to two 802.1Q/802.1ad tags */
#define RF_CFG_IPV6 0x04           /* accept IPv6 */

#define RF_MAX_OUIS 16

/*
 * What the classifier needs to decide. It crosses the kernel boundary as the value of the
 * XDP program's config map, so the layout is fixed: 64 bytes, no implicit padding.
 */
struct rf_config {
  __u8 if_mac[RF_ETH_ALEN];      /* the interface's own MAC */
  __u16 port;                    /* UDP dst port, host order; 0 = any */
  __u8 ouis[RF_MAX_OUIS][3];     /* allowed source OUIs */
  __u8 oui_count;                /* 0 = any source OUI */
  __u8 signatures;               /* RF_SIG_BIT() set of enabled signatures */
  __u8 flags;                    /* RF_CFG_* */
  __u8 mode;                     /* enum rf_mode */
  __u8 reserved[4];
};

/* Where the reflector finds things in a frame the classifier accepted. */
struct rf_result {
  __u16 l3_offset;      /* IP header */
  __u16 l4_offset;      /* UDP header */
  __u16 payload_offset; /* UDP payload */
  __u16 udp_length;     /* from the UDP header, >= 8 */
  __u8 ip_version;      /* 4 or 6 */
  __u8 signature;       /* enum rf_signature, valid when the verdict is RF_REFLECT */
  __u8 vlan_tags;       /* 0..2 */
  __u8 reserved;
};

#ifdef __cplusplus
static_assert(sizeof(struct rf_config) == 64, "rf_config crosses the kernel boundary");
static_assert(sizeof(struct rf_result) == 12, "rf_result layout");
#else
_Static_assert(sizeof(struct rf_config) == 64, "rf_config crosses the kernel boundary");
_Static_assert(sizeof(struct rf_result) == 12, "rf_result layout");
#endif

#endif /* REFLECTOR_PACKET_WIRE_H_ */
