// A running data path (SPEC §5): xdp, afxdp or afpacket. The daemon opens one, starts it,
// reads its counters, hands it new configs on SIGHUP and stops it; how frames move is the
// data path's business.
#ifndef REFLECTOR_ENGINE_DATAPATH_H_
#define REFLECTOR_ENGINE_DATAPATH_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "platform/afpacket/afpacket_options.h"
#include "platform/afxdp/afxdp_options.h"
#include "reflector/base/netdev.h"
#include "reflector/engine/capture/capture_sources.h"
#include "reflector/engine/counters.h"
#include "reflector/packet/session.h"
#include "reflector/packet/wire.h"
#include "xdp/bpf_link.h"

namespace reflector::engine {

// kDpdk is last and only where DPDK is built in (reflector/datapaths.cc); auto reaches it only
// when every kernel data path failed, and it fails without --dpdk_eal_args.
enum class DataPathKind { kAuto, kXdp, kAfXdp, kAfPacket, kDpdk };

absl::string_view DataPathName(DataPathKind kind);  // "auto", "xdp", "afxdp", "afpacket", "dpdk"

// --busy_poll: how a userspace worker (afxdp, afpacket) waits for frames.
enum class BusyPoll {
  kOff,     // sleeps in poll() until frames arrive: no CPU when idle, a wakeup per quiet frame
  kSpin,    // spins on its rings: no wakeup latency, one CPU 100% busy per worker
  kKernel,  // afxdp: spins and has the kernel busy-poll the device's NAPI in its syscalls
};
absl::string_view BusyPollName(BusyPoll mode);  // "off", "spin", "kernel"

// --stamp_rx_timestamp: where the xdp data path's STAMP T2 comes from (issue 14).
enum class StampRxTimestamp {
  kSoftware,  // the system's CLOCK_TAI when the program sees the frame
  kAuto,      // the NIC's receive timestamp where the kernel and driver allow it, else software
  kHardware,  // the NIC's receive timestamp, or the data path refuses to open
};
absl::string_view StampRxTimestampName(StampRxTimestamp source);  // "software", "auto", ...

// How the user wants the data path run: the daemon's settings of that name, handed through
// as they are (the enums are those of the layers that act on them).
struct DataPathSettings {
  DataPathKind kind = DataPathKind::kAuto;
  bool monitor = false;   // classify and count, reflect nothing
  bool count_sessions = true;  // per-tester sessions (xdp: in the program; else the workers)
  int queues = 0;         // 0: one per RX queue of the device
  std::vector<int> cpus;  // worker i on cpus[i % size]; empty: not pinned
  platform::afxdp::ZeroCopyMode zero_copy = platform::afxdp::ZeroCopyMode::kAuto;
  xdp::AttachMode xdp_mode = xdp::AttachMode::kAuto;
  bool xdp_replace = false;  // take over an XDP program someone attached through netlink
  StampRxTimestamp stamp_rx_timestamp = StampRxTimestamp::kSoftware;  // xdp only
  BusyPoll busy_poll = BusyPoll::kOff;
  int worker_priority = 0;  // --worker_priority: SCHED_FIFO priority of the workers; 0: none
  platform::afpacket::RxRingKind afpacket_rx = platform::afpacket::RxRingKind::kFrames;
  std::string dpdk_eal_args;  // the EAL's command line (dpdk)
};

// Everything a data path needs to open.
struct DataPathRequest {
  base::NetDevice device;
  // What the data path's resolver started to find `device` (dpdk: the EAL), for its opener;
  // null for kernel interfaces.
  std::shared_ptr<void> runtime;
  rf_config config = {};
  DataPathSettings settings;
  // Where to record changes to the interface that a killed process would leave behind
  // (rx-vlan-offload); empty: no records.
  std::string state_dir;

  int queue_count() const { return settings.queues > 0 ? settings.queues : device.rx_queues; }
  int cpu_for(int queue) const {
    return settings.cpus.empty() ? -1 : settings.cpus[queue % settings.cpus.size()];
  }
};

class DataPath {
 public:
  virtual ~DataPath() = default;

  virtual DataPathKind kind() const = 0;
  // "xdp (native)", "afpacket (TPACKET_V2 RX frame by frame, ...)": for the banner.
  virtual std::string Describe() const = 0;
  // "2 queues on cpus 0,1".
  virtual std::string DescribeQueues() const = 0;

  // Starts reflecting. Called once, after privileges were dropped to what the data path keeps.
  virtual absl::Status Start() = 0;
  // Stops and detaches everything; safe to call twice. Also done by the destructor.
  virtual void Stop() = 0;
  // Applies a new classifier config without dropping traffic.
  virtual absl::Status Reconfigure(const rf_config& config) = 0;
  virtual Counters ReadCounters() const = 0;
  // Per-tester sessions: the counts per session key of every source the data path counts in
  // (cache slots, tables, workers), as read; the daemon adds them up (session_book.h).
  virtual std::vector<rf_session_slot> ReadSessions() const = 0;
  // How long a session may stay idle before the sources that hold their counts in memory of
  // their own (the workers' session tables) drop it; zero: never. The XDP paths' table is a
  // kernel LRU hash, bounded without it.
  virtual void SetSessionIdle(absl::Duration) {}
  // OK while the data path works; the reason once it stopped working (worker error, link gone).
  virtual absl::Status Health() const = 0;
  // Capture (issue 21): where this data path's verdicts come out, valid while it lives.
  virtual capture::CaptureSources capture_sources() { return {}; }
};

// Undoes what a data path that did not stop cleanly left on the interface (today: the
// rx-vlan-offload the XDP paths turn off) and returns one log line per thing undone. Call it
// while holding the interface's instance lock, before opening a data path.
absl::StatusOr<std::vector<std::string>> RestoreLeftovers(const DataPathRequest& request);

using DataPathOpener =
    std::function<absl::StatusOr<std::unique_ptr<DataPath>>(const DataPathRequest&)>;

// The interface a data path that finds its own ports (dpdk) takes --interface to mean: one the
// kernel may not know at all (a NIC bound to vfio-pci; then device.ifindex is 0), with what
// finding it started (`runtime`, handed on in DataPathRequest::runtime).
struct ResolvedDevice {
  base::NetDevice device;
  std::shared_ptr<void> runtime;
};
using DeviceResolver = std::function<absl::StatusOr<ResolvedDevice>(
    absl::string_view interface, const DataPathSettings& settings)>;

struct DataPathCandidate {
  DataPathKind kind;
  DataPathOpener open;
  DeviceResolver resolve = nullptr;  // null: --interface is a kernel interface
};

// What --interface names for `wanted`: the wanted data path's resolver's answer when it has
// one, else the kernel interface of that name (NotFound lists those). A data path this build
// lacks is Unimplemented.
absl::StatusOr<ResolvedDevice> ResolveDevice(DataPathKind wanted, absl::string_view interface,
                                             const DataPathSettings& settings,
                                             const std::vector<DataPathCandidate>& candidates);

// Opens `wanted`; for kAuto, tries the candidates in order (xdp, afxdp, afpacket) and appends
// one line per data path that failed to `fallbacks` ("xdp: <why>; trying afxdp"). When
// nothing opens, the error lists every reason.
absl::StatusOr<std::unique_ptr<DataPath>> OpenDataPath(
    DataPathKind wanted, const DataPathRequest& request,
    const std::vector<DataPathCandidate>& candidates, std::vector<std::string>* fallbacks);

}  // namespace reflector::engine

#endif  // REFLECTOR_ENGINE_DATAPATH_H_
