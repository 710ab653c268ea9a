/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The line-rate engine's program, run by bpf_prog_test_run_opts in live-frames mode: XDP_TX
 * of the test frame when the pacer (live_pace.h) says it is due, XDP_DROP otherwise. The
 * kernel fills its frame pages from data_in once and then reuses them; a veth peer that
 * reflects in place (the reflector's XDP_TX) swaps the addresses in our own page, and the
 * next run would send that reflected frame. So the program first writes the headers back from
 * the template: the first 96 bytes hold every byte a reflector swaps (MACs, IPs and ports,
 * even IPv6 behind a tag).
 *
 * Each frame gets its own sequence number in the trailer (the CPU's frame count), as a real
 * tester's frames do. It also stamps the send span (trailer.h ito_tester_tx_stats): userspace only sees when a
 * test run returned, and a run's set-up and tear-down are not sending time.
 *
 * Template and pacer are per CPU (live_pace.h ITO_TESTER_TX_MAX_CPUS): the sender may run on
 * several CPUs, each with its own flow (a multi-queue veth picks the peer's RX queue by the
 * sending CPU) and its own share of the rate, and a pacer never sees two CPUs at once.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "tools/tester/live_flow.h"
#include "tools/tester/live_pace.h"
#include "tools/tester/trailer.h"

#define LIVE_TX_HEADER_WORDS 12

const volatile __u64 header[ITO_TESTER_TX_MAX_CPUS][LIVE_TX_HEADER_WORDS] = {};
/* Flows per CPU (live_flow.h), and where the UDP header starts (inside the template). */
const volatile __u32 flows = 1;
const volatile __u32 udp_offset = 0;
/* Where the frame's sequence number starts (StreamFrame::sequence_offset: the trailer's, or a
 * STAMP packet's); 0: the frame has none. */
const volatile __u32 sequence_offset = 0;

/* Written by userspace through the mmapped .bss before a run, read back after it. */
struct ito_tester_tx_pacer pacer[ITO_TESTER_TX_MAX_CPUS] = {};

/* Per CPU, although the sender keeps its threads on one: counts stay exact regardless. */
struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct ito_tester_tx_stats);
} tx_stats SEC(".maps");

SEC("xdp")
int ito_tester_tx(struct xdp_md *ctx) {
  /* Unpaced runs read the clock only at stamps (below); paced ones need it per frame. */
  const __u32 cpu = bpf_get_smp_processor_id();
  if (cpu >= ITO_TESTER_TX_MAX_CPUS) return XDP_DROP;
  struct ito_tester_tx_pacer *p = &pacer[cpu];
  __u64 now = 0;
  if (p->interval_ps != 0) now = bpf_ktime_get_ns();
  if (!ito_tester_tx_pace(p, now)) {
    return XDP_DROP;
  }
  __u8 *data = (__u8 *)(long)ctx->data;
  const __u8 *end = (const __u8 *)(long)ctx->data_end;
#pragma unroll
  for (int i = 0; i < LIVE_TX_HEADER_WORDS; i++) {
    if (data + (i + 1) * 8 > end) break;
    *(__u64 *)(data + i * 8) = header[cpu][i];
  }
  if (flows > 1 && udp_offset + 8 <= LIVE_TX_HEADER_WORDS * 8) {
    __u8 *udp = data + (udp_offset & 0x7f);
    if (udp + 8 <= end) ito_tester_shift_source_port(udp, (__u16)(p->released % flows));
  }
  __u32 zero = 0;
  struct ito_tester_tx_stats *stats = bpf_map_lookup_elem(&tx_stats, &zero);
  if (stats) {
    /* A test run keeps preemption off while it runs the program: no other sender thread
     * touches this CPU's entry meanwhile, so plain increments are exact. */
    const __u64 index = stats->frames++;
    /* Every frame its own sequence number, as a tester's frames have: a reflector that drops
     * a frame it has seen before (a loop) must not take this stream for one. */
    if (sequence_offset != 0 && udp_offset + 8 <= LIVE_TX_HEADER_WORDS * 8) {
      __u8 *udp = data + (udp_offset & 0x7f);
      __u8 *field = data + (sequence_offset & 0x3fff);
      if (udp + 8 <= end && field + 4 <= end) ito_tester_stamp_sequence(udp, field, (__u32)index);
    }
    if (index == 0 || index % ITO_TESTER_TX_STAMP_EVERY == 0) {
      if (now == 0) now = bpf_ktime_get_ns();
      if (index == 0) stats->first_ns = now;
      stats->last_ns = now;
      stats->stamped = index;
      /* Unpaced runs check their deadline here, once per stamp, instead of per frame. */
      if (p->deadline_ns != 0 && now > p->deadline_ns) p->count = p->released;
    }
  }
  return XDP_TX;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
