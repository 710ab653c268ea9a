/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * tc ingress (clsact) program of the afpacket data path: the host stack must stay quiet
 * (SPEC §5). The kernel hands every test frame both to our packet socket and to its own
 * stack, which would answer each one with ICMP port unreachable. Packet taps run before tc
 * ingress, so dropping test frames here keeps them from the stack after the socket has its
 * copy. It runs the same classifier as userspace and the XDP program, with the same config.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#include "reflector/packet/classify.h"

/* Cap on how much of a non-linear frame we pull in to classify it (a jumbo frame fits). */
#define RF_TC_MAX_PULL 9216

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct rf_config);
} rf_tc_config SEC(".maps");

/* Test frames dropped, per CPU: lets tests and the daemon see the filter at work. */
struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __u64);
} rf_tc_dropped SEC(".maps");

SEC("tc")
int rf_tc_drop(struct __sk_buff *skb) {
  __u32 key = 0;
  const struct rf_config *cfg = bpf_map_lookup_elem(&rf_tc_config, &key);
  if (!cfg) return TC_ACT_OK;
  /* The outer tag is in skb metadata by now, so the bytes look untagged: with VLAN support off
   * such a frame is not a test frame, whatever the classifier says about the bytes. */
  if (skb->vlan_present && !(cfg->flags & RF_CFG_VLAN)) return TC_ACT_OK;

  /* The classifier checks IP lengths against the frame end, so it needs the whole frame in
   * the linear area. Pull only frames addressed to us, to spare other traffic the work; for a
   * frame that is already linear and not shared the pull costs next to nothing. */
  __u8 *data = (__u8 *)(long)skb->data;
  __u8 *end = (__u8 *)(long)skb->data_end;
  if (data + RF_ETH_ALEN > end) return TC_ACT_OK;
  if (data[0] & 1) return TC_ACT_OK;
  if ((cfg->flags & RF_CFG_DST_MAC_FILTER) && !rf_mac_equal(data, cfg->if_mac)) return TC_ACT_OK;
  if (skb->len > RF_TC_MAX_PULL) return TC_ACT_OK;
  if (bpf_skb_pull_data(skb, skb->len) != 0) return TC_ACT_OK;
  data = (__u8 *)(long)skb->data;
  end = (__u8 *)(long)skb->data_end;

  struct rf_result result;
  if (rf_classify(data, end, cfg, &result) != RF_REFLECT) return TC_ACT_OK;
  __u64 *dropped = bpf_map_lookup_elem(&rf_tc_dropped, &key);
  if (dropped) *dropped += 1;
  return TC_ACT_SHOT;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
