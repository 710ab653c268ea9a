#include "platform/classic_bpf/candidate_filter.h"

namespace reflector::platform::classic_bpf {
namespace {

// Classic BPF opcodes (the values of BPF_LD, BPF_B, ... in <linux/bpf_common.h> and
// <net/bpf.h>, fixed since the 1993 BPF paper).
constexpr uint16_t kLd = 0x00, kLdx = 0x01, kJmp = 0x05, kRet = 0x06;
constexpr uint16_t kW = 0x00, kH = 0x08, kB = 0x10;
constexpr uint16_t kImm = 0x00, kAbs = 0x20, kInd = 0x40;
constexpr uint16_t kJeq = 0x10, kJset = 0x40;
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
  // so the offsets can be checked by eye.
  return {
      Stmt(kLd | kB | kAbs, 0),                       // 0: dst MAC, first byte
      Jump(kJmp | kJset | kK, 1, 19, 0),              // 1: group bit -> 21 drop
      Stmt(kLdx | kW | kImm, 0),                      // 2: X = no tags
      Stmt(kLd | kH | kAbs, 12),                      // 3: EtherType or TPID
      Jump(kJmp | kJeq | kK, 0x8100, 1, 0),           // 4: -> 6
      Jump(kJmp | kJeq | kK, 0x88a8, 0, 6),           // 5: untagged -> 12
      Stmt(kLdx | kW | kImm, 4),                      // 6: X = one tag
      Stmt(kLd | kH | kAbs, 16),                      // 7
      Jump(kJmp | kJeq | kK, 0x8100, 1, 0),           // 8: -> 10
      Jump(kJmp | kJeq | kK, 0x88a8, 0, 2),           // 9: one tag -> 12
      Stmt(kLdx | kW | kImm, 8),                      // 10: X = two tags
      Stmt(kLd | kH | kAbs, 20),                      // 11
      Jump(kJmp | kJeq | kK, 0x0800, 0, 2),           // 12: IPv4? else -> 15
      Stmt(kLd | kB | kInd, kIpv4Protocol),           // 13
      Jump(kJmp | kJeq | kK, 17, 3, 6),               // 14: UDP -> 18, else -> 21
      Jump(kJmp | kJeq | kK, 0x86dd, 0, 3),           // 15: IPv6? else -> 19
      Stmt(kLd | kB | kInd, kIpv6NextHeader),         // 16
      Jump(kJmp | kJeq | kK, 17, 0, 3),               // 17: UDP -> 18, else -> 21
      Stmt(kRet | kK, 0xffffffffu),                   // 18: accept the whole frame
      Jump(kJmp | kJeq | kK, 0x8902, 0, 1),           // 19: CFM (Y.1731)? else -> 21
      Stmt(kRet | kK, 0xffffffffu),                   // 20: accept the whole frame
      Stmt(kRet | kK, 0),                             // 21: drop
  };
}

}  // namespace reflector::platform::classic_bpf
