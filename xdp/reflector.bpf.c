/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The XDP reflector: classify with the packet library's classifier (the same source userspace
 * runs), count, and then reflect in place (XDP_TX), redirect to AF_XDP, or pass. Everything
 * about frames lives in reflector/packet/classify.h; this file only wires it to XDP.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "reflector/packet/classify.h"
#include "xdp/abi.h"
#include "xdp/count_reject.h"

/* Written by the loader through its memory mapping (see struct rf_xdp_config_block). */
struct rf_xdp_config_block rf_config SEC(".data.config");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct rf_xdp_counters);
} rf_counters SEC(".maps");

/* AF_XDP sockets by rx queue; the loader sizes it to the interface's queues. */
struct {
  __uint(type, BPF_MAP_TYPE_XSKMAP);
  __uint(max_entries, RF_XDP_MAX_QUEUES_DEFAULT);
  __type(key, __u32);
  __type(value, __u32);
} rf_xsks SEC(".maps");

SEC("xdp")
int rf_xdp_reflect(struct xdp_md *ctx) {
  __u8 *data = (__u8 *)(long)ctx->data;
  const __u8 *end = (const __u8 *)(long)ctx->data_end;

  __u32 zero = 0;
  struct rf_xdp_counters *counters = bpf_map_lookup_elem(&rf_counters, &zero);
  if (!counters) return XDP_PASS; /* cannot happen for a one-entry array; the verifier asks */

  const struct rf_xdp_config *config = &rf_config.slot[rf_config.active & 1];
  struct rf_result where;
  const __u32 verdict = rf_classify(data, end, &config->filter, &where);

  /* Two adds per frame; userspace derives received, passed and sent (xdp/abi.h). */
  if (verdict != RF_REFLECT) {
    rf_count_reject(counters, verdict, (__u64)(end - data));
    return XDP_PASS;
  }
  /* A mask, not an if: the verifier needs the index bounded, and 32 is a power of two. */
  const __u32 rule = where.rule & (RF_MAX_RULES - 1);
  counters->rule_frames[rule]++;
  counters->rule_bytes[rule] += (__u64)(end - data);

  switch (config->action) {
    case RF_XDP_TX:
      if (rf_reflect(data, end, &where) != 0) {
        counters->reflect_errors++;
        return XDP_PASS;
      }
      return XDP_TX;
    case RF_XDP_REDIRECT: {
      /* The low bits of flags are the action taken when the queue has no socket. */
      const long action = bpf_redirect_map(&rf_xsks, ctx->rx_queue_index, XDP_PASS);
      if (action == XDP_REDIRECT) {
        counters->redirected++;
        return XDP_REDIRECT;
      }
      counters->redirect_fallback++;
      return XDP_PASS;
    }
    default: /* RF_XDP_MONITOR */
      return XDP_PASS;
  }
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
