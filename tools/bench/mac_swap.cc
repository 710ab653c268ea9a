#include "tools/bench/mac_swap.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>

#include <cerrno>
#include <cstdlib>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "tools/bench/mac_swap_skel.skel.h"

namespace reflector::bench {

absl::StatusOr<std::unique_ptr<MacSwapProgram>> MacSwapProgram::Load() {
  rf_bench_swap_bpf* skeleton = rf_bench_swap_bpf__open_and_load();
  if (skeleton == nullptr) {
    return absl::ErrnoToStatus(errno, "load the baseline MAC-swap program (needs CAP_BPF)");
  }
  return std::unique_ptr<MacSwapProgram>(new MacSwapProgram(skeleton));
}

int MacSwapProgram::program_fd() const {
  return bpf_program__fd(skeleton_->progs.rf_bench_mac_swap);
}

absl::StatusOr<std::unique_ptr<MacSwapProgram>> MacSwapProgram::Attach(int ifindex) {
  absl::StatusOr<std::unique_ptr<MacSwapProgram>> loaded = Load();
  if (!loaded.ok()) return loaded.status();
  std::unique_ptr<MacSwapProgram> program = *std::move(loaded);
  LIBBPF_OPTS(bpf_link_create_opts, options, .flags = XDP_FLAGS_DRV_MODE);
  const int fd = bpf_link_create(program->program_fd(), ifindex, BPF_XDP, &options);
  if (fd < 0) {
    return absl::ErrnoToStatus(
        std::abs(fd), absl::StrCat("attach the baseline MAC-swap program natively to ifindex ",
                                   ifindex, " (is another XDP program attached there?)"));
  }
  program->link_.reset(fd);
  return program;
}

MacSwapProgram::~MacSwapProgram() {
  link_.reset();
  rf_bench_swap_bpf__destroy(skeleton_);
}

}  // namespace reflector::bench
