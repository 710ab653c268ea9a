#include "tools/bench/bpf_interpreter.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include <time.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "reflector/base/status_macros.h"
#include "xdp/bpf_status.h"

namespace reflector::bench {
namespace {

constexpr uint64_t kMaxInstructions = 10'000'000;  // a run past this is a loop the model got wrong
constexpr int kMaxCallDepth = 8;                   // the kernel's limit
constexpr uint32_t kStackSize = 512;               // per frame, as the kernel's MAX_BPF_STACK
constexpr uint32_t kHeadroom = 256;                // before the frame, as XDP_PACKET_HEADROOM

// Helper ids (enum bpf_func_id): the ones the reflector's test-frame paths call.
constexpr int32_t kMapLookupElem = 1;
constexpr int32_t kMapUpdateElem = 2;
constexpr int32_t kKtimeGetNs = 5;
constexpr int32_t kGetSmpProcessorId = 8;
constexpr int32_t kRedirectMap = 51;
constexpr int32_t kKtimeGetBootNs = 125;
constexpr int32_t kKtimeGetCoarseNs = 160;
constexpr int32_t kKtimeGetTaiNs = 208;

// What an address points into. Region i spans [(i + 1) << 32, (i + 1) << 32 + size): the
// high half names the region, the low half is the offset.
enum class RegionKind { kStack, kContext, kPacket, kMapHandle, kMapValues };

struct Region {
  RegionKind kind;
  std::vector<uint8_t> bytes;
  int map = -1;  // kMapHandle, kMapValues: index into Machine::maps_
};

struct MapCopy {
  int fd = -1;
  bpf_map_info info = {};
  uint32_t stride = 0;  // bytes from one key's value to the next in the copy
  int handle_region = -1;
  int values_region = -1;  // -1: not an array, no values copied
};

uint64_t RegionBase(size_t index) { return static_cast<uint64_t>(index + 1) << 32; }

class Machine {
 public:
  Machine(absl::Span<const bpf_insn> program, absl::Span<const uint8_t> frame, int cpu)
      : program_(program), cpu_(cpu) {
    stack_ = AddRegion(RegionKind::kStack, kStackSize * kMaxCallDepth);
    context_ = AddRegion(RegionKind::kContext, sizeof(xdp_md));
    packet_ = AddRegion(RegionKind::kPacket, kHeadroom + frame.size());
    std::memcpy(regions_[packet_].bytes.data() + kHeadroom, frame.data(), frame.size());
    packet_end_ = kHeadroom + frame.size();
  }

  absl::StatusOr<InterpretedRun> Run() {
    uint64_t reg[11] = {};
    reg[1] = RegionBase(context_);
    reg[10] = RegionBase(stack_) + kStackSize;
    struct Frame {
      size_t return_pc;
      uint64_t saved[5];  // r6..r10
    };
    std::vector<Frame> calls;
    InterpretedRun run;
    size_t pc = 0;
    while (true) {
      if (pc >= program_.size()) return Fail(pc, "jumped past the program's end");
      if (++run.instructions > kMaxInstructions)
        return Fail(pc, "ran past 10,000,000 instructions");
      const bpf_insn& insn = program_[pc];
      if (insn.dst_reg > 10 || insn.src_reg > 10) return Fail(pc, "a register past r10");
      const uint8_t cls = BPF_CLASS(insn.code);
      uint64_t& dst = reg[insn.dst_reg];
      const uint64_t src = reg[insn.src_reg];
      switch (cls) {
        case BPF_LD: {
          if (insn.code != (BPF_LD | BPF_IMM | BPF_DW) || pc + 1 >= program_.size()) {
            return Fail(pc, absl::StrFormat("load opcode 0x%02x not modelled", insn.code));
          }
          const bpf_insn& next = program_[pc + 1];
          if (insn.src_reg == 0) {
            dst = static_cast<uint32_t>(insn.imm) |
                  static_cast<uint64_t>(static_cast<uint32_t>(next.imm)) << 32;
          } else if (insn.src_reg == BPF_PSEUDO_MAP_FD || insn.src_reg == BPF_PSEUDO_MAP_VALUE) {
            REFLECTOR_ASSIGN_OR_RETURN(const int map, MapOf(insn.imm));
            if (insn.src_reg == BPF_PSEUDO_MAP_FD) {
              dst = RegionBase(maps_[map].handle_region);
            } else {
              if (maps_[map].values_region < 0)
                return Fail(pc, "a value of a map that is not an array");
              dst = RegionBase(maps_[map].values_region) + static_cast<uint32_t>(next.imm);
            }
          } else {
            return Fail(pc, absl::StrCat("ld_imm64 of kind ", insn.src_reg, " not modelled"));
          }
          pc += 2;
          continue;
        }
        case BPF_LDX: {
          if (BPF_MODE(insn.code) != BPF_MEM) return Fail(pc, "a load other than BPF_MEM");
          REFLECTOR_ASSIGN_OR_RETURN(dst, Load(pc, src + insn.off, BPF_SIZE(insn.code)));
          break;
        }
        case BPF_ST:
        case BPF_STX: {
          const uint64_t address = dst + insn.off;
          if (BPF_MODE(insn.code) == BPF_MEM) {
            const uint64_t value =
                cls == BPF_ST ? static_cast<uint64_t>(static_cast<int64_t>(insn.imm)) : src;
            REFLECTOR_RETURN_IF_ERROR(Store(pc, address, BPF_SIZE(insn.code), value));
          } else if (BPF_MODE(insn.code) == BPF_ATOMIC && cls == BPF_STX) {
            REFLECTOR_RETURN_IF_ERROR(Atomic(pc, insn, address, reg));
          } else {
            return Fail(pc, absl::StrFormat("store opcode 0x%02x not modelled", insn.code));
          }
          break;
        }
        case BPF_ALU:
        case BPF_ALU64: {
          if (insn.off != 0) return Fail(pc, "a signed or sign-extending ALU op (cpu v4)");
          const bool wide = cls == BPF_ALU64;
          const uint64_t operand = BPF_SRC(insn.code) == BPF_X
                                       ? src
                                       : static_cast<uint64_t>(static_cast<int64_t>(insn.imm));
          REFLECTOR_ASSIGN_OR_RETURN(dst, Alu(pc, BPF_OP(insn.code), wide, dst, operand, insn));
          break;
        }
        case BPF_JMP:
        case BPF_JMP32: {
          const uint8_t op = BPF_OP(insn.code);
          if (op == BPF_CALL) {
            if (cls != BPF_JMP) return Fail(pc, "a call in the JMP32 class");
            if (insn.src_reg == BPF_PSEUDO_CALL) {
              if (calls.size() + 1 >= kMaxCallDepth) return Fail(pc, "calls nested too deep");
              Frame frame = {pc + 1, {reg[6], reg[7], reg[8], reg[9], reg[10]}};
              calls.push_back(frame);
              reg[10] = RegionBase(stack_) + kStackSize * (calls.size() + 1);
              pc = pc + 1 + insn.imm;
              continue;
            }
            if (insn.src_reg != 0) return Fail(pc, "a kfunc call");
            REFLECTOR_ASSIGN_OR_RETURN(reg[0], Helper(pc, insn.imm, reg));
            break;
          }
          if (op == BPF_EXIT) {
            if (calls.empty()) {
              run.action = static_cast<uint32_t>(reg[0]);
              const std::vector<uint8_t>& bytes = regions_[packet_].bytes;
              run.frame.assign(bytes.begin() + kHeadroom, bytes.begin() + packet_end_);
              return run;
            }
            const Frame frame = calls.back();
            calls.pop_back();
            for (int i = 0; i < 5; ++i) reg[6 + i] = frame.saved[i];
            pc = frame.return_pc;
            continue;
          }
          if (op == BPF_JA) {
            if (cls != BPF_JMP) return Fail(pc, "a long jump (cpu v4)");
            pc = pc + 1 + insn.off;
            continue;
          }
          const uint64_t right = BPF_SRC(insn.code) == BPF_X
                                     ? src
                                     : static_cast<uint64_t>(static_cast<int64_t>(insn.imm));
          REFLECTOR_ASSIGN_OR_RETURN(const bool taken, Compare(pc, op, cls == BPF_JMP, dst, right));
          pc = taken ? pc + 1 + insn.off : pc + 1;
          continue;
        }
        default:
          return Fail(pc, absl::StrFormat("instruction class 0x%02x not modelled", cls));
      }
      ++pc;
    }
  }

 private:
  absl::Status Fail(size_t pc, absl::string_view what) const {
    return absl::UnimplementedError(absl::StrCat("BPF interpreter, instruction ", pc, ": ", what));
  }

  int AddRegion(RegionKind kind, size_t size, int map = -1) {
    regions_.push_back({kind, std::vector<uint8_t>(size), map});
    return static_cast<int>(regions_.size() - 1);
  }

  // The map behind file descriptor `fd`, its values copied from the kernel on first use.
  absl::StatusOr<int> MapOf(int fd) {
    for (size_t i = 0; i < maps_.size(); ++i) {
      if (maps_[i].fd == fd) return static_cast<int>(i);
    }
    MapCopy copy;
    copy.fd = fd;
    uint32_t length = sizeof(copy.info);
    if (const int err = bpf_obj_get_info_by_fd(fd, &copy.info, &length)) {
      return xdp::BpfErrorToStatus(err, absl::StrCat("read map ", fd, "'s info"));
    }
    const int index = static_cast<int>(maps_.size());
    copy.handle_region = AddRegion(RegionKind::kMapHandle, 8, index);
    const bool per_cpu = copy.info.type == BPF_MAP_TYPE_PERCPU_ARRAY;
    if (copy.info.type == BPF_MAP_TYPE_ARRAY || per_cpu) {
      copy.stride = (copy.info.value_size + 7) & ~7u;
      copy.values_region = AddRegion(
          RegionKind::kMapValues, static_cast<size_t>(copy.stride) * copy.info.max_entries, index);
      const int cpus = per_cpu ? libbpf_num_possible_cpus() : 1;
      if (cpus <= 0) return xdp::BpfErrorToStatus(cpus, "count the possible CPUs");
      if (per_cpu && (cpu_ < 0 || cpu_ >= cpus)) {
        return absl::InvalidArgumentError(absl::StrCat("CPU ", cpu_, " is not a possible CPU"));
      }
      std::vector<uint8_t> value(static_cast<size_t>(copy.stride) * cpus);
      for (uint32_t key = 0; key < copy.info.max_entries; ++key) {
        if (const int err = bpf_map_lookup_elem(fd, &key, value.data())) {
          return xdp::BpfErrorToStatus(err,
                                       absl::StrCat("read map ", copy.info.name, " key ", key));
        }
        // The run's CPU's value of a per-CPU map.
        std::memcpy(
            regions_[copy.values_region].bytes.data() + static_cast<size_t>(key) * copy.stride,
            value.data() + static_cast<size_t>(copy.stride) * (per_cpu ? cpu_ : 0),
            copy.info.value_size);
      }
    }
    maps_.push_back(copy);
    return index;
  }

  // The region and offset of `size` bytes at `address`, or an error.
  absl::StatusOr<std::pair<Region*, uint32_t>> Resolve(size_t pc, uint64_t address, uint32_t size) {
    const uint64_t index = (address >> 32) - 1;
    const uint32_t offset = static_cast<uint32_t>(address);
    if ((address >> 32) == 0 || index >= regions_.size() ||
        static_cast<uint64_t>(offset) + size > regions_[index].bytes.size()) {
      return Fail(pc, absl::StrFormat("an access of %u bytes at 0x%x, outside every region", size,
                                      address));
    }
    return std::make_pair(&regions_[index], offset);
  }

  static uint32_t Bytes(uint8_t size) {
    switch (size) {
      case BPF_B:
        return 1;
      case BPF_H:
        return 2;
      case BPF_W:
        return 4;
      default:
        return 8;
    }
  }

  absl::StatusOr<uint64_t> Load(size_t pc, uint64_t address, uint8_t size) {
    const uint32_t bytes = Bytes(size);
    REFLECTOR_ASSIGN_OR_RETURN(const auto where, Resolve(pc, address, bytes));
    const auto [region, offset] = where;
    if (region->kind == RegionKind::kContext) {
      // struct xdp_md: the verifier turns these 32-bit reads into the kernel's pointers.
      switch (offset) {
        case offsetof(xdp_md, data):
        case offsetof(xdp_md, data_meta):
          return RegionBase(packet_) + kHeadroom;
        case offsetof(xdp_md, data_end):
          return RegionBase(packet_) + packet_end_;
        case offsetof(xdp_md, ingress_ifindex):
          return 1;
        default:
          return 0;
      }
    }
    if (region->kind == RegionKind::kMapHandle) return Fail(pc, "a read of a map itself");
    uint64_t value = 0;
    std::memcpy(&value, region->bytes.data() + offset, bytes);  // little-endian host, as BPF's
    return value;
  }

  absl::Status Store(size_t pc, uint64_t address, uint8_t size, uint64_t value) {
    const uint32_t bytes = Bytes(size);
    REFLECTOR_ASSIGN_OR_RETURN(const auto where, Resolve(pc, address, bytes));
    const auto [region, offset] = where;
    if (region->kind == RegionKind::kContext || region->kind == RegionKind::kMapHandle) {
      return Fail(pc, "a write to the context or to a map itself");
    }
    std::memcpy(region->bytes.data() + offset, &value, bytes);
    return absl::OkStatus();
  }

  absl::Status Atomic(size_t pc, const bpf_insn& insn, uint64_t address, uint64_t* reg) {
    const uint8_t size = BPF_SIZE(insn.code);
    if (size != BPF_W && size != BPF_DW) return Fail(pc, "an atomic op on fewer than 4 bytes");
    const uint64_t mask = size == BPF_W ? 0xffffffffull : ~0ull;
    REFLECTOR_ASSIGN_OR_RETURN(const uint64_t old, Load(pc, address, size));
    const uint64_t operand = reg[insn.src_reg] & mask;
    uint64_t value;
    switch (insn.imm & ~BPF_FETCH) {
      case BPF_ADD:
        value = old + operand;
        break;
      case BPF_OR:
        value = old | operand;
        break;
      case BPF_AND:
        value = old & operand;
        break;
      case BPF_XOR:
        value = old ^ operand;
        break;
      default:
        if (insn.imm == BPF_XCHG) {
          value = operand;
        } else if (insn.imm == BPF_CMPXCHG) {
          value = old == (reg[0] & mask) ? operand : old;
          reg[0] = old;
          return Store(pc, address, size, value);
        } else {
          return Fail(pc, absl::StrCat("atomic op ", insn.imm, " not modelled"));
        }
    }
    REFLECTOR_RETURN_IF_ERROR(Store(pc, address, size, value & mask));
    if (insn.imm & BPF_FETCH) reg[insn.src_reg] = old;
    return absl::OkStatus();
  }

  absl::StatusOr<uint64_t> Alu(size_t pc, uint8_t op, bool wide, uint64_t left, uint64_t right,
                               const bpf_insn& insn) {
    if (op == BPF_END) {
      // BPF_ALU class only (BPF_ALU64's is cpu v4's unconditional swap); the whole register is
      // the operand, and the result is the low `imm` bits, swapped to big-endian or not.
      if (wide) return Fail(pc, "an unconditional byte swap (cpu v4)");
      const bool to_big = BPF_SRC(insn.code) == BPF_TO_BE;
      switch (insn.imm) {
        case 16:
          return to_big ? __builtin_bswap16(static_cast<uint16_t>(left)) : (left & 0xffff);
        case 32:
          return to_big ? __builtin_bswap32(static_cast<uint32_t>(left)) : (left & 0xffffffff);
        case 64:
          return to_big ? __builtin_bswap64(left) : left;
        default:
          return Fail(pc, absl::StrCat("a byte swap of ", insn.imm, " bits"));
      }
    }
    if (!wide) {
      left = static_cast<uint32_t>(left);
      right = static_cast<uint32_t>(right);
    }
    const unsigned shift_mask = wide ? 63 : 31;
    uint64_t out;
    switch (op) {
      case BPF_ADD:
        out = left + right;
        break;
      case BPF_SUB:
        out = left - right;
        break;
      case BPF_MUL:
        out = left * right;
        break;
      case BPF_DIV:
        out = right == 0 ? 0 : left / right;
        break;
      case BPF_MOD:
        out = right == 0 ? left : left % right;
        break;
      case BPF_OR:
        out = left | right;
        break;
      case BPF_AND:
        out = left & right;
        break;
      case BPF_XOR:
        out = left ^ right;
        break;
      case BPF_LSH:
        out = left << (right & shift_mask);
        break;
      case BPF_RSH:
        out = left >> (right & shift_mask);
        break;
      case BPF_ARSH:
        out = wide ? static_cast<uint64_t>(static_cast<int64_t>(left) >> (right & 63))
                   : static_cast<uint32_t>(static_cast<int32_t>(left) >> (right & 31));
        break;
      case BPF_NEG:
        out = 0 - left;
        break;
      case BPF_MOV:
        out = right;
        break;
      default:
        return Fail(pc, absl::StrFormat("ALU op 0x%02x not modelled", op));
    }
    return wide ? out : static_cast<uint32_t>(out);
  }

  absl::StatusOr<bool> Compare(size_t pc, uint8_t op, bool wide, uint64_t left, uint64_t right) {
    if (!wide) {
      left = static_cast<uint32_t>(left);
      right = static_cast<uint32_t>(right);
    }
    const int64_t sleft = wide ? static_cast<int64_t>(left) : static_cast<int32_t>(left);
    const int64_t sright = wide ? static_cast<int64_t>(right) : static_cast<int32_t>(right);
    switch (op) {
      case BPF_JEQ:
        return left == right;
      case BPF_JNE:
        return left != right;
      case BPF_JGT:
        return left > right;
      case BPF_JGE:
        return left >= right;
      case BPF_JLT:
        return left < right;
      case BPF_JLE:
        return left <= right;
      case BPF_JSET:
        return (left & right) != 0;
      case BPF_JSGT:
        return sleft > sright;
      case BPF_JSGE:
        return sleft >= sright;
      case BPF_JSLT:
        return sleft < sright;
      case BPF_JSLE:
        return sleft <= sright;
      default:
        return Fail(pc, absl::StrFormat("jump op 0x%02x not modelled", op));
    }
  }

  absl::StatusOr<uint64_t> Helper(size_t pc, int32_t id, const uint64_t* reg) {
    switch (id) {
      case kMapLookupElem:
      case kMapUpdateElem: {
        const uint64_t index = (reg[1] >> 32) - 1;
        if ((reg[1] >> 32) == 0 || index >= regions_.size() ||
            regions_[index].kind != RegionKind::kMapHandle) {
          return Fail(pc, "a map helper without a map");
        }
        const MapCopy& map = maps_[regions_[index].map];
        if (map.values_region < 0) {
          if (id == kMapLookupElem) return 0;  // a hash map: "not found" (see the header)
          return Fail(pc, absl::StrCat("an update of map ", map.info.name, ", not an array"));
        }
        REFLECTOR_ASSIGN_OR_RETURN(const uint64_t key, Load(pc, reg[2], BPF_W));
        if (key >= map.info.max_entries)
          return id == kMapLookupElem ? 0 : static_cast<uint64_t>(-E2BIG);
        const uint64_t value = RegionBase(map.values_region) + key * map.stride;
        if (id == kMapLookupElem) return value;
        for (uint32_t i = 0; i < map.info.value_size; ++i) {
          REFLECTOR_ASSIGN_OR_RETURN(const uint64_t byte, Load(pc, reg[3] + i, BPF_B));
          REFLECTOR_RETURN_IF_ERROR(Store(pc, value + i, BPF_B, byte));
        }
        return 0;
      }
      case kKtimeGetNs:
        return ClockNs(CLOCK_MONOTONIC);
      case kKtimeGetBootNs:
        return ClockNs(CLOCK_BOOTTIME);
      case kKtimeGetCoarseNs:
        return ClockNs(CLOCK_MONOTONIC_COARSE);
      case kKtimeGetTaiNs:
        return ClockNs(CLOCK_TAI);
      case kGetSmpProcessorId:
        return static_cast<uint64_t>(cpu_);
      case kRedirectMap:
        return reg[3] & 3;  // no socket in the copy: the flags' fallback action
      default:
        return Fail(pc, absl::StrCat("helper ", id, " not modelled"));
    }
  }

  static uint64_t ClockNs(clockid_t clock) {
    timespec now = {};
    clock_gettime(clock, &now);
    return static_cast<uint64_t>(now.tv_sec) * 1'000'000'000ull +
           static_cast<uint64_t>(now.tv_nsec);
  }

  absl::Span<const bpf_insn> program_;
  int cpu_;
  std::vector<Region> regions_;
  std::vector<MapCopy> maps_;
  int stack_ = -1;
  int context_ = -1;
  int packet_ = -1;
  size_t packet_end_ = 0;
};

}  // namespace

absl::StatusOr<InterpretedRun> InterpretXdp(absl::Span<const bpf_insn> program,
                                            absl::Span<const uint8_t> frame, int cpu) {
  Machine machine(program, frame, cpu);
  return machine.Run();
}

}  // namespace reflector::bench
