/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The line-rate engine's program, run by bpf_prog_test_run_opts in live-frames mode: XDP_TX
 * of the test frame. The kernel fills its frame pages from data_in once and then reuses them;
 * a veth peer that reflects in place (the reflector's XDP_TX) swaps the addresses in our own
 * page, and the next run would send that reflected frame. So the program first writes the
 * headers back from the template: the first 96 bytes hold every byte a reflector swaps
 * (MACs, IPs and ports, even IPv6 behind a tag).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define LIVE_TX_HEADER_WORDS 12

const volatile __u64 header[LIVE_TX_HEADER_WORDS] = {};

SEC("xdp")
int ito_tester_tx(struct xdp_md *ctx) {
  __u8 *data = (__u8 *)(long)ctx->data;
  const __u8 *end = (const __u8 *)(long)ctx->data_end;
#pragma unroll
  for (int i = 0; i < LIVE_TX_HEADER_WORDS; i++) {
    if (data + (i + 1) * 8 > end) break;
    *(__u64 *)(data + i * 8) = header[i];
  }
  return XDP_TX;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
