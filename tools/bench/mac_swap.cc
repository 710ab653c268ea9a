#include "tools/bench/mac_swap.h"

#include <bpf/libbpf.h>

#include <cerrno>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "tools/bench/mac_swap_skel.skel.h"
#include "xdp/bpf_status.h"

namespace reflector::bench {

absl::StatusOr<std::unique_ptr<MacSwapProgram>> MacSwapProgram::Load() {
  rf_bench_swap_bpf* skeleton = rf_bench_swap_bpf__open_and_load();
  if (skeleton == nullptr) {
    return xdp::BpfErrorToStatus(errno, "load the baseline MAC-swap program");
  }
  return std::unique_ptr<MacSwapProgram>(new MacSwapProgram(skeleton));
}

absl::Span<const bpf_insn> MacSwapProgram::instructions() const {
  return absl::MakeConstSpan(bpf_program__insns(skeleton_->progs.rf_bench_mac_swap),
                             bpf_program__insn_cnt(skeleton_->progs.rf_bench_mac_swap));
}

int MacSwapProgram::program_fd() const {
  return bpf_program__fd(skeleton_->progs.rf_bench_mac_swap);
}

absl::StatusOr<std::unique_ptr<MacSwapProgram>> MacSwapProgram::Attach(int ifindex) {
  absl::StatusOr<std::unique_ptr<MacSwapProgram>> loaded = Load();
  if (!loaded.ok()) return loaded.status();
  std::unique_ptr<MacSwapProgram> program = *std::move(loaded);
  absl::StatusOr<xdp::XdpLink> attached =
      xdp::AttachXdp(program->program_fd(), ifindex, xdp::AttachMode::kNative,
                     absl::StrCat("attach the baseline MAC-swap program to ifindex ", ifindex));
  if (!attached.ok()) return attached.status();
  program->link_ = std::move(attached->link);
  return program;
}

MacSwapProgram::~MacSwapProgram() {
  link_.Detach();
  rf_bench_swap_bpf__destroy(skeleton_);
}

}  // namespace reflector::bench
