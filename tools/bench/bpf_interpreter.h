// Counts the BPF instructions an XDP program executes on one frame: a figure that, unlike the
// kernel's timing (prog_cost.h), is the same on every run and every machine, so a change to
// the program's fast path can be judged by it where nanoseconds on a shared VM cannot.
//
// A small interpreter of the instructions as libbpf loaded them (xdp::XdpProgram::
// instructions()), over a copy of the program's maps read from the kernel: an array map's
// values (the given CPU's for a per-CPU one), the global sections likewise. It models what the
// reflector's paths for test frames call: map lookups in arrays (a hash map's lookup answers
// "not found"), array updates, the clocks, the CPU id and atomic adds.
// Anything else (another helper, a kfunc, an access outside every region) ends the run with
// an error naming it and the instruction, never a guess. It counts each instruction once, a
// 16-byte ld_imm64 included, and checks itself against the kernel: the tests compare its
// action and output frame with bpf_prog_test_run's.
#ifndef REFLECTOR_TOOLS_BENCH_BPF_INTERPRETER_H_
#define REFLECTOR_TOOLS_BENCH_BPF_INTERPRETER_H_

#include <linux/bpf.h>

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace reflector::bench {

struct InterpretedRun {
  uint64_t instructions = 0;   // executed, across every subprogram called
  uint32_t action = 0;         // the program's return value (XDP_TX, XDP_PASS, ...)
  std::vector<uint8_t> frame;  // the frame as the program left it
};

// Runs `program` (its first instruction is the entry) once on `frame` as CPU `cpu` would: with
// the maps' contents as the kernel holds them now, that CPU's values of the per-CPU ones (read
// afresh on every call; the run writes only its copy). The clocks are read as the kernel's
// helpers read them, so that a time kept in a map (the loop guard's stamps) compares as in the
// kernel.
absl::StatusOr<InterpretedRun> InterpretXdp(absl::Span<const bpf_insn> program,
                                            absl::Span<const uint8_t> frame, int cpu);

}  // namespace reflector::bench

#endif  // REFLECTOR_TOOLS_BENCH_BPF_INTERPRETER_H_
