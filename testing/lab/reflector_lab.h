// The lab of SPEC §7 for the daemon: a tester namespace and a reflector namespace joined by a
// veth pair with fixed MACs (the frame builder's kTesterMac and kReflectorMac), addresses
// from the benchmarking ranges on the reflector end, an XDP_PASS program on the tester end
// (so XDP_TX frames reach it) and a packet socket there that sends frames and captures what
// comes back.
//
//   REFLECTOR_ASSIGN_OR_RETURN(std::unique_ptr<ReflectorLab> lab, ReflectorLab::Create());
//   REFLECTOR_ASSIGN_OR_RETURN(LabProcess daemon, lab->StartReflectord({"--datapath=xdp"}));
//   lab->Send(frame); lab->Collect(1, absl::Seconds(2));
//
// Names are unique per run; the destructor deletes both namespaces (and with them the veth),
// and a SIGINT/SIGTERM of the test does too (signal_cleanup.h).
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
#include "testing/lab/frame_compare.h"
#include "testing/lab/lab_process.h"
#include "testing/lab/netns.h"
#include "testing/lab/packet_socket.h"
#include "testing/lab/xdp_pass.h"

namespace reflector::testing::lab {

inline constexpr char kReflectorIpv4[] = "198.18.0.2/24";
inline constexpr char kReflectorIpv6[] = "2001:2::2/64";

struct ReflectorLabOptions {
  int mtu = 1500;
};

// What arrived at the tester: frames that may be reflections, in arrival order, and the
// reflector host's own traffic (host_traffic.h), kept for messages.
struct Capture {
  std::vector<Frame> returned;
  std::vector<Frame> host;
};

class ReflectorLab {
 public:
  static absl::StatusOr<std::unique_ptr<ReflectorLab>> Create(ReflectorLabOptions options = {});
  ~ReflectorLab();

  const NetNamespace& tester_ns() const { return tester_ns_; }
  const NetNamespace& reflector_ns() const { return reflector_ns_; }
  const std::string& tester_if() const { return tester_if_; }
  const std::string& reflector_if() const { return reflector_if_; }

  // Starts the daemon from the runfiles (//reflector:reflectord must be in the test's data)
  // in the reflector namespace with --interface, JSON stats on stdout and `flags`, and waits
  // for its banner. Fails with its stderr if it exits instead.
  absl::StatusOr<LabProcess> StartReflectord(const std::vector<std::string>& flags);
  // Runs the daemon in the reflector namespace to the end (for bad input) and returns it.
  absl::StatusOr<LabProcess> RunReflectordToExit(const std::vector<std::string>& args,
                                                 absl::Duration timeout);

  // Starts any program in the reflector namespace (argv[0] is its path), with its output in
  // the test's output directory: a shell pipeline around reflectord, reflectord as another user.
  absl::StatusOr<LabProcess> SpawnInReflectorNs(std::vector<std::string> argv);

  absl::Status Send(absl::Span<const uint8_t> frame);
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
  ReflectorLab(NetNamespace tester, NetNamespace reflector, std::string base);
  // reflectord with `args` in the reflector namespace, output in the test's output directory.
  absl::StatusOr<LabProcess> SpawnReflectord(const std::vector<std::string>& args);

  NetNamespace tester_ns_;
  NetNamespace reflector_ns_;
  std::string tester_if_;
  std::string reflector_if_;
  std::string output_dir_;
  int processes_started_ = 0;
  bool test_clsact_ = false;  // AddClsactQdisc was called
  std::optional<XdpPassProgram> tester_program_;
  std::optional<PacketSocket> tester_socket_;
};

}  // namespace reflector::testing::lab

#endif  // REFLECTOR_TESTING_LAB_REFLECTOR_LAB_H_
