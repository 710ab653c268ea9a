/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * XDP_PASS, for tools/lab.sh to attach on the tester's veth around a stream that the tester
 * receives through its sockets (STAMP): veth delivers XDP_TX and XDP_REDIRECT frames only to a
 * peer with XDP on, and drops them otherwise (the peer's rx `dropped`, the sender's
 * `xdp_tx_errors`). The C++ lab does the same with XdpPassProgram (xdp_pass.h); ito-tester's
 * own streams bring their own program.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int rf_lab_xdp_pass(struct xdp_md *ctx) {
  (void)ctx;
  return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
