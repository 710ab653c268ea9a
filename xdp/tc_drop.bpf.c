/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * tc ingress (clsact) program of the afpacket data path: the host stack must stay quiet
 * (SPEC §5). The kernel hands every test frame both to our packet socket and to its own
 * stack, which would answer each one with ICMP port unreachable. Packet taps run before tc
 * ingress, so dropping test frames here keeps them from the stack after the socket has its
 * copy. It runs the same classifier as userspace and the XDP program, with the same config.
 *
 * The same object serves both ways of attaching it (tc_drop_filter.h), and its two return
 * values mean the same in both: TC_ACT_SHOT (2) is TCX_DROP for a tcx link and a drop for a
 * direct-action cls_bpf filter; TC_ACT_UNSPEC (-1) is TCX_NEXT, and cls_bpf likewise goes on
 * to the next filter. So a frame that is not ours meets every program and filter after this
 * one as if it were not there, which TC_ACT_OK (TCX_PASS) would skip.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#include "reflector/packet/classify.h"
#include "xdp/abi.h"

/* Cap on how much of a non-linear frame we pull in to classify it (a jumbo frame fits). */
#define RF_TC_MAX_PULL 9216

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct rf_config);
} rf_tc_config SEC(".maps");

/*
 * What the filter saw, per CPU, in the XDP program's counter record: tc ingress sees every
 * frame of the interface, also those the socket's classic BPF filter keeps from userspace, so
 * these are the afpacket data path's verdict counts. `tx` counts the test frames dropped here,
 * `passed` the frames left to the stack.
 */
struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct rf_xdp_counters);
} rf_tc_counters SEC(".maps");

RF_INLINE int rf_tc_pass(struct rf_xdp_counters *counters, __u32 verdict) {
  counters->verdict_frames[verdict & (RF_XDP_VERDICT_SLOTS - 1)]++;
  counters->passed++;
  return TC_ACT_UNSPEC;
}

/* Two more tags inline after the one the kernel took into metadata: a third tag. */
RF_INLINE int rf_two_inline_tags(const __u8 *data, const __u8 *end) {
  if (data + 18 > end) return 0;
  const __u16 first = rf_load_be16(data + 12);
  const __u16 second = rf_load_be16(data + 16);
  return (first == RF_ETHERTYPE_VLAN || first == RF_ETHERTYPE_QINQ) &&
         (second == RF_ETHERTYPE_VLAN || second == RF_ETHERTYPE_QINQ);
}

SEC("tc")
int rf_tc_drop(struct __sk_buff *skb) {
  __u32 key = 0;
  const struct rf_config *cfg = bpf_map_lookup_elem(&rf_tc_config, &key);
  struct rf_xdp_counters *counters = bpf_map_lookup_elem(&rf_tc_counters, &key);
  if (!cfg || !counters) return TC_ACT_UNSPEC;
  counters->rx_bytes += skb->len;

  /* The classifier checks IP lengths against the frame end, so it needs the whole frame in
   * the linear area. Its first checks need only the MAC addresses, so frames that fail them
   * are counted without pulling; a frame that is already linear and not shared costs next to
   * nothing to pull. */
  __u8 *data = (__u8 *)(long)skb->data;
  __u8 *end = (__u8 *)(long)skb->data_end;
  if (skb->len < RF_ETH_ALEN) return rf_tc_pass(counters, RF_TOO_SHORT);
  if (data + RF_ETH_ALEN > end) return rf_tc_pass(counters, RF_TOO_SHORT); /* head not linear */
  if (data[0] & 1) return rf_tc_pass(counters, RF_DST_MAC);
  if ((cfg->flags & RF_CFG_DST_MAC_FILTER) && !rf_mac_equal(data, cfg->if_mac)) {
    return rf_tc_pass(counters, RF_DST_MAC);
  }
  if (skb->len > RF_TC_MAX_PULL || bpf_skb_pull_data(skb, skb->len) != 0) {
    return rf_tc_pass(counters, RF_TOO_SHORT); /* cannot see the whole frame: not ours */
  }
  data = (__u8 *)(long)skb->data;
  end = (__u8 *)(long)skb->data_end;

  struct rf_result result;
  __u32 verdict = rf_classify(data, end, cfg, &result);
  /* The outer tag is in skb metadata by now and the bytes look one tag short: with VLAN
   * support off, or with two more tags inline, userspace (which puts the tag back) rejects
   * the frame for its tags, and so must this copy. Tag checks come after the MAC checks. */
  if (skb->vlan_present && verdict > RF_OUI) {
    if (!(cfg->flags & RF_CFG_VLAN) || rf_two_inline_tags(data, end)) verdict = RF_VLAN;
  }
  if (verdict != RF_REFLECT) return rf_tc_pass(counters, verdict);

  counters->verdict_frames[RF_REFLECT]++;
  const __u32 signature = result.signature & (RF_XDP_SIGNATURE_SLOTS - 1);
  counters->reflect_frames[signature]++;
  counters->reflect_bytes[signature] += skb->len;
  counters->tx++;
  return TC_ACT_SHOT;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
