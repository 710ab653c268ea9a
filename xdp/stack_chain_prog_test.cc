// The XDP programs' deepest BPF-to-BPF call chain under Linux 6.1's stack rule, our minimum
// kernel, which cannot run here: 6.1's check_max_stack_depth adds every frame of a call chain,
// each rounded up to 32 bytes, and refuses more than 512. Newer kernels with a JIT round to 16,
// so a chain that 6.1 refuses still loads on the host. Each program is loaded with the
// verifier's statistics (its "stack depth A+B+..." line: one frame per subprogram), and the
// call graph is read back from the loaded program's instructions and func_info.
//
// RF_STACK_CHAIN_OBJECT=<path to reflector_bpf.o> checks another build's object instead of
// the one built in (to compare with another branch).
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <net/if.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "testing/lab/netns.h"
#include "testing/lab/require_root.h"
#include "xdp/abi.h"
#include "xdp/reflector_skel.skel.h"

namespace reflector::xdp {
namespace {

constexpr uint32_t kStackLimit = 512;   // MAX_BPF_STACK
constexpr uint32_t kFrameRounding = 32;  // 6.1: round_up(max(depth, 1), 32) per frame
constexpr uint32_t kXdpDevBoundOnly = 1U << 6;  // BPF_F_XDP_DEV_BOUND_ONLY (Linux 6.3)

uint32_t Frame61(uint32_t depth) {
  const uint32_t at_least_one = std::max<uint32_t>(depth, 1);
  return (at_least_one + kFrameRounding - 1) / kFrameRounding * kFrameRounding;
}

// What the kernel reports of one loaded program.
struct LoadedProgram {
  std::vector<uint32_t> frame_depths;         // per subprogram, from the verifier's log
  std::vector<std::vector<size_t>> callees;   // per subprogram, from the xlated instructions
  std::vector<std::string> names;             // per subprogram, from func_info's BTF
  std::string error;                          // why it could not be loaded or read
};

// The "stack depth 168+176+144" line of a BPF_LOG_STATS log.
std::vector<uint32_t> ParseStackDepths(const std::string& log) {
  std::vector<uint32_t> depths;
  const std::string key = "stack depth ";
  const size_t at = log.find(key);
  if (at == std::string::npos) return depths;
  std::istringstream line(log.substr(at + key.size(), log.find('\n', at) - at - key.size()));
  uint32_t depth = 0;
  char plus = 0;
  while (line >> depth) {
    depths.push_back(depth);
    if (!(line >> plus) || plus != '+') break;
  }
  return depths;
}

LoadedProgram LoadAndRead(const std::string& entry, const std::string& object_path) {
  LoadedProgram result;
  bpf_object* object = nullptr;
  if (object_path.empty()) {
    size_t size = 0;
    const void* bytes = rf_xdp::elf_bytes(&size);
    object = bpf_object__open_mem(bytes, size, nullptr);
  } else {
    object = bpf_object__open_file(object_path.c_str(), nullptr);
  }
  if (object == nullptr) {
    result.error = "cannot open the object";
    return result;
  }
  std::vector<char> log(1 << 16);
  bpf_program* program = nullptr;
  bpf_program* each = nullptr;
  bpf_object__for_each_program(each, object) {
    const bool is_entry = entry == bpf_program__name(each);
    bpf_program__set_autoload(each, is_entry);
    if (is_entry) program = each;
  }
  if (program == nullptr) {
    bpf_object__close(object);
    result.error = "no program " + entry;
    return result;
  }
  bpf_program__set_log_level(program, 4);  // BPF_LOG_STATS
  bpf_program__set_log_buf(program, log.data(), log.size());
  if (entry == "rf_xdp_reflect_nic") {
    // The device-bound program loads only bound to a device whose driver has XDP RX
    // metadata: the caller's namespace has a veth "rfstk0".
    bpf_program__set_ifindex(program, if_nametoindex("rfstk0"));
    bpf_program__set_flags(program, bpf_program__flags(program) | kXdpDevBoundOnly);
  }
  if (const int err = bpf_object__load(object)) {
    result.error = "load failed (" + std::to_string(err) + "): " + log.data();
    bpf_object__close(object);
    return result;
  }
  result.frame_depths = ParseStackDepths(log.data());

  const int fd = bpf_program__fd(program);
  bpf_prog_info info = {};
  uint32_t length = sizeof(info);
  if (bpf_obj_get_info_by_fd(fd, &info, &length) != 0) {
    result.error = "cannot read the program's info";
    bpf_object__close(object);
    return result;
  }
  std::vector<bpf_insn> insns(info.xlated_prog_len / sizeof(bpf_insn));
  std::vector<bpf_func_info> funcs(info.nr_func_info);
  const uint32_t func_info_size = info.func_info_rec_size;
  info = {};
  info.xlated_prog_len = insns.size() * sizeof(bpf_insn);
  info.xlated_prog_insns = reinterpret_cast<uint64_t>(insns.data());
  info.nr_func_info = funcs.size();
  info.func_info_rec_size = func_info_size;
  info.func_info = reinterpret_cast<uint64_t>(funcs.data());
  length = sizeof(info);
  if (bpf_obj_get_info_by_fd(fd, &info, &length) != 0) {
    result.error = "cannot read the program's instructions";
    bpf_object__close(object);
    return result;
  }
  const btf* types = bpf_object__btf(object);
  for (const bpf_func_info& func : funcs) {
    const btf_type* type = types ? btf__type_by_id(types, func.type_id) : nullptr;
    result.names.push_back(type ? btf__name_by_offset(types, type->name_off) : "?");
  }
  bpf_object__close(object);

  // Subprogram i starts at funcs[i].insn_off; a pseudo call's target is pc + off + 1 once the
  // JIT has run (it keeps the subprogram's index in imm), else pc + imm + 1.
  std::vector<uint32_t> starts;
  for (const bpf_func_info& func : funcs) starts.push_back(func.insn_off);
  auto subprogram_at = [&](int64_t pc) -> int64_t {
    for (size_t i = 0; i < starts.size(); ++i) {
      if (starts[i] == pc) return static_cast<int64_t>(i);
    }
    return -1;
  };
  auto subprogram_of = [&](size_t pc) -> size_t {
    size_t owner = 0;
    for (size_t i = 0; i < starts.size(); ++i) {
      if (starts[i] <= pc) owner = i;
    }
    return owner;
  };
  result.callees.assign(starts.size(), {});
  for (size_t pc = 0; pc < insns.size(); ++pc) {
    const bpf_insn& insn = insns[pc];
    if (insn.code != (BPF_JMP | BPF_CALL) || insn.src_reg != BPF_PSEUDO_CALL) continue;
    int64_t callee = subprogram_at(static_cast<int64_t>(pc) + insn.off + 1);
    if (callee < 0) callee = subprogram_at(static_cast<int64_t>(pc) + insn.imm + 1);
    if (callee < 0) {
      result.error = "a call at " + std::to_string(pc) + " to no subprogram";
      return result;
    }
    result.callees[subprogram_of(pc)].push_back(static_cast<size_t>(callee));
  }
  if (result.frame_depths.size() != starts.size()) {
    result.error = "the log gives " + std::to_string(result.frame_depths.size()) +
                   " stack depths for " + std::to_string(starts.size()) + " subprograms: " +
                   log.data();
  }
  return result;
}

// The deepest chain from `subprogram` under 6.1's rounding (the call graph has no cycles: the
// verifier refuses recursion).
uint32_t WorstChain(const LoadedProgram& p, size_t subprogram, std::vector<size_t>* chain) {
  uint32_t deepest = 0;
  std::vector<size_t> deepest_chain;
  for (const size_t callee : p.callees[subprogram]) {
    std::vector<size_t> below;
    const uint32_t depth = WorstChain(p, callee, &below);
    if (depth > deepest) {
      deepest = depth;
      deepest_chain = below;
    }
  }
  chain->assign(1, subprogram);
  chain->insert(chain->end(), deepest_chain.begin(), deepest_chain.end());
  return Frame61(p.frame_depths[subprogram]) + deepest;
}

class StackChainTest : public ::testing::TestWithParam<const char*> {};

TEST_P(StackChainTest, DeepestCallChainFitsLinux61) {
  REFLECTOR_REQUIRE_ROOT();
  const char* object_path = std::getenv("RF_STACK_CHAIN_OBJECT");
  absl::StatusOr<testing::lab::NetNamespace> ns =
      testing::lab::NetNamespace::Create(testing::lab::UniqueLabName("rfstk"));
  ASSERT_TRUE(ns.ok()) << ns.status();
  const absl::Status veth =
      ns->Run({"ip", "link", "add", "rfstk0", "type", "veth", "peer", "name", "rfstk1"});
  ASSERT_TRUE(veth.ok()) << veth;
  absl::StatusOr<testing::lab::NetnsEntry> inside = testing::lab::NetnsEntry::Enter(ns->name());
  ASSERT_TRUE(inside.ok()) << inside.status();
  const LoadedProgram loaded = LoadAndRead(GetParam(), object_path ? object_path : "");
  ASSERT_TRUE(loaded.error.empty()) << loaded.error;
  std::vector<size_t> chain;
  const uint32_t total = WorstChain(loaded, 0, &chain);
  std::string described;
  for (const size_t subprogram : chain) {
    if (!described.empty()) described += " > ";
    described += loaded.names[subprogram] + " (" +
                 std::to_string(loaded.frame_depths[subprogram]) + " -> " +
                 std::to_string(Frame61(loaded.frame_depths[subprogram])) + ")";
  }
  std::printf("%s: deepest chain %u bytes under 6.1's rule: %s\n", GetParam(), total,
              described.c_str());
  EXPECT_LE(total, kStackLimit) << GetParam() << ": " << described
                                << " is more stack than Linux 6.1 allows";
}

INSTANTIATE_TEST_SUITE_P(Programs, StackChainTest,
                         ::testing::Values("rf_xdp_reflect", "rf_xdp_reflect_nic"));

}  // namespace
}  // namespace reflector::xdp
