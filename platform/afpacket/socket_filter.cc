#include "platform/afpacket/socket_filter.h"

#include <sys/socket.h>

#include <cerrno>
#include <cstddef>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "platform/classic_bpf/candidate_filter.h"

namespace reflector::platform::afpacket {

static_assert(sizeof(sock_filter) == sizeof(classic_bpf::Instruction) &&
                  offsetof(sock_filter, code) == offsetof(classic_bpf::Instruction, code) &&
                  offsetof(sock_filter, jt) == offsetof(classic_bpf::Instruction, jt) &&
                  offsetof(sock_filter, jf) == offsetof(classic_bpf::Instruction, jf) &&
                  offsetof(sock_filter, k) == offsetof(classic_bpf::Instruction, k),
              "sock_filter is classic BPF's instruction");

std::vector<sock_filter> CandidateFilterProgram() {
  std::vector<sock_filter> program;
  for (const classic_bpf::Instruction& i : classic_bpf::CandidateFilterProgram()) {
    program.push_back(sock_filter{i.code, i.jt, i.jf, i.k});
  }
  return program;
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
