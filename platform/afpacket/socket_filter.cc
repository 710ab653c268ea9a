#include "platform/afpacket/socket_filter.h"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace reflector::platform::afpacket {
namespace {

// Offsets after the Ethernet header; X holds the bytes of inline tags (0, 4 or 8).
constexpr uint32_t kEthHeader = 14;
constexpr uint32_t kIpv4Protocol = kEthHeader + 9;
constexpr uint32_t kIpv6NextHeader = kEthHeader + 6;

sock_filter Stmt(uint16_t code, uint32_t k) { return sock_filter{code, 0, 0, k}; }
sock_filter Jump(uint16_t code, uint32_t k, uint8_t jt, uint8_t jf) {
  return sock_filter{code, jt, jf, k};
}

}  // namespace

std::vector<sock_filter> CandidateFilterProgram() {
  // Jump offsets count instructions after the jump; the index of each line is in its comment
  // so the offsets can be checked by eye.
  return {
      Stmt(BPF_LD | BPF_B | BPF_ABS, 0),                       // 0: dst MAC, first byte
      Jump(BPF_JMP | BPF_JSET | BPF_K, 1, 17, 0),              // 1: group bit -> 19 drop
      Stmt(BPF_LDX | BPF_W | BPF_IMM, 0),                      // 2: X = no tags
      Stmt(BPF_LD | BPF_H | BPF_ABS, 12),                      // 3: EtherType or TPID
      Jump(BPF_JMP | BPF_JEQ | BPF_K, 0x8100, 1, 0),           // 4: -> 6
      Jump(BPF_JMP | BPF_JEQ | BPF_K, 0x88a8, 0, 6),           // 5: untagged -> 12
      Stmt(BPF_LDX | BPF_W | BPF_IMM, 4),                      // 6: X = one tag
      Stmt(BPF_LD | BPF_H | BPF_ABS, 16),                      // 7
      Jump(BPF_JMP | BPF_JEQ | BPF_K, 0x8100, 1, 0),           // 8: -> 10
      Jump(BPF_JMP | BPF_JEQ | BPF_K, 0x88a8, 0, 2),           // 9: one tag -> 12
      Stmt(BPF_LDX | BPF_W | BPF_IMM, 8),                      // 10: X = two tags
      Stmt(BPF_LD | BPF_H | BPF_ABS, 20),                      // 11
      Jump(BPF_JMP | BPF_JEQ | BPF_K, 0x0800, 0, 2),           // 12: IPv4? else -> 15
      Stmt(BPF_LD | BPF_B | BPF_IND, kIpv4Protocol),           // 13
      Jump(BPF_JMP | BPF_JEQ | BPF_K, 17, 3, 4),               // 14: UDP -> 18, else -> 19
      Jump(BPF_JMP | BPF_JEQ | BPF_K, 0x86dd, 0, 3),           // 15: IPv6? else -> 19
      Stmt(BPF_LD | BPF_B | BPF_IND, kIpv6NextHeader),         // 16
      Jump(BPF_JMP | BPF_JEQ | BPF_K, 17, 0, 1),               // 17: UDP -> 18, else -> 19
      Stmt(BPF_RET | BPF_K, 0xffffffffu),                      // 18: accept the whole frame
      Stmt(BPF_RET | BPF_K, 0),                                // 19: drop
  };
}

absl::Status AttachCandidateFilter(int fd) {
  std::vector<sock_filter> program = CandidateFilterProgram();
  const sock_fprog fprog = {static_cast<unsigned short>(program.size()), program.data()};
  if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &fprog, sizeof(fprog)) != 0) {
    return absl::InternalError(
        absl::StrCat("SO_ATTACH_FILTER (candidate frame filter): ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

}  // namespace reflector::platform::afpacket
