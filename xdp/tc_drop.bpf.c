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
 * one as if it were not there, which TC_ACT_OK (TCX_PASS) would skip. Y.1731 requests the
 * workers answer (cfm.h) are dropped here like test frames.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "reflector/packet/cfm.h"
#include "reflector/packet/classify.h"
#include "xdp/abi.h"
#include "xdp/capture_ring.h"
#include "xdp/count_reject.h"

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
 * these are the afpacket data path's verdict counts. The reflect verdicts (rule_frames) are the
 * test frames dropped here, the rejected frames those left to the stack.
 */
struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct rf_xdp_counters);
} rf_tc_counters SEC(".maps");

/* Capture (issue 21): a rejected frame, as the skb holds it (a tag the driver took into
 * metadata is not in the bytes), into the capture ring. Global, so the verifier checks it
 * once. Reflected frames are the afpacket workers' to capture: they make that verdict. */
__attribute__((noinline)) int rf_tc_capture(struct __sk_buff *skb, __u32 verdict) {
  if (skb == 0 || !rf_capture_pick(verdict, 0)) return 0;
  __u32 captured = 0;
  struct rf_capture_scratch *scratch = rf_capture_reserve_picked(verdict, 0, skb->len, &captured);
  if (!scratch) return 0;
  if (bpf_skb_load_bytes(skb, 0, scratch->data, captured) != 0) return 0;
  scratch->record.ifindex = skb->ingress_ifindex;
  scratch->record.queue = skb->queue_mapping;
  rf_capture_send(scratch, captured);
  return 0;
}

RF_INLINE int rf_tc_pass(struct __sk_buff *skb, struct rf_xdp_counters *counters, __u32 verdict,
                         __u32 bytes) {
  /* The capture's one check: a predictable branch on a config field. */
  if (rf_capture.enabled) rf_tc_capture(skb, verdict);
  rf_count_reject(counters, verdict, bytes);
  return TC_ACT_UNSPEC;
}

/*
 * The Y.1731 responder (cfm.h), which the afpacket workers run on the CFM frames the socket
 * filter lets up: a request they answer is theirs like a reflected test frame (counted as an
 * answer, kept from the stack); any other CFM frame is counted by reason and goes on to the
 * classifier, which rejects it. Before the MAC checks: a class-1 multicast LBM has a group
 * address. Returns 1 for an answered request. Global: the verifier checks it once, apart from
 * the classifier; it pulls the frame in, so the caller reads skb->data afresh.
 */
__attribute__((noinline)) int rf_tc_cfm(struct __sk_buff *skb) {
  if (skb == 0) return 0;
  __u32 key = 0;
  const struct rf_config *cfg = bpf_map_lookup_elem(&rf_tc_config, &key);
  struct rf_xdp_counters *counters = bpf_map_lookup_elem(&rf_tc_counters, &key);
  if (!cfg || !counters) return 0;
  if (skb->len > RF_TC_MAX_PULL || bpf_skb_pull_data(skb, skb->len) != 0) return 0;
  const __u8 *data = (const __u8 *)(long)skb->data;
  const __u8 *end = (const __u8 *)(long)skb->data_end;
  const __u32 stripped_tag =
      skb->vlan_present ? (RF_STRIPPED_TAG | (skb->vlan_tci & 0xffff)) : 0;
  __u32 off = 0;
  const __u32 outcome = rf_cfm_parse_tagged(data, end, cfg, stripped_tag, &off);
  if (outcome == RF_CFM_NOT_CFM) return 0;
  counters->cfm_frames[outcome & (RF_XDP_CFM_SLOTS - 1)]++;
  if (outcome >= RF_CFM_ANSWERS) return 0;
  counters->cfm_answered_bytes += skb->len;
  return 1;
}

SEC("tc")
int rf_tc_drop(struct __sk_buff *skb) {
  __u32 key = 0;
  const struct rf_config *cfg = bpf_map_lookup_elem(&rf_tc_config, &key);
  struct rf_xdp_counters *counters = bpf_map_lookup_elem(&rf_tc_counters, &key);
  if (!cfg || !counters) return TC_ACT_UNSPEC;
  const __u32 bytes = skb->len;

  /* skb->protocol is the EtherType after the tag the kernel took out: CFM, or another tag. */
  if ((cfg->cfm.flags & RF_CFM_ON) &&
      (skb->protocol == bpf_htons(RF_ETHERTYPE_CFM) ||
       skb->protocol == bpf_htons(RF_ETHERTYPE_VLAN) ||
       skb->protocol == bpf_htons(RF_ETHERTYPE_QINQ)) &&
      rf_tc_cfm(skb)) {
    return TC_ACT_SHOT;
  }

  /* The classifier checks IP lengths against the frame end, so it needs the whole frame in
   * the linear area. Its first checks need only the MAC addresses, so frames that fail them
   * are counted without pulling; a frame that is already linear and not shared costs next to
   * nothing to pull. */
  __u8 *data = (__u8 *)(long)skb->data;
  __u8 *end = (__u8 *)(long)skb->data_end;
  if (skb->len < RF_ETH_ALEN) return rf_tc_pass(skb, counters, RF_TOO_SHORT, bytes);
  if (data + RF_ETH_ALEN > end) return rf_tc_pass(skb, counters, RF_TOO_SHORT, bytes); /* head not linear */
  if (data[0] & 1) return rf_tc_pass(skb, counters, RF_DST_MAC, bytes);
  if ((cfg->flags & RF_CFG_DST_MAC_FILTER) && !rf_mac_equal(data, cfg->if_mac)) {
    return rf_tc_pass(skb, counters, RF_DST_MAC, bytes);
  }
  if (skb->len > RF_TC_MAX_PULL || bpf_skb_pull_data(skb, skb->len) != 0) {
    return rf_tc_pass(skb, counters, RF_TOO_SHORT, bytes); /* cannot see the whole frame: not ours */
  }
  data = (__u8 *)(long)skb->data;
  end = (__u8 *)(long)skb->data_end;

  /* The driver may have taken the outer tag into skb metadata (userspace puts it back): the
   * classifier counts it as the frame's first tag, so tag limits and VLAN IDs see the frame
   * as it was on the wire. */
  const __u32 stripped_tag = skb->vlan_present ? (RF_STRIPPED_TAG | (skb->vlan_tci & 0xffff)) : 0;
  struct rf_result result;
  /* The exact classifier alone: the fast tier only ever agrees with it, and the verifier then
   * checks one classifier here, not a second one behind every check of the first. */
  const __u32 verdict = rf_classify_exact(data, end, cfg, stripped_tag, &result);
  if (verdict != RF_REFLECT) return rf_tc_pass(skb, counters, verdict, bytes);

  const __u32 rule = result.rule & (RF_MAX_RULES - 1);
  counters->rule_frames[rule]++;
  counters->rule_bytes[rule] += bytes;
  return TC_ACT_SHOT;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
