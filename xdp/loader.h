// XdpProgram: the reflector's XDP program (xdp/reflector.bpf.c) loaded into the kernel and,
// optionally, attached to one interface. It owns every kernel object involved; destroying it
// detaches the program and frees its maps, and because the attachment is a bpf_link even a
// killed process leaves nothing attached.
//
//   REFLECTOR_ASSIGN_OR_RETURN(std::unique_ptr<XdpProgram> program, XdpProgram::Load());
//   REFLECTOR_RETURN_IF_ERROR(program->Configure(filter, Action::kReflect));
//   REFLECTOR_ASSIGN_OR_RETURN(Attachment attached, program->Attach("eth1"));
//   if (!attached.fallback_reason.empty()) { /* print why native mode was not used */ }
//   ...
//   REFLECTOR_ASSIGN_OR_RETURN(rf_xdp_counters counters, program->ReadCounters());
//
// Thread-compatible: one thread at a time may call the non-const methods. ReadCounters may run
// on any thread while the program is attached.
#ifndef REFLECTOR_XDP_LOADER_H_
#define REFLECTOR_XDP_LOADER_H_

#include <linux/bpf.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "reflector/packet/dwell.h"
#include "reflector/packet/session.h"
#include "reflector/packet/wire.h"
#include "xdp/abi.h"
#include "xdp/bpf_link.h"  // AttachMode
#include "xdp/counters.h"  // CountersSince, for users of ReadCounters

struct rf_xdp;  // the bpftool skeleton; only loader.cc sees its definition

namespace reflector::xdp {

// What the program does with frames whose verdict is `reflect` (SPEC §5 data paths).
enum class Action : uint8_t {
  kMonitor = RF_XDP_MONITOR,    // count, pass everything
  kReflect = RF_XDP_TX,         // datapath xdp: reflect in place, XDP_TX
  kRedirect = RF_XDP_REDIRECT,  // datapath afxdp: to the rx queue's AF_XDP socket, else pass
};
// "monitor", "xdp", "afxdp".
absl::string_view ActionName(Action action);

struct LoadOptions {
  // Entries of the XSKMAP: rx queues 0..max_queues-1 can get an AF_XDP socket.
  uint32_t max_queues = RF_XDP_MAX_QUEUES_DEFAULT;
  // Per-tester sessions (session_count.h). Off leaves their code out of the program as loaded
  // and ReadSessions empty: what the bench compares with to time them.
  bool count_sessions = true;
  // Non-empty: load the program whose STAMP T2 is the NIC's receive timestamp (XDP RX
  // metadata), bound to this interface of the calling thread's network namespace; it can then
  // run only there, attached natively. Load fails, saying why, where the kernel or the driver
  // cannot do that. Empty: the program with T2 from the software clock, which runs anywhere
  // (and under BPF_PROG_TEST_RUN, which a device-bound program does not).
  std::string nic_rx_time_interface = "";
  // A short STAMP sender's frame grows at its tail where the buffer has room, else at its
  // front (rf_xdp_stamp_room). Off: always at the front, the way a veth's small buffers take,
  // which BPF_PROG_TEST_RUN's buffers (always with tailroom) never reach otherwise. For tests.
  bool stamp_grow_at_tail = true;
};

struct AttachOptions {
  AttachMode mode = AttachMode::kAuto;
  // Replace an XDP program that someone else attached through netlink (ip link, xdp-loader).
  // Without it, Attach refuses a device that already runs XDP. A program held by another
  // process's bpf_link cannot be replaced; Attach says so.
  bool replace = false;
};

// Where and how the program runs.
struct Attachment {
  std::string interface;
  int ifindex = 0;
  AttachMode mode = AttachMode::kNative;  // kNative or kGeneric: the mode in effect
  // Set when kAuto fell back to generic: why native mode failed.
  std::string fallback_reason;
  // Set when AttachOptions::replace removed another program: which one.
  std::string replaced;
};

class XdpProgram {
 public:
  // Loads the program and creates its maps; attaches nothing. The configuration starts as
  // all zeros, that is, monitor with no signature enabled: nothing is reflected until
  // Configure. Tests run the loaded program with bpf_prog_test_run_opts on program_fd().
  static absl::StatusOr<std::unique_ptr<XdpProgram>> Load(const LoadOptions& options = {});

  XdpProgram(const XdpProgram&) = delete;
  XdpProgram& operator=(const XdpProgram&) = delete;
  ~XdpProgram();  // detaches, then frees the program and its maps

  // Installs a configuration, attached or not, without reloading. Frames see either the old
  // configuration or the new one, never a mix. May wait for an RCU grace period (milliseconds)
  // when called again soon after a previous change.
  absl::Status Configure(const rf_config& filter, Action action);
  rf_xdp_config config() const;

  // Attaches to `interface` (a name in the calling thread's network namespace) through a
  // bpf_link. Fails with NotFound (listing the interfaces that exist), FailedPrecondition when
  // another XDP program is attached and `options.replace` is off, or PermissionDenied naming
  // the missing capability.
  absl::StatusOr<Attachment> Attach(absl::string_view interface,
                                    const AttachOptions& options = {});
  // Detaches if attached; the program and its maps stay loaded.
  void Detach();
  const std::optional<Attachment>& attachment() const { return attachment_; }

  // Sums the per-CPU counters.
  absl::StatusOr<rf_xdp_counters> ReadCounters() const;

  // Capture (issue 21): which frames the program copies into its ring with their verdict.
  // Takes effect at once; `enabled` is written last, so a frame never sees it set before the
  // selection it guards.
  void ConfigureCapture(const rf_capture_config& capture);
  // The BPF_MAP_TYPE_RINGBUF of rf_capture_record + frame bytes, for ring_buffer__new.
  int capture_ring_fd() const;
  // The per-CPU capture states summed: frames taken, limited, and refused by a full ring.
  absl::StatusOr<rf_capture_state> ReadCaptureState() const;

  // Per-tester sessions (session_count.h): the cache's slots and the table's entries, as read.
  absl::StatusOr<std::vector<rf_session_slot>> ReadSessions() const;

  // STAMP's reflector dwell (stamp_dwell.h): T3 - T2 of the answers sent, summed over CPUs.
  absl::StatusOr<rf_dwell_histogram> ReadStampDwell() const;

  int program_fd() const;
  // Whether STAMP's T2 comes from the NIC (LoadOptions::nic_rx_time_interface).
  bool nic_rx_time() const { return nic_rx_time_; }
  // The XSKMAP: the AF_XDP backend inserts the socket for rx queue q at key q.
  int xsk_map_fd() const;
  uint32_t xsk_map_size() const { return max_queues_; }
  // Instructions the verifier processed when the kernel accepted the program.
  uint32_t verified_instructions() const { return verified_instructions_; }
  // The program's BPF instructions as libbpf loaded them: its subprograms appended, calls
  // resolved, each map and global section named by its file descriptor (ld_imm64 with
  // BPF_PSEUDO_MAP_FD or BPF_PSEUDO_MAP_VALUE). What the bench's interpreter counts
  // (tools/bench/bpf_interpreter.h); valid while this object lives.
  absl::Span<const bpf_insn> instructions() const;

 private:
  XdpProgram(rf_xdp* skeleton, uint32_t max_queues, bool nic_rx_time);
  absl::Status ReadProgramInfo();
  absl::StatusOr<std::string> MakeRoomFor(int ifindex, absl::string_view interface,
                                          bool replace);

  rf_xdp* skeleton_;
  uint32_t max_queues_;
  bool nic_rx_time_;
  uint32_t verified_instructions_ = 0;
  bool configured_ = false;
  BpfLink link_;
  std::optional<Attachment> attachment_;
};

}  // namespace reflector::xdp

#endif  // REFLECTOR_XDP_LOADER_H_
