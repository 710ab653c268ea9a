// ito-tester: sends a test stream to a reflector and reports what came back (issue 6).
//   ito-tester --interface=veth0 --dst_ip=198.18.0.2 --rate=10k --duration=5s
//   ito-tester --interface=veth0 --dst_ip=198.18.0.2 --search --search_sizes=64,512 --rate=1M
//   ito-tester --interface=veth0 --dst_ip=198.18.0.2 --engine=linerate --frame_size=64
// Exit codes (as ping's where they overlap): 0 the loss stayed within --loss_threshold;
// 1 it did not, or nothing came back (a search: no rate passed for some frame size); 2 bad
// input, one line on stderr; 3 the run failed; 128 + the signal (130 for Ctrl-C) when a
// signal ended it early, after printing the partial result.
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <netinet/in.h>
#include <signal.h>
#include <unistd.h>
#include <string.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "reflector/base/cli.h"
#include "reflector/base/netdev.h"
#include "reflector/base/unique_fd.h"
#include "reflector/packet/config.h"
#include "tools/tester/addresses.h"
#include "tools/tester/options.h"
#include "tools/tester/report.h"
#include "reflector/daemon/options.h"
#include "tools/tester/search.h"
#include "tools/tester/stamp_session.h"
#include "tools/tester/trial.h"
#include "tools/tester/unicast_address.h"
#include "tools/tester/y1731_session.h"

ABSL_FLAG(std::string, interface, "", "Interface to send from and receive on (required).");
ABSL_FLAG(std::string, dst_ip, "", "The reflector's IPv4 or IPv6 address (required).");
ABSL_FLAG(std::string, dst_mac, "", "The reflector's MAC; default: ARP / neighbor lookup.");
ABSL_FLAG(std::string, src_ip, "", "Source address; default: the interface's first one.");
ABSL_FLAG(std::string, src_mac, "auto",
          "Source MAC: a MAC, interface (the interface's own), or auto: the NetAlly OUI "
          "00:c0:17 (that of ITO testers, and the only one a default reflectord accepts) with "
          "the last three bytes of the interface's MAC. The interface receives frames for it "
          "while the tester runs.");
ABSL_FLAG(int, src_port, 0, "UDP source port; 0 = an ephemeral port reserved for the run.");
ABSL_FLAG(int, dst_port, 0,
          "UDP destination port; 0 = the protocol's: 3842 (ito), 862 (stamp, twamp-light).");
ABSL_FLAG(std::string, protocol, "ito",
          "ito (test frames, see --engine), stamp (RFC 8762 Session-Sender) or twamp-light "
          "(RFC 5357 Appendix I): the last two send test packets over a UDP socket at --rate "
          "and report round trip, the reflector's dwell, one-way delays, loss and jitter. "
          "stamp with --engine=linerate: 44-byte STAMP packets in --frame_size frames (90 "
          "and up; zeros past the base packet) at maximum load, counts only, as for ito. "
          "y1731-dmm or y1731-slm (ITU-T G.8013/Y.1731 two-way delay, clause 8.2, and "
          "synthetic loss, clause 8.4): CFM frames at --rate from the interface's MAC to --dst_mac (or the MAC of "
          "--dst_ip), tagged with --vlan; DMM reports the two-way delay, the responder's "
          "dwell, one-way delays and jitter, SLM the loss in each direction.");
ABSL_FLAG(std::string, timestamps, "ntp",
          "stamp, twamp-light: ntp (CLOCK_REALTIME) or ptp (CLOCK_TAI, the Z flag).");
ABSL_FLAG(int, y1731_level, 0, "y1731-dmm, y1731-slm: the MEG level (0-7) of the requests.");
ABSL_FLAG(int, y1731_mep_id, 1, "y1731-slm: our MEP ID (1-8191), the SLMs' Source MEP ID.");
ABSL_FLAG(int64_t, y1731_test_id, -1,
          "y1731-slm: the Test ID (0..4294967295) the responder counts its SLRs by; default: one "
          "of this run's own (from the process ID and the time), so that no earlier run's "
          "count is added.");
ABSL_FLAG(int, stamp_size, 44,
          "stamp, twamp-light: UDP payload bytes of each test packet (14..1472). An RFC 8762 "
          "sender sends 44 or more, which the reflector answers with as many; 14 is "
          "TWAMP-Light's shortest (RFC 5357 section 4.1.2, what nokia/twampy sends), answered "
          "with 41 bytes (TWAMP-Light, RFC 5357 section 4.2.1) or 44 (STAMP, RFC 8762 section "
          "4.6).");
ABSL_FLAG(std::string, stamp_tlv, "",
          "stamp: RFC 8972 TLVs to send after the base packet: timestamp-info (a Timestamp "
          "Information TLV, section 4.3: the reflector says how it took T2 and T3, and the "
          "summary prints it; --stamp_size then 44 (sent as 52), 52, or 56 and more, the rest an "
          "Extra Padding TLV; a packet shorter than 44 bytes has no TLVs), or empty for none.");
ABSL_FLAG(std::string, signature, "latency",
          "probeot, dataot, latency, rfc2544, y1564, or none: a payload no signature rule "
          "matches (deterministic bytes and the tester's trailer), as a commercial test set's "
          "stream looks to a reflector's loopback rule; pair it with --dst_port.");
ABSL_FLAG(std::string, pattern, "",
          "Hex bytes (52:46:43) written at --pattern_offset in the UDP payload, e.g. what a "
          "reflectord [[rule]] payload_hex matches; at most 64 bytes.");
ABSL_FLAG(int, pattern_offset, 0,
          "Where --pattern starts in the UDP payload (0..1024). With --signature=none a "
          "pattern in the first 18 bytes moves the tester's marker and trailer behind it.");
ABSL_FLAG(int, frame_size, 128, "Ethernet frame size in bytes with FCS (64..9000).");
ABSL_FLAG(std::string, rate, "",
          "Frames per second (10000, 2.5k, 1M) or max; default 1000 (precise), max (linerate). "
          "With --search: the top rate, required with --engine=precise.");
ABSL_FLAG(double, rate_mbps, 0, "Rate in Mbit/s of Ethernet frames (with FCS) instead of --rate.");
ABSL_FLAG(absl::Duration, duration, absl::Seconds(5), "Sending time (per trial with --search).");
ABSL_FLAG(int64_t, count, 0, "Frames to send; 0 = as many as --duration allows.");
ABSL_FLAG(int, vlan, 0, "802.1Q VLAN ID for the test frames (1..4094); 0 = untagged.");
ABSL_FLAG(std::string, engine, "precise",
          "precise (AF_PACKET, paced: loss, order, RTT, jitter) or linerate "
          "(XDP live frames: maximum offered load, counts only).");
ABSL_FLAG(std::string, rtt_clock, "kernel",
          "Precise engine: where RTTs start. kernel: the kernel's software transmit stamp "
          "(from the driver, falling back per frame to the send call where the device gives "
          "none); userspace: the time read before the send call. Both end at the kernel's "
          "receive stamp.");
ABSL_FLAG(bool, json, false,
          "Print one JSON document at the end (with the intervals) instead of text as the run "
          "goes.");
ABSL_FLAG(absl::Duration, interval, absl::Seconds(1),
          "Text: a line per interval while sending (frames sent and received in it), as ping "
          "and iperf3 print; 0 = none. A search prints a line per trial instead.");
ABSL_FLAG(bool, search, false,
          "RFC 2544 throughput search: highest rate with loss <= --loss_threshold, per size.");
ABSL_FLAG(std::string, search_sizes, "", "Frame sizes to search; default: --frame_size.");
ABSL_FLAG(double, loss_threshold, 0,
          "Loss allowed, in percent: more fails the run (exit code 1) or a search trial. 0: "
          "one lost frame fails; 100: only nothing coming back fails, as with ping.");
ABSL_FLAG(double, search_resolution, 0.01, "Search stops at this fraction of the top rate.");
ABSL_FLAG(int, search_trials, 12, "Most trials per frame size.");
ABSL_FLAG(int, linerate_repeat, 1 << 17,
          "Line-rate engine: program runs per test run (frames looked at, not a burst).");
ABSL_FLAG(int, linerate_threads, 4, "Line-rate engine: test runs in flight at once, per CPU.");
ABSL_FLAG(std::string, linerate_cpus, "",
          "Line-rate engine: CPUs to send from (\"0,1\", \"0-3\"), each its own flow (source "
          "port +1 per CPU) and an even share of the rate; on a multi-queue veth each CPU reaches "
          "its own queue. Default: the CPU it starts on.");
ABSL_FLAG(int, linerate_ports, 1,
          "Line-rate engine: source ports each CPU rotates over frame by frame (1..64), so a "
          "reflector that hashes flows (afpacket fanout, RSS) spreads them over its workers.");
ABSL_FLAG(absl::Duration, drain, absl::Milliseconds(200),
          "Waiting for late reflections after the last frame.");

namespace reflector::tester {
namespace {

constexpr int kExitPass = 0;
constexpr int kExitFail = 1;
constexpr int kExitFailure = 3;

// The first SIGINT/SIGTERM ends the sending and the run reports; a second one kills.
std::atomic<bool> g_stop{false};
std::atomic<int> g_signal{0};
void OnSignal(int signal) {
  g_signal.store(signal);
  g_stop.store(true);
}
void CatchStopSignals() {
  struct sigaction action = {};
  action.sa_handler = OnSignal;
  action.sa_flags = SA_RESETHAND;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

// Bad input: one line, exit 2.
int Usage(const absl::Status& status) {
  std::fprintf(stderr, "ito-tester: %s\n", std::string(status.message()).c_str());
  return base::kExitUsage;
}
int Failure(const absl::Status& status) {
  std::fprintf(stderr, "ito-tester: %s\n", status.ToString().c_str());
  return kExitFailure;
}

// Text goes out as the run goes, also into a pipe.
void Print(const std::string& text) {
  std::fputs(text.c_str(), stdout);
  std::fflush(stdout);
}

// After the report: how the run ends.
int ExitCode(bool passed) {
  if (const int signal = g_signal.load(); signal != 0) return 128 + signal;
  return passed ? kExitPass : kExitFail;
}

// Nothing came back: the usual reasons, on one line.
void HintNothingCameBack(const StreamSpec& spec, const std::string& dst_ip) {
  std::fprintf(stderr, "ito-tester: %s\n", NothingCameBackHint(spec, dst_ip).c_str());
}

// The link speed the kernel reports (veth: 10000), or 0 when it has none.
double LinkMbps(const std::string& interface) {
  std::ifstream in("/sys/class/net/" + interface + "/speed");
  double mbps = 0;
  return (in >> mbps) && mbps > 0 ? mbps : 0;
}

int Mtu(const std::string& interface) {
  std::ifstream in("/sys/class/net/" + interface + "/mtu");
  int mtu = 0;
  return (in >> mtu) ? mtu : 0;
}

// Reserves the UDP source port for the run, and gives the reflections a socket to land on
// when they pass on to the stack (so it does not answer them with port unreachable).
absl::StatusOr<UniqueFd> ReservePort(const IpAddress& ip, uint16_t* port) {
  UniqueFd fd(socket(ip.ipv6 ? AF_INET6 : AF_INET, SOCK_DGRAM, 0));
  if (!fd.valid()) return absl::ErrnoToStatus(errno, "open a UDP socket");
  sockaddr_storage storage = {};
  socklen_t length;
  if (ip.ipv6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&storage);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(*port);
    std::memcpy(&a->sin6_addr, ip.v6.data(), 16);
    length = sizeof(*a);
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&storage);
    a->sin_family = AF_INET;
    a->sin_port = htons(*port);
    std::memcpy(&a->sin_addr, ip.v4.data(), 4);
    length = sizeof(*a);
  }
  if (bind(fd.get(), reinterpret_cast<sockaddr*>(&storage), length) != 0) {
    return absl::InvalidArgumentError(absl::StrCat("cannot reserve UDP port ", *port, " on ",
                                                   FormatIp(ip), ": ", std::strerror(errno)));
  }
  getsockname(fd.get(), reinterpret_cast<sockaddr*>(&storage), &length);
  *port = ntohs(ip.ipv6 ? reinterpret_cast<sockaddr_in6*>(&storage)->sin6_port
                        : reinterpret_cast<sockaddr_in*>(&storage)->sin_port);
  return fd;
}

// --protocol=stamp or twamp-light: a Session-Sender on a UDP socket of this host's stack.
int RunStamp(const std::string& protocol, const IpAddress& src_ip, const IpAddress& dst_ip,
             uint16_t src_port, uint16_t dst_port, const std::string& interface, int64_t count,
             absl::Duration duration) {
  StampOptions options;
  options.protocol = protocol == "stamp" ? StampProtocol::kStamp : StampProtocol::kTwampLight;
  const std::string timestamps = absl::GetFlag(FLAGS_timestamps);
  if (timestamps != "ntp" && timestamps != "ptp") {
    return Usage(absl::InvalidArgumentError("--timestamps: expected ntp or ptp"));
  }
  options.ptp = timestamps == "ptp";
  const int size = absl::GetFlag(FLAGS_stamp_size);
  if (size < 14 || size > 1472) {
    return Usage(absl::InvalidArgumentError("--stamp_size must be 14..1472 (UDP payload bytes)"));
  }
  options.payload_size = static_cast<size_t>(size);
  const std::string tlv = absl::GetFlag(FLAGS_stamp_tlv);
  if (!tlv.empty() && tlv != "timestamp-info") {
    return Usage(absl::InvalidArgumentError("--stamp_tlv: expected timestamp-info or empty"));
  }
  options.timestamp_info = tlv == "timestamp-info";
  if (options.timestamp_info && options.protocol != StampProtocol::kStamp) {
    return Usage(absl::InvalidArgumentError(
        "--stamp_tlv needs --protocol=stamp: TWAMP-Light packets carry padding, not TLVs"));
  }
  if (options.timestamp_info && (size < 44 || (size > 44 && size != 52 && size < 56))) {
    return Usage(absl::InvalidArgumentError(
        "--stamp_size with --stamp_tlv=timestamp-info: 44 (sent as 52), 52, or 56 and more (TLVs "
        "come after the 44-byte base packet; the rest is an Extra Padding TLV, itself 4 bytes at "
        "least)"));
  }
  const std::string rate_text = absl::GetFlag(FLAGS_rate);
  const absl::StatusOr<double> rate = ParseRate(rate_text.empty() ? "1000" : rate_text);
  if (!rate.ok()) return Usage(rate.status());
  if (*rate <= 0) return Usage(absl::InvalidArgumentError("--rate: stamp needs a rate, not max"));
  options.rate_fps = *rate;
  options.duration = duration;
  options.count = count;
  options.drain = absl::GetFlag(FLAGS_drain);
  uint16_t port = src_port;
  absl::StatusOr<UniqueFd> socket_fd = ReservePort(src_ip, &port);
  if (!socket_fd.ok()) return Usage(socket_fd.status());
  if (setsockopt(socket_fd->get(), SOL_SOCKET, SO_BINDTODEVICE, interface.c_str(),
                 static_cast<socklen_t>(interface.size())) != 0) {
    return Failure(absl::ErrnoToStatus(errno, absl::StrCat("bind the socket to ", interface)));
  }
  // Room for the answers of a scheduling hiccup's worth of packets (the default holds a few
  // hundred): what the socket drops would count as loss. FORCE past rmem_max when root.
  const int buffer = 8 << 20;
  if (setsockopt(socket_fd->get(), SOL_SOCKET, SO_RCVBUFFORCE, &buffer, sizeof(buffer)) != 0) {
    setsockopt(socket_fd->get(), SOL_SOCKET, SO_RCVBUF, &buffer, sizeof(buffer));
  }
  sockaddr_storage to = {};
  socklen_t to_length;
  if (dst_ip.ipv6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&to);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(dst_port);
    std::memcpy(&a->sin6_addr, dst_ip.v6.data(), 16);
    to_length = sizeof(*a);
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&to);
    a->sin_family = AF_INET;
    a->sin_port = htons(dst_port);
    std::memcpy(&a->sin_addr, dst_ip.v4.data(), 4);
    to_length = sizeof(*a);
  }
  if (connect(socket_fd->get(), reinterpret_cast<sockaddr*>(&to), to_length) != 0) {
    return Failure(absl::ErrnoToStatus(errno, "connect the socket to the reflector"));
  }
  CatchStopSignals();
  const absl::StatusOr<StampResult> result = RunStampSession(socket_fd->get(), options, g_stop);
  if (!result.ok()) return Failure(result.status());
  Print(absl::GetFlag(FLAGS_json) ? StampResultJson(*result, options)
                                  : FormatStampResult(*result, options));
  return ExitCode(result->stream.unique > 0 &&
                  result->stream.loss_percent <= absl::GetFlag(FLAGS_loss_threshold));
}

// A raw packet socket on the interface for CFM frames: ours going out are not read back, and
// the kernel stamps each frame it receives (RxTimeb).
absl::StatusOr<UniqueFd> OpenCfmSocket(int ifindex) {
  UniqueFd fd(socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL)));
  if (!fd.valid()) {
    return absl::ErrnoToStatus(errno, "open an AF_PACKET socket (needs CAP_NET_RAW)");
  }
  const int one = 1;
  if (setsockopt(fd.get(), SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one)) != 0 ||
      setsockopt(fd.get(), SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one)) != 0) {
    return absl::ErrnoToStatus(errno, "set up the AF_PACKET socket");
  }
  // Room for a scheduling hiccup's worth of answers: what the socket drops would count as loss.
  const int buffer = 8 << 20;
  if (setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUFFORCE, &buffer, sizeof(buffer)) != 0) {
    setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUF, &buffer, sizeof(buffer));
  }
  sockaddr_ll address = {};
  address.sll_family = AF_PACKET;
  address.sll_protocol = htons(ETH_P_ALL);
  address.sll_ifindex = ifindex;
  if (bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    return absl::ErrnoToStatus(errno, "bind the AF_PACKET socket to the interface");
  }
  return fd;
}

// --protocol=y1731-dmm or y1731-slm: a MEP measuring towards a Y.1731 responder.
int RunY1731(const std::string& protocol, const base::NetDevice& device) {
  Y1731Options options;
  options.protocol = protocol == "y1731-dmm" ? Y1731Protocol::kDmm : Y1731Protocol::kSlm;
  options.src_mac = device.mac;
  const int level = absl::GetFlag(FLAGS_y1731_level);
  const int mep_id = absl::GetFlag(FLAGS_y1731_mep_id);
  const int vlan = absl::GetFlag(FLAGS_vlan);
  const int64_t test_id = absl::GetFlag(FLAGS_y1731_test_id);
  if (level < 0 || level > 7) {
    return Usage(absl::InvalidArgumentError("--y1731_level must be 0..7"));
  }
  if (mep_id < 1 || mep_id > 8191) {
    return Usage(absl::InvalidArgumentError("--y1731_mep_id must be 1..8191"));
  }
  if (vlan < 0 || vlan > 4094) {
    return Usage(absl::InvalidArgumentError("--vlan must be a VLAN ID in 1..4094 (0: untagged)"));
  }
  if (test_id < -1 || test_id > 0xffffffffLL) {
    return Usage(absl::InvalidArgumentError("--y1731_test_id must be 0..4294967295"));
  }
  options.level = static_cast<uint8_t>(level);
  options.mep_id = static_cast<uint16_t>(mep_id);
  options.vlan = static_cast<uint16_t>(vlan);
  options.test_id = test_id >= 0 ? static_cast<uint32_t>(test_id)
                                 : (static_cast<uint32_t>(getpid()) << 16) ^
                                       static_cast<uint32_t>(absl::ToUnixSeconds(absl::Now()));
  const std::string rate_text = absl::GetFlag(FLAGS_rate);
  const absl::StatusOr<double> rate = ParseRate(rate_text.empty() ? "1000" : rate_text);
  if (!rate.ok()) return Usage(rate.status());
  if (*rate <= 0) return Usage(absl::InvalidArgumentError("--rate: y1731 needs a rate, not max"));
  options.rate_fps = *rate;
  options.count = absl::GetFlag(FLAGS_count);
  options.duration = absl::GetFlag(FLAGS_duration);
  options.drain = absl::GetFlag(FLAGS_drain);
  if (options.count < 0 || options.count > (int64_t{1} << 32) - 1) {
    return Usage(absl::InvalidArgumentError("--count must be 0..4294967295 for y1731"));
  }
  if (options.duration <= absl::ZeroDuration() || options.drain < absl::ZeroDuration()) {
    return Usage(absl::InvalidArgumentError("--duration must be above 0, --drain at least 0"));
  }
  if (!absl::GetFlag(FLAGS_dst_mac).empty()) {
    const absl::StatusOr<packet::MacAddress> mac = packet::ParseMac(absl::GetFlag(FLAGS_dst_mac));
    if (!mac.ok()) {
      return Usage(absl::InvalidArgumentError(absl::StrCat("--dst_mac: ", mac.status().message())));
    }
    options.dst_mac = *mac;
  } else if (!absl::GetFlag(FLAGS_dst_ip).empty()) {
    const absl::StatusOr<IpAddress> ip = ParseIp(absl::GetFlag(FLAGS_dst_ip));
    if (!ip.ok()) return Usage(ip.status());
    const absl::StatusOr<packet::MacAddress> mac = ResolveMac(device.ifindex, device.name, *ip);
    if (!mac.ok()) return Usage(mac.status());
    options.dst_mac = *mac;
  } else {
    return Usage(absl::InvalidArgumentError(
        "y1731 needs the responder: --dst_mac, or --dst_ip to look its MAC up"));
  }
  if ((options.dst_mac[0] & 1) != 0) {
    return Usage(absl::InvalidArgumentError(
        "--dst_mac: a responder's unicast MAC (multicast DMM and SLM are not answered)"));
  }
  absl::StatusOr<UniqueFd> socket_fd = OpenCfmSocket(device.ifindex);
  if (!socket_fd.ok()) return Failure(socket_fd.status());
  CatchStopSignals();
  const absl::StatusOr<Y1731Result> result = RunY1731Session(socket_fd->get(), options, g_stop);
  if (!result.ok()) return Failure(result.status());
  Print(absl::GetFlag(FLAGS_json) ? Y1731ResultJson(*result, options)
                                  : FormatY1731Result(*result, options));
  return ExitCode(result->stream.unique > 0 &&
                  result->stream.loss_percent <= absl::GetFlag(FLAGS_loss_threshold));
}

int Main() {
  const std::string interface = absl::GetFlag(FLAGS_interface);
  if (interface.empty()) return Usage(absl::InvalidArgumentError("--interface is required"));
  const absl::StatusOr<base::NetDevice> device = base::LookupNetDevice(interface);
  if (!device.ok()) return Usage(device.status());
  // Y.1731 is Ethernet only: no addresses, ports or payload options.
  if (const std::string protocol = absl::GetFlag(FLAGS_protocol);
      protocol == "y1731-dmm" || protocol == "y1731-slm") {
    if (absl::Status valid = CheckLossThreshold(absl::GetFlag(FLAGS_loss_threshold));
        !valid.ok()) {
      return Usage(valid);
    }
    return RunY1731(protocol, *device);
  }
  if (absl::GetFlag(FLAGS_dst_ip).empty()) {
    return Usage(absl::InvalidArgumentError("--dst_ip is required (the reflector's address)"));
  }
  const absl::StatusOr<IpAddress> dst_ip = ParseIp(absl::GetFlag(FLAGS_dst_ip));
  if (!dst_ip.ok()) return Usage(dst_ip.status());
  const absl::StatusOr<IpAddress> src_ip =
      absl::GetFlag(FLAGS_src_ip).empty() ? FirstAddress(interface, dst_ip->ipv6)
                                          : ParseIp(absl::GetFlag(FLAGS_src_ip));
  if (!src_ip.ok()) return Usage(src_ip.status());
  if (src_ip->ipv6 != dst_ip->ipv6) {
    return Usage(absl::InvalidArgumentError("--src_ip and --dst_ip are of different families"));
  }
  const absl::StatusOr<std::optional<packet::Signature>> signature =
      ParseSignatureName(absl::GetFlag(FLAGS_signature));
  if (!signature.ok()) return Usage(signature.status());
  const absl::StatusOr<std::vector<uint8_t>> pattern = ParsePattern(absl::GetFlag(FLAGS_pattern));
  if (!pattern.ok()) return Usage(pattern.status());
  const int pattern_offset = absl::GetFlag(FLAGS_pattern_offset);
  if (pattern_offset < 0 || pattern_offset > static_cast<int>(kMaxPatternOffset)) {
    return Usage(absl::InvalidArgumentError(absl::StrCat(
        "--pattern_offset=", pattern_offset, " is outside the UDP payload offsets 0..",
        kMaxPatternOffset)));
  }
  if (pattern->empty() && pattern_offset != 0) {
    return Usage(absl::InvalidArgumentError("--pattern_offset needs a --pattern"));
  }
  const absl::StatusOr<Engine> engine = ParseEngine(absl::GetFlag(FLAGS_engine));
  if (!engine.ok()) return Usage(engine.status());
  const std::string rtt_clock = absl::GetFlag(FLAGS_rtt_clock);
  if (rtt_clock != "kernel" && rtt_clock != "userspace") {
    return Usage(absl::InvalidArgumentError(
        absl::StrCat("--rtt_clock=", rtt_clock, ": expected kernel or userspace")));
  }
  const int vlan = absl::GetFlag(FLAGS_vlan);
  if (vlan < 0 || vlan > 4094) {
    return Usage(absl::InvalidArgumentError("--vlan must be a VLAN ID in 1..4094 (0: untagged)"));
  }
  const std::string protocol = absl::GetFlag(FLAGS_protocol);
  if (protocol != "ito" && protocol != "stamp" && protocol != "twamp-light") {
    return Usage(absl::InvalidArgumentError(absl::StrCat(
        "--protocol=", protocol, ": expected ito, stamp, twamp-light, y1731-dmm or y1731-slm")));
  }
  const int src_port = absl::GetFlag(FLAGS_src_port);
  const int dst_port = absl::GetFlag(FLAGS_dst_port) != 0 ? absl::GetFlag(FLAGS_dst_port)
                       : protocol == "ito"               ? RF_DEFAULT_PORT
                                                         : 862;
  if (src_port < 0 || src_port > 65535 || dst_port < 1 || dst_port > 65535) {
    return Usage(absl::InvalidArgumentError("UDP ports are 1..65535 (--src_port 0: ephemeral)"));
  }
  const int64_t count = absl::GetFlag(FLAGS_count);
  const absl::Duration duration = absl::GetFlag(FLAGS_duration);
  if (count < 0 || count > (int64_t{1} << 32)) {
    return Usage(absl::InvalidArgumentError("--count must be 0..4294967296"));
  }
  if (duration <= absl::ZeroDuration() || absl::GetFlag(FLAGS_drain) < absl::ZeroDuration()) {
    return Usage(absl::InvalidArgumentError("--duration must be above 0, --drain at least 0"));
  }
  const absl::Duration interval = absl::GetFlag(FLAGS_interval);
  if (interval < absl::ZeroDuration()) {
    return Usage(absl::InvalidArgumentError("--interval must be at least 0 (0: no interval lines)"));
  }
  // STAMP at maximum load is the line-rate engine's, with STAMP packets for test frames.
  const bool stamp_frames = protocol == "stamp" && *engine == Engine::kLineRate;
  if (protocol != "ito" && !stamp_frames) {
    return RunStamp(protocol, *src_ip, *dst_ip, static_cast<uint16_t>(src_port),
                    static_cast<uint16_t>(dst_port), interface, count, duration);
  }
  const absl::StatusOr<std::vector<int>> linerate_cpus =
      daemon::ParseCpuList(absl::GetFlag(FLAGS_linerate_cpus));
  if (!linerate_cpus.ok()) return Usage(linerate_cpus.status());
  if ((!linerate_cpus->empty() || absl::GetFlag(FLAGS_linerate_ports) != 1) &&
      *engine != Engine::kLineRate) {
    return Usage(
        absl::InvalidArgumentError("--linerate_cpus and --linerate_ports need --engine=linerate"));
  }
  if (absl::GetFlag(FLAGS_linerate_ports) < 1 || absl::GetFlag(FLAGS_linerate_ports) > 64) {
    return Usage(absl::InvalidArgumentError("--linerate_ports must be 1..64"));
  }
  if (absl::GetFlag(FLAGS_linerate_repeat) < 64 || absl::GetFlag(FLAGS_linerate_threads) < 1 ||
      absl::GetFlag(FLAGS_linerate_threads) > 64) {
    return Usage(absl::InvalidArgumentError(
        "--linerate_repeat must be at least 64, --linerate_threads 1..64"));
  }

  const double threshold = absl::GetFlag(FLAGS_loss_threshold);
  if (absl::Status valid = CheckLossThreshold(threshold); !valid.ok()) return Usage(valid);

  StreamSpec spec;
  spec.stamp = stamp_frames;
  spec.signature = *signature;
  spec.pattern = *pattern;
  spec.pattern_offset = static_cast<size_t>(pattern_offset);
  StreamAddresses& a = spec.addresses;
  const absl::StatusOr<packet::MacAddress> src_mac =
      ChooseSourceMac(absl::GetFlag(FLAGS_src_mac), device->mac);
  if (!src_mac.ok()) return Usage(src_mac.status());
  a.src_mac = *src_mac;
  if (!absl::GetFlag(FLAGS_dst_mac).empty()) {
    const absl::StatusOr<packet::MacAddress> mac = packet::ParseMac(absl::GetFlag(FLAGS_dst_mac));
    if (!mac.ok()) return Usage(absl::InvalidArgumentError(absl::StrCat("--dst_mac: ", mac.status().message())));
    a.dst_mac = *mac;
  }
  a.ipv6 = dst_ip->ipv6;
  a.src4 = src_ip->v4;
  a.dst4 = dst_ip->v4;
  a.src6 = src_ip->v6;
  a.dst6 = dst_ip->v6;
  a.dst_port = static_cast<uint16_t>(dst_port);
  a.vlan_id = static_cast<uint16_t>(vlan);

  // Every size is checked before anything is sent.
  absl::StatusOr<std::vector<size_t>> sizes =
      absl::GetFlag(FLAGS_search) && !absl::GetFlag(FLAGS_search_sizes).empty()
          ? ParseFrameSizes(absl::GetFlag(FLAGS_search_sizes))
          : ParseFrameSizes(absl::StrCat(absl::GetFlag(FLAGS_frame_size)));
  if (!sizes.ok()) return Usage(sizes.status());
  const int mtu = Mtu(interface);
  const double link_mbps = LinkMbps(interface);
  std::optional<double> rate_flag;
  if (!absl::GetFlag(FLAGS_rate).empty()) {
    const absl::StatusOr<double> rate = ParseRate(absl::GetFlag(FLAGS_rate));
    if (!rate.ok()) return Usage(rate.status());
    rate_flag = *rate;
  } else if (absl::GetFlag(FLAGS_rate_mbps) == 0 && !absl::GetFlag(FLAGS_search)) {
    // A search has no default top: it would only confirm the default rate.
    rate_flag = *engine == Engine::kPrecise ? 1000.0 : 0.0;
  }
  std::vector<double> rates;
  for (const size_t size : *sizes) {
    spec.frame_size = size;
    const absl::StatusOr<StreamFrame> frame = StreamFrame::Build(spec);
    if (!frame.ok()) return Usage(frame.status());
    if (mtu > 0 && frame->ip_packet_length() > static_cast<size_t>(mtu)) {
      return Usage(absl::InvalidArgumentError(absl::StrCat(
          "frame size ", size, " needs an MTU of ", frame->ip_packet_length(), " on ", interface,
          " (MTU ", mtu, ")")));
    }
    const absl::StatusOr<double> rate =
        ResolveRate(rate_flag, absl::GetFlag(FLAGS_rate_mbps), size, link_mbps);
    if (!rate.ok()) return Usage(rate.status());
    if (absl::GetFlag(FLAGS_search) && *rate == 0 && *engine == Engine::kPrecise) {
      return Usage(absl::InvalidArgumentError(
          "--search with --engine=precise needs --rate (or --rate_mbps): the top of the search"));
    }
    rates.push_back(*rate);
  }

  if (absl::GetFlag(FLAGS_dst_mac).empty()) {
    const absl::StatusOr<packet::MacAddress> mac = ResolveMac(device->ifindex, interface, *dst_ip);
    if (!mac.ok()) return Usage(mac.status());
    a.dst_mac = *mac;
  }
  uint16_t port = static_cast<uint16_t>(src_port);
  absl::StatusOr<UniqueFd> reserved = ReservePort(*src_ip, &port);
  if (!reserved.ok()) return Usage(reserved.status());
  a.src_port = port;

  // Replies to a source MAC that is not the interface's must get past the NIC's MAC filter.
  std::optional<ExtraUnicastAddress> extra_address;
  if (a.src_mac != device->mac) {
    absl::StatusOr<ExtraUnicastAddress> added = ExtraUnicastAddress::Add(device->ifindex, a.src_mac);
    if (!added.ok()) return Failure(added.status());
    extra_address.emplace(*std::move(added));
  }

  CatchStopSignals();
  absl::StatusOr<std::unique_ptr<TrialRunner>> runner = TrialRunner::Open(device->ifindex, *engine);
  if (!runner.ok()) return Failure(runner.status());

  const RunHeader header = {interface,
                            FormatIp(*src_ip),
                            FormatIp(*dst_ip),
                            packet::FormatMac(a.dst_mac),
                            packet::FormatMac(a.src_mac),
                            threshold};
  TrialOptions options;
  options.spec = spec;
  options.count = static_cast<uint64_t>(count);
  options.duration_ns = static_cast<uint64_t>(absl::ToInt64Nanoseconds(duration));
  options.drain_ns = static_cast<uint64_t>(absl::ToInt64Nanoseconds(absl::GetFlag(FLAGS_drain)));
  options.pacing.repeat = static_cast<uint64_t>(absl::GetFlag(FLAGS_linerate_repeat));
  options.pacing.threads = absl::GetFlag(FLAGS_linerate_threads);
  options.linerate_cpus = *linerate_cpus;
  options.linerate_ports = absl::GetFlag(FLAGS_linerate_ports);
  options.kernel_tx_stamps = rtt_clock == "kernel";
  const bool json = absl::GetFlag(FLAGS_json);

  if (!absl::GetFlag(FLAGS_search)) {
    options.spec.frame_size = sizes->front();
    options.rate_fps = rates.front();
    std::vector<IntervalSample> intervals;  // written by the ticker's thread, read after Run
    options.interval_ns = static_cast<uint64_t>(absl::ToInt64Nanoseconds(interval));
    options.on_interval = [json, &intervals](const IntervalSample& sample) {
      if (json) {
        intervals.push_back(sample);
      } else {
        Print(FormatInterval(sample));
      }
    };
    if (!json) {
      Print(FormatTrialHeader(header, options, *engine));
      if (options.interval_ns != 0) Print(FormatIntervalHeading());
    }
    const absl::StatusOr<TrialResult> result = (*runner)->Run(options, g_stop);
    if (!result.ok()) return Failure(result.status());
    Print(json ? TrialJson(header, *result, intervals) : FormatTrialSummary(header, *result));
    if (result->summary.sent > 0 && result->summary.received == 0) {
      HintNothingCameBack(result->spec, header.dst_ip);
    }
    return ExitCode(RunPasses(*result, threshold));
  }

  if (!json) Print(FormatSearchHeader(header));
  std::vector<SizeSearch> searches;
  for (size_t i = 0; i < sizes->size(); ++i) {
    // A signal between trials: the sizes not searched yet are not reported.
    SizeSearch interrupted;
    interrupted.frame_size = (*sizes)[i];
    interrupted.outcome.interrupted = true;
    if (!json) Print(FormatSizeHeading((*sizes)[i]));
    if (g_stop.load()) {
      searches.push_back(interrupted);
      if (!json) Print(FormatSizeResult(interrupted));
      break;
    }
    options.spec.frame_size = (*sizes)[i];
    SearchOptions search;
    search.max_fps = rates[i];
    search.loss_threshold_percent = threshold;
    search.resolution = absl::GetFlag(FLAGS_search_resolution);
    search.max_trials = absl::GetFlag(FLAGS_search_trials);
    int trial = 0;
    search.on_step = [json, &trial, &sizes, i](const SearchStep& step) {
      ++trial;
      if (!json) Print(FormatSearchStep(trial, step, (*sizes)[i]));
    };
    if (search.max_fps == 0) {
      // Line-rate engine with no top given: the top is what it offers flat out.
      options.rate_fps = 0;
      const absl::StatusOr<TrialResult> flat_out = (*runner)->Run(options, g_stop);
      if (!flat_out.ok()) return Failure(flat_out.status());
      if (flat_out->interrupted) {
        searches.push_back(interrupted);
        if (!json) Print(FormatSizeResult(interrupted));
        break;
      }
      search.max_fps = flat_out->tx_fps;
    }
    const absl::StatusOr<SearchOutcome> outcome =
        SearchThroughput(search, [&](double rate) {
          TrialOptions trial = options;
          trial.rate_fps = rate;
          return (*runner)->Run(trial, g_stop);
        });
    if (!outcome.ok()) return Failure(outcome.status());
    searches.push_back({(*sizes)[i], *outcome});
    // A top that was the tester's own flat-out rate: passing there is the tester's ceiling.
    if (rates[i] == 0 && searches.back().outcome.bound == SearchBound::kTop) {
      searches.back().outcome.bound = SearchBound::kTester;
    }
    if (!json) Print(FormatSizeResult(searches.back()));
  }
  if (json) Print(SearchJson(header, searches));
  bool passed = true;
  for (const SizeSearch& search : searches) {
    passed = passed && search.outcome.throughput_fps > 0;
    const std::vector<SearchStep>& steps = search.outcome.steps;
    if (!steps.empty() && std::all_of(steps.begin(), steps.end(), [](const SearchStep& step) {
          return step.result.summary.received == 0;
        })) {
      HintNothingCameBack(steps.front().result.spec, header.dst_ip);
    }
  }
  return ExitCode(passed);
}

}  // namespace
}  // namespace reflector::tester

int main(int argc, char** argv) {
  constexpr reflector::base::ProgramInfo kProgram = {
      "ito-tester",
      "sends a test stream to a reflector and reports loss, RTT and jitter.\n"
      "  ito-tester --interface=eth1 --dst_ip=198.18.0.2 [--rate=10k] [--duration=5s] [--json]\n"
      "  ito-tester --interface=eth1 --dst_ip=198.18.0.2 --search --rate=1M\n"
      "  ito-tester --interface=eth1 --dst_ip=198.18.0.2 --signature=none --dst_port=5001",
      __FILE__,
      "Exit codes: 0 the loss stayed within --loss_threshold; 1 it did not, or nothing came\n"
      "back (a search: no rate passed for some frame size); 2 bad input; 3 the run failed;\n"
      "130 (143) Ctrl-C (SIGTERM) ended it early: the partial result is printed, marked\n"
      "interrupted. A second Ctrl-C ends it at once."};
  if (const std::optional<int> done = reflector::base::ParseCommandLine(kProgram, argc, argv)) {
    return *done;
  }
  return reflector::tester::Main();
}
