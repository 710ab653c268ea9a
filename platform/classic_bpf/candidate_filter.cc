#include "platform/classic_bpf/candidate_filter.h"

namespace reflector::platform::classic_bpf {
namespace {

// Classic BPF opcodes (the values of BPF_LD, BPF_B, ... in <linux/bpf_common.h> and
// <net/bpf.h>, fixed since the 1993 BPF paper).
constexpr uint16_t kLd = 0x00, kLdx = 0x01, kJmp = 0x05, kRet = 0x06;
constexpr uint16_t kW = 0x00, kH = 0x08, kB = 0x10;
constexpr uint16_t kImm = 0x00, kAbs = 0x20, kInd = 0x40;
constexpr uint16_t kJeq = 0x10, kJge = 0x30, kJset = 0x40;
constexpr uint16_t kK = 0x00;

// Offsets after the Ethernet header; X holds the bytes of inline tags (0, 4 or 8).
constexpr uint32_t kEthHeader = 14;
constexpr uint32_t kIpv4Protocol = kEthHeader + 9;
constexpr uint32_t kIpv6NextHeader = kEthHeader + 6;

Instruction Stmt(uint16_t code, uint32_t k) { return Instruction{code, 0, 0, k}; }
Instruction Jump(uint16_t code, uint32_t k, uint8_t jt, uint8_t jf) {
  return Instruction{code, jt, jf, k};
}

}  // namespace

std::vector<Instruction> CandidateFilterProgram() {
  // Jump offsets count instructions after the jump; the index of each line is in its comment
  // so the offsets can be checked by eye. The tags first (X = their bytes, A = the EtherType
  // behind them), then the destination: unicast for UDP and CFM, class-1 multicast for LBM.
  return {
      Stmt(kLdx | kW | kImm, 0),                      // 0: X = no tags
      Stmt(kLd | kH | kAbs, 12),                      // 1: EtherType or TPID
      Jump(kJmp | kJeq | kK, 0x8100, 1, 0),           // 2: -> 4
      Jump(kJmp | kJeq | kK, 0x88a8, 0, 6),           // 3: untagged -> 10
      Stmt(kLdx | kW | kImm, 4),                      // 4: X = one tag
      Stmt(kLd | kH | kAbs, 16),                      // 5
      Jump(kJmp | kJeq | kK, 0x8100, 1, 0),           // 6: -> 8
      Jump(kJmp | kJeq | kK, 0x88a8, 0, 2),           // 7: one tag -> 10
      Stmt(kLdx | kW | kImm, 8),                      // 8: X = two tags
      Stmt(kLd | kH | kAbs, 20),                      // 9
      Jump(kJmp | kJeq | kK, 0x8902, 9, 0),           // 10: CFM (Y.1731) -> 20
      Stmt(kLd | kB | kAbs, 0),                       // 11: dst MAC, first byte
      Jump(kJmp | kJset | kK, 1, 17, 0),              // 12: group bit -> 30 drop
      Stmt(kLd | kH | kInd, kEthHeader - 2),          // 13: the EtherType again
      Jump(kJmp | kJeq | kK, 0x0800, 0, 2),           // 14: IPv4? else -> 17
      Stmt(kLd | kB | kInd, kIpv4Protocol),           // 15
      Jump(kJmp | kJeq | kK, 17, 12, 13),             // 16: UDP -> 29, else -> 30
      Jump(kJmp | kJeq | kK, 0x86dd, 0, 12),          // 17: IPv6? else -> 30
      Stmt(kLd | kB | kInd, kIpv6NextHeader),         // 18
      Jump(kJmp | kJeq | kK, 17, 9, 10),              // 19: UDP -> 29, else -> 30
      Stmt(kLd | kB | kAbs, 0),                       // 20: CFM: dst MAC, first byte
      Jump(kJmp | kJset | kK, 1, 0, 7),               // 21: unicast -> 29
      Stmt(kLd | kW | kAbs, 0),                       // 22: class 1: 01:80:C2:00:00:3x, x the
      Jump(kJmp | kJeq | kK, 0x0180c200, 0, 6),       // 23:   level 0-7; else -> 30
      Stmt(kLd | kH | kAbs, 4),                       // 24
      Jump(kJmp | kJge | kK, 0x0038, 4, 0),           // 25: 38-3f (class 2), above -> 30
      Jump(kJmp | kJge | kK, 0x0030, 0, 3),           // 26: below 30 -> 30
      Stmt(kLd | kB | kInd, kEthHeader + 1),          // 27: OpCode
      Jump(kJmp | kJeq | kK, 3, 0, 1),                // 28: LBM -> 29, else -> 30
      Stmt(kRet | kK, 0xffffffffu),                   // 29: accept the whole frame
      Stmt(kRet | kK, 0),                             // 30: drop
  };
}

}  // namespace reflector::platform::classic_bpf
