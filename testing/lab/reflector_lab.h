// The lab of SPEC §7, the one that every lab test and the benchmark build: a tester namespace
// and a reflector namespace joined by a veth pair. Its hosts are the frame builder's
// (reflector/packet/testing/frame_builder.h, the one place the lab's MACs and addresses are
// written): the reflector end has kReflectorMac with kReflectorIpv4/24 and kReflectorIpv6/64,
// the tester end kTesterMac, so table frames are addressed to this lab. The options choose the
// rest (queues, MTU, which addresses, an XDP_PASS program and a packet socket on the tester
// end, static neighbours); processes started in it can be pinned to a CPU.
//
//   REFLECTOR_ASSIGN_OR_RETURN(std::unique_ptr<ReflectorLab> lab, ReflectorLab::Create());
//   REFLECTOR_ASSIGN_OR_RETURN(LabProcess daemon, lab->StartReflectord({"--datapath=xdp"}));
//   lab->Send(frame); lab->Collect(1, absl::Seconds(2));
//
// Names are unique per run: namespaces rflab<pid><n>-tester and rflab<pid><n>-reflector,
// interfaces rflab<pid><n>t and rflab<pid><n>r (tools/lab.sh follows the same pattern). The
// destructor deletes both namespaces, and with them the veth and everything attached to it;
// a SIGINT/SIGTERM of the test does too (signal_cleanup.h).
#ifndef REFLECTOR_TESTING_LAB_REFLECTOR_LAB_H_
#define REFLECTOR_TESTING_LAB_REFLECTOR_LAB_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "reflector/packet/config.h"
#include "reflector/packet/testing/frame_builder.h"
#include "testing/lab/frame_compare.h"
#include "testing/lab/hosts.h"
#include "testing/lab/lab_process.h"
#include "testing/lab/netns.h"
#include "testing/lab/packet_socket.h"
#include "testing/lab/xdp_pass.h"

namespace reflector::testing::lab {

enum class End { kTester, kReflector };

struct ReflectorLabOptions {
  int mtu = 1500;
  // Rx and tx queues of each veth end (numrxqueues/numtxqueues). With more than one, the
  // tester's tx queue q serves senders on CPU q (XPS) and veth hands its frames to the
  // reflector's rx queue q: a sender pinned to CPU q reaches queue q. At most one per CPU.
  int queues = 1;
  // The reflector end has kReflectorIpv4, and with `ipv6` kReflectorIpv6; without it IPv6 is
  // off on both ends, so neither stack sends router or MLD traffic of its own.
  bool ipv6 = true;
  // The tester end has kTesterIpv4 (and kTesterIpv6) too, for tools that use the tester's
  // stack (ARP, a UDP socket). Off by default: with them the tester's kernel answers reflected
  // frames with ICMP port unreachable and sends MLD reports, which a reflector counts.
  bool tester_addresses = false;
  // Permanent neighbour entries on each end for the other end's addresses: no ARP or ND.
  bool static_neighbours = false;
  // false: the reflector's stack sends every ICMP error, none is rate-limited away.
  bool icmp_rate_limit = true;
  // The NetAlly tester by default; a test of what an ordinary NIC sends sets another.
  packet::MacAddress tester_mac = packet::testing::kTesterMac;
  // An XDP_PASS program on the tester end: veth delivers XDP_TX and XDP_REDIRECT frames only
  // to a peer with XDP on. Off where the tester brings its own program (ito-tester) or where
  // the MTU is above a page (native XDP refuses it).
  bool tester_xdp_pass = true;
  // A packet socket on the tester end for Send, Receive and Collect.
  bool tester_socket = true;
  // Where started processes write their stdout and stderr; default: the test's undeclared
  // outputs directory, else TEST_TMPDIR, else /tmp.
  std::string output_dir;
};

// What arrived at the tester: frames that may be reflections, in arrival order, and the
// reflector host's own traffic (host_traffic.h), kept for messages.
struct Capture {
  std::vector<Frame> returned;
  std::vector<Frame> host;
};

// Where reflectord keeps its records when no $RUNTIME_DIRECTORY is set (daemon.cc).
inline constexpr char kStateDirectory[] = "/run/reflectord";

class ReflectorLab {
 public:
  static absl::StatusOr<std::unique_ptr<ReflectorLab>> Create(ReflectorLabOptions options = {});
  ~ReflectorLab();

  const NetNamespace& tester_ns() const { return tester_ns_; }
  const NetNamespace& reflector_ns() const { return reflector_ns_; }
  const std::string& tester_if() const { return tester_if_; }
  const std::string& reflector_if() const { return reflector_if_; }
  const NetNamespace& ns(End end) const { return end == End::kTester ? tester_ns_ : reflector_ns_; }
  const std::string& interface(End end) const {
    return end == End::kTester ? tester_if_ : reflector_if_;
  }
  // The interface's index in its namespace.
  int ifindex(End end) const { return end == End::kTester ? tester_ifindex_ : reflector_ifindex_; }

  // Moves the calling thread into the namespace of `end` until the entry is destroyed:
  // sockets opened and programs attached meanwhile belong there.
  absl::StatusOr<NetnsEntry> Enter(End end) const;

  // Starts a program in the namespace of `end` (argv[0] is its path), with its output in the
  // output directory, on CPU `cpu` when it is >= 0.
  absl::StatusOr<LabProcess> Spawn(End end, std::vector<std::string> argv, int cpu = -1);

  // Starts the daemon from the runfiles (//reflector:reflectord must be in the data) in the
  // reflector namespace with --interface, JSON stats on stdout and `flags`, and waits for its
  // banner. Fails with its stderr if it exits instead.
  absl::StatusOr<LabProcess> StartReflectord(const std::vector<std::string>& flags);
  // Runs the daemon in the reflector namespace to the end (for bad input) and returns it.
  absl::StatusOr<LabProcess> RunReflectordToExit(const std::vector<std::string>& args,
                                                 absl::Duration timeout);
  // Starts ito-tester from the runfiles (//tools:ito-tester must be in the data) on the tester
  // end with --interface and `flags`, on CPU `cpu` when it is >= 0; does not wait.
  absl::StatusOr<LabProcess> StartItoTester(const std::vector<std::string>& flags, int cpu = -1);

  // The tester's packet socket (ReflectorLabOptions::tester_socket).
  absl::Status Send(absl::Span<const uint8_t> frame);
  // The next frame that arrived at the tester, or nullopt when `deadline` passes first.
  absl::StatusOr<std::optional<Frame>> Receive(absl::Time deadline);
  // Every frame that arrives until `quiet` passes without one.
  absl::StatusOr<std::vector<Frame>> ReceiveUntilQuiet(absl::Duration quiet);
  // Collects arriving frames until `reflections` possible reflections have arrived and then
  // `quiet` passes without another one (to catch duplicates), or until `timeout`.
  absl::StatusOr<Capture> Collect(size_t reflections, absl::Duration timeout,
                                  absl::Duration quiet = absl::Milliseconds(300));

  // Puts a clsact qdisc on the reflector's interface, as an operator's own tc setup would be,
  // before the daemon starts. From then on CheckNothingAttached wants it to stay.
  absl::Status AddClsactQdisc();

  // OK when the reflector's interface has no XDP program, no tcx ingress program, no tc
  // filter, and no clsact/ingress qdisc other than one AddClsactQdisc put there (which must
  // still be there). Pins cannot outlive the daemon: its bpffs is its own mount.
  absl::Status CheckNothingAttached() const;

 private:
  // Deletes reflectord's state records for this lab's reflector interface.
  void ForgetStateRecords() const;
  ReflectorLab(NetNamespace tester, NetNamespace reflector, std::string base,
               std::string output_dir);
  absl::Status Compose(const ReflectorLabOptions& options);
  // reflectord with `args` in the reflector namespace.
  absl::StatusOr<LabProcess> SpawnReflectord(const std::vector<std::string>& args);
  absl::Status NeedSocket() const;

  // Declared first: deleted last, after everything that lives in them.
  NetNamespace tester_ns_;
  NetNamespace reflector_ns_;
  std::string tester_if_;
  std::string reflector_if_;
  int tester_ifindex_ = 0;
  int reflector_ifindex_ = 0;
  std::string output_dir_;
  int processes_started_ = 0;
  bool test_clsact_ = false;  // AddClsactQdisc was called
  std::optional<XdpPassProgram> tester_program_;
  std::optional<PacketSocket> tester_socket_;
};

}  // namespace reflector::testing::lab

#endif  // REFLECTOR_TESTING_LAB_REFLECTOR_LAB_H_
