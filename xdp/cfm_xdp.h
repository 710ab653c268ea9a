/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The Y.1731 responder (reflector/packet/cfm.h) wired to XDP: reached only from the exact
 * classifier's path and only while the responder is on, so the fast reflect path never sees
 * it. (Not after the classifier: a branch on its verdict there splits the verifier's states
 * past the instruction limit.) Part of reflector.bpf.c: included
 * there after the counter and socket maps and rf_xdp_active_config, which it uses.
 */
#ifndef REFLECTOR_XDP_CFM_XDP_H_
#define REFLECTOR_XDP_CFM_XDP_H_

#include "reflector/packet/cfm.h"
#include "xdp/abi.h"

_Static_assert(RF_CFM_OUTCOME_COUNT <= RF_XDP_CFM_SLOTS, "CFM outcomes outgrew their slots");

/* SLRs sent per test (rf_cfm_slm_key): the TxFCb of the next SLR, shared by all CPUs (a test's
 * frames may arrive on several queues). LRU: an old test's count is forgotten, not refused. */
struct {
  __uint(type, BPF_MAP_TYPE_LRU_HASH);
  __uint(max_entries, 4096);
  __type(key, struct rf_cfm_slm_key);
  __type(value, __u32);
} rf_cfm_slm SEC(".maps");

/* The count of one more SLR for the SLM at `cfm_off`, this one included. */
RF_INLINE __u32 rf_xdp_cfm_next_slr(const __u8 *data, const __u8 *end, __u32 cfm_off) {
  struct rf_cfm_slm_key key = {};
  if (rf_cfm_read_slm_key(data, end, cfm_off, &key) != 0) return 0;
  __u32 *count = bpf_map_lookup_elem(&rf_cfm_slm, &key);
  if (count) {
    /* An atomic add without fetch (BPF v1); a CPU adding at the same moment may make two
     * SLRs carry the same count, which a concurrent test of one ID cannot tell apart anyway. */
    __sync_fetch_and_add(count, 1);
    return *count;
  }
  __u32 one = 1;
  bpf_map_update_elem(&rf_cfm_slm, &key, &one, BPF_NOEXIST);
  return 1;
}

/*
 * A frame the fast tier left, while the responder is on, before the exact classifier: a CFM
 * request is answered with XDP_TX (datapath xdp), redirected to the AF_XDP socket for the
 * worker to answer (afxdp), or counted as an answer and passed (monitor). Returns that action,
 * or -1 for the classifier to go on with the frame (not CFM, not answered, no socket); a CFM
 * frame it does not answer is counted here by reason and by the classifier as rejected. The
 * classifier rejects every frame the responder answers (not IP), so answering first changes
 * no verdict; a global function, so the verifier checks it once, apart from the classifier.
 */
__attribute__((noinline)) int rf_xdp_cfm(struct xdp_md *ctx) {
  __u8 *data = (__u8 *)(long)ctx->data;
  const __u8 *end = (const __u8 *)(long)ctx->data_end;
  struct rf_xdp_counters *counters = rf_xdp_cpu_counters();
  if (!counters) return -1; /* cannot happen for a one-entry array; the verifier asks */
  const struct rf_xdp_config *config = rf_xdp_active_config();
  __u32 off = 0;
  const __u32 outcome = rf_cfm_parse(data, end, &config->filter, &off);
  if (outcome == RF_CFM_NOT_CFM) return -1;
  if (outcome >= RF_CFM_ANSWERS) {
    counters->cfm_frames[outcome & (RF_XDP_CFM_SLOTS - 1)]++;
    return -1;
  }
  if (config->action == RF_XDP_REDIRECT) {
    /* The worker answers and counts it; without a socket it is passed as rejected. */
    return bpf_redirect_map(&rf_xsks, ctx->rx_queue_index, 0) == XDP_REDIRECT ? XDP_REDIRECT : -1;
  }
  if (config->action != RF_XDP_TX) { /* monitor: counted as what it would answer */
    counters->cfm_frames[outcome & (RF_XDP_CFM_SLOTS - 1)]++;
    counters->cfm_answered_bytes += (__u64)(end - data);
    return XDP_PASS;
  }
  /* RxTimeStampf as soon as the frame is known to be a DMM; TxTimeStampb right before the
   * answer is written. */
  const __u64 rx = outcome == RF_CFM_DMR ? bpf_ktime_get_tai_ns() : 0;
  const __u32 tx_fcb = outcome == RF_CFM_SLR ? rf_xdp_cfm_next_slr(data, end, off) : 0;
  const __u64 tx = outcome == RF_CFM_DMR ? bpf_ktime_get_tai_ns() : 0;
  /* Unreachable after rf_cfm_parse; the frame is unchanged and goes on as rejected. */
  if (rf_cfm_answer(data, end, &config->filter, off, outcome, rx, tx, tx_fcb) != 0) return -1;
  counters->cfm_frames[outcome & (RF_XDP_CFM_SLOTS - 1)]++;
  counters->cfm_answered_bytes += (__u64)(end - data);
  return XDP_TX;
}

#endif /* REFLECTOR_XDP_CFM_XDP_H_ */
