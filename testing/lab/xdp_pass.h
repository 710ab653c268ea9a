// A two-instruction XDP program that passes every frame, attached through a bpf_link. Put it
// on the tester's end of a veth: veth delivers XDP_TX and XDP_REDIRECT frames only to a peer
// that has an XDP program (it switches the peer's NAPI on).
#ifndef REFLECTOR_TESTING_LAB_XDP_PASS_H_
#define REFLECTOR_TESTING_LAB_XDP_PASS_H_

#include <linux/bpf.h>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "reflector/base/unique_fd.h"
#include "xdp/bpf_link.h"

namespace reflector::testing::lab {

// Loads hand-written XDP instructions (GPL) as the program `name`; `what` names it in the
// error. The lab's XDP_PASS program, and the bench's programs measured against it.
absl::StatusOr<UniqueFd> LoadRawXdpProgram(absl::Span<const bpf_insn> instructions,
                                           const char* name, const char* what);

class XdpPassProgram {
 public:
  // Loads the program; attaches nothing.
  static absl::StatusOr<XdpPassProgram> Load();
  // Attaches in native mode to `ifindex` (of the calling thread's netns) until destroyed.
  absl::Status Attach(int ifindex);

  int program_fd() const { return program_.get(); }

 private:
  explicit XdpPassProgram(UniqueFd program) : program_(std::move(program)) {}
  UniqueFd program_;
  xdp::BpfLink link_;  // declared last: detached before the program is closed
};

}  // namespace reflector::testing::lab

#endif  // REFLECTOR_TESTING_LAB_XDP_PASS_H_
