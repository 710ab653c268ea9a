#include "testing/lab/xdp_pass.h"

#include <bpf/bpf.h>
#include <linux/bpf.h>
#include <linux/if_link.h>

#include <cstdlib>

#include "absl/status/status.h"

namespace reflector::testing::lab {

absl::StatusOr<XdpPassProgram> XdpPassProgram::Load() {
  // r0 = XDP_PASS; exit
  const bpf_insn program[] = {
      {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .src_reg = 0, .off = 0,
       .imm = XDP_PASS},
      {.code = BPF_JMP | BPF_EXIT, .dst_reg = 0, .src_reg = 0, .off = 0, .imm = 0},
  };
  const int fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "rf_lab_pass", "GPL", program,
                               sizeof(program) / sizeof(program[0]), nullptr);
  if (fd < 0) return absl::ErrnoToStatus(std::abs(fd), "load the lab's XDP_PASS program");
  return XdpPassProgram(UniqueFd(fd));
}

absl::Status XdpPassProgram::Attach(int ifindex) {
  LIBBPF_OPTS(bpf_link_create_opts, options, .flags = XDP_FLAGS_DRV_MODE);
  const int fd = bpf_link_create(program_.get(), ifindex, BPF_XDP, &options);
  if (fd < 0) return absl::ErrnoToStatus(std::abs(fd), "attach the lab's XDP_PASS program");
  link_.reset(fd);
  return absl::OkStatus();
}

}  // namespace reflector::testing::lab
