/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * ito-tester's receive side in XDP: counts the reflections of this run's stream before
 * anything else can drop them, and keeps the veth peer delivering the reflector's XDP_TX
 * frames (veth hands those only to a peer that runs XDP). A reflection has the layout the
 * tester sent (the reflector swaps addresses, nothing moves), so a match is the signature and
 * the stream id at the offsets of the sent frame: no parsing needed.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "tools/tester/trailer.h"

const volatile struct ito_tester_rx_config rx_config = {};

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct ito_tester_rx_counters);
} rx_counters SEC(".maps");

SEC("xdp")
int ito_tester_rx(struct xdp_md *ctx) {
  const __u8 *data = (const __u8 *)(long)ctx->data;
  const __u8 *end = (const __u8 *)(long)ctx->data_end;
  const __u32 offset = rx_config.signature_offset;
  /* 7 signature bytes, the pad byte of custom signatures, the 2-byte stream id. */
  if (offset > 256 || data + offset + 16 > end) return XDP_PASS;
  if (data + rx_config.min_length > end) return XDP_PASS;
  const __u8 *signature = data + offset;
#pragma unroll
  for (int i = 0; i < 7; i++) {
    if (signature[i] != rx_config.signature[i]) return XDP_PASS;
  }
  /* The stream id follows the signature at an even offset from the frame start. */
  const __u32 id_offset = (offset + 7 + 1) & ~1u;
  if (id_offset > 264 || data + id_offset + 2 > end) return XDP_PASS;
  const __u16 id = (__u16)(data[id_offset] | (data[id_offset + 1] << 8));
  if (id != rx_config.stream_id) return XDP_PASS;

  __u32 zero = 0;
  struct ito_tester_rx_counters *counters = bpf_map_lookup_elem(&rx_counters, &zero);
  if (counters) {
    counters->frames++;
    counters->bytes += (__u64)(end - data);
  }
  return rx_config.drop ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
