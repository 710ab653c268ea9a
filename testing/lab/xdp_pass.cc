#include "testing/lab/xdp_pass.h"

#include <bpf/bpf.h>
#include <linux/bpf.h>

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "reflector/base/status_macros.h"
#include "xdp/bpf_status.h"

namespace reflector::testing::lab {

absl::StatusOr<UniqueFd> LoadRawXdpProgram(absl::Span<const bpf_insn> instructions,
                                           const char* name, const char* what) {
  const int fd = bpf_prog_load(BPF_PROG_TYPE_XDP, name, "GPL", instructions.data(),
                               instructions.size(), nullptr);
  if (fd < 0) return xdp::BpfErrorToStatus(fd, absl::StrCat("load ", what));
  return UniqueFd(fd);
}

absl::StatusOr<XdpPassProgram> XdpPassProgram::Load() {
  // r0 = XDP_PASS; exit
  const bpf_insn program[] = {
      {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .src_reg = 0, .off = 0,
       .imm = XDP_PASS},
      {.code = BPF_JMP | BPF_EXIT, .dst_reg = 0, .src_reg = 0, .off = 0, .imm = 0},
  };
  REFLECTOR_ASSIGN_OR_RETURN(
      UniqueFd fd, LoadRawXdpProgram(program, "rf_lab_pass", "the lab's XDP_PASS program"));
  return XdpPassProgram(std::move(fd));
}

absl::Status XdpPassProgram::Attach(int ifindex) {
  REFLECTOR_ASSIGN_OR_RETURN(xdp::XdpLink attached,
                             xdp::AttachXdp(program_.get(), ifindex, xdp::AttachMode::kNative,
                                            "attach the lab's XDP_PASS program"));
  link_ = std::move(attached.link);
  return absl::OkStatus();
}

}  // namespace reflector::testing::lab
