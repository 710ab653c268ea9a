/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The benchmark's baseline reflector: swap the Ethernet destination and source MACs and send
 * the frame back with XDP_TX. No classification, no counters, no maps: the least work any XDP
 * reflector can do, so a data path's rate divided by this one's is the price of its features.
 * Frames shorter than an Ethernet header pass to the stack untouched (the verifier insists on
 * the bound, and ARP or neighbour discovery in the lab needs the stack anyway).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int rf_bench_mac_swap(struct xdp_md *ctx) {
  __u8 *data = (__u8 *)(long)ctx->data;
  const __u8 *end = (const __u8 *)(long)ctx->data_end;
  if (data + 12 > end) return XDP_PASS;
  /* Three 16-bit words per MAC: Ethernet headers are only 2-byte aligned. */
  __u16 *mac = (__u16 *)data;
  __u16 d0 = mac[0], d1 = mac[1], d2 = mac[2];
  mac[0] = mac[3];
  mac[1] = mac[4];
  mac[2] = mac[5];
  mac[3] = d0;
  mac[4] = d1;
  mac[5] = d2;
  return XDP_TX;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
