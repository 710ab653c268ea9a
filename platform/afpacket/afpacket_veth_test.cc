// The afpacket data path on a veth pair (SPEC §5, §7): every frame of the shared table goes
// from the tester namespace to an AfPacketIo in the reflector namespace, a minimal engine loop
// reflects what the classifier accepts, and the tester side checks that exactly the reflect
// frames come back, byte-exact, once each, tags intact, with no ICMP error from the
// reflector's stack about them, and that nothing is left behind. As in the afpacket data path,
// the tc filter (xdp/tc_drop_filter.h) goes on once the socket is open, and comes off before
// it closes. Every test runs with the filter on a tcx link and again on the netlink fallback
// of kernels before 6.6.
#include <linux/if_ether.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bpf/bpf.h"
#include "bpf/libbpf.h"
#include "gtest/gtest.h"
#include "platform/afpacket/afpacket_io.h"
#include "platform/afpacket/scoped_resources.h"
#include "reflector/base/unique_fd.h"
#include "reflector/packet/packet.h"
#include "reflector/packet/testing/frame_builder.h"
#include "reflector/packet/testing/frame_table.h"
#include "testing/lab/command.h"
#include "testing/lab/kernel.h"
#include "testing/lab/netns.h"
#include "testing/lab/reflector_lab.h"
#include "testing/lab/require_root.h"
#include "xdp/abi.h"
#include "xdp/bpf_link.h"
#include "xdp/tc_drop_filter.h"

namespace reflector::platform::afpacket {
namespace {

using packet::Verdict;
using packet::testing::DefaultTestConfig;
using packet::testing::DescribeDifference;
using packet::testing::FrameCase;
using packet::testing::FrameTable;
using packet::testing::HexDump;
using packet::testing::kReflectorIpv4;
using packet::testing::kReflectorIpv6;
using testing::lab::End;
using testing::lab::NetnsEntry;
using testing::lab::ReflectorLab;
using testing::lab::ReflectorLabOptions;
using testing::lab::RunCommand;
using testing::lab::RunCommandOutput;
using xdp::TcAttachMethod;
using xdp::TcDropFilter;

using Bytes = std::vector<uint8_t>;

// Receive -> classify and reflect -> transmit or release, as the engine does, until at least
// `at_least` frames were received and then the link has been quiet for a while. Bounded by
// `limit`.
void PumpReflector(AfPacketIo& io, const rf_config& config, absl::Duration limit,
                   size_t at_least = 0) {
  Frame batch[kBatchSize];
  Frame send[kBatchSize];
  Frame drop[kBatchSize];
  const absl::Time deadline = absl::Now() + limit;
  int quiet = 0;
  size_t received = 0;
  while ((quiet < 5 || received < at_least) && absl::Now() < deadline) {
    absl::StatusOr<size_t> got = io.Receive(absl::MakeSpan(batch), absl::Milliseconds(20));
    ASSERT_TRUE(got.ok()) << got.status();
    quiet = *got == 0 ? quiet + 1 : 0;
    received += *got;
    size_t sending = 0;
    size_t dropping = 0;
    for (size_t i = 0; i < *got; ++i) {
      if (packet::ClassifyAndReflect(absl::MakeSpan(batch[i].data, batch[i].length), config)
              .reflect()) {
        send[sending++] = batch[i];
      } else {
        drop[dropping++] = batch[i];
      }
    }
    io.Release(absl::MakeConstSpan(drop, dropping));
    ASSERT_TRUE(io.Transmit(absl::MakeConstSpan(send, sending)).ok());
  }
  ASSERT_TRUE(io.Flush().ok());
}

uint16_t Load16(const Bytes& f, size_t at) { return static_cast<uint16_t>(f[at] << 8 | f[at + 1]); }

size_t L3Offset(const Bytes& f) {
  size_t at = 12;
  while (at + 2 <= f.size() && (Load16(f, at) == 0x8100 || Load16(f, at) == 0x88a8)) at += 4;
  return at + 2;
}

// An ICMP or ICMPv6 destination-unreachable error.
bool IsUnreachable(const Bytes& f) {
  const size_t l3 = L3Offset(f);
  if (l3 > f.size()) return false;
  const uint16_t type = Load16(f, l3 - 2);
  if (type == 0x0800 && f.size() >= l3 + 28 && f[l3 + 9] == 1) {
    return f[l3 + (f[l3] & 0x0f) * 4] == 3;
  }
  return type == 0x86dd && f.size() >= l3 + 48 && f[l3 + 6] == 58 && f[l3 + 40] == 1;
}

bool IsBackground(const Bytes& f) {
  // Multicast and broadcast (ARP, neighbour discovery, MLD) are the lab's own chatter.
  return f.empty() || (f[0] & 1) || Load16(f, 12) == 0x0806;
}

// The table's cases grouped by the config they are classified under, in table order.
std::vector<std::vector<const FrameCase*>> GroupByConfig() {
  std::vector<std::vector<const FrameCase*>> groups;
  std::vector<rf_config> configs;
  for (const FrameCase& c : FrameTable()) {
    size_t i = 0;
    while (i < configs.size() && std::memcmp(&configs[i], &c.config, sizeof(rf_config)) != 0) ++i;
    if (i == configs.size()) {
      configs.push_back(c.config);
      groups.emplace_back();
    }
    groups[i].push_back(&c);
  }
  return groups;
}

// What libbpf prints (warnings and info, what it would write to stderr) while one is alive.
class LibbpfOutput {
 public:
  LibbpfOutput() : previous_(libbpf_set_print(&LibbpfOutput::Print)) { text() = ""; }
  ~LibbpfOutput() { libbpf_set_print(previous_); }
  static std::string& text() {
    static std::string* text = new std::string;
    return *text;
  }

 private:
  static int Print(libbpf_print_level level, const char* format, va_list args) {
    if (level == LIBBPF_DEBUG) return 0;
    char line[1024];
    const int n = std::vsnprintf(line, sizeof(line), format, args);
    if (n > 0) text().append(line, std::min<size_t>(static_cast<size_t>(n), sizeof(line) - 1));
    return n;
  }
  libbpf_print_fn_t previous_;
};

// What came back for one batch of sent frames.
struct Returned {
  std::map<Bytes, int> frames;  // reflected (or stray) frames and how often each came
  int unreachables = 0;         // ICMP / ICMPv6 destination unreachable from the reflector
};

class AfPacketVethTest : public ::testing::TestWithParam<TcAttachMethod> {
 protected:
  void SetUp() override {
    REFLECTOR_REQUIRE_ROOT();
    if (GetParam() == TcAttachMethod::kTcxLink && !testing::lab::KernelHasTcx()) {
      GTEST_SKIP() << "the kernel has no tcx (Linux 6.6+)";
    }
    // Both ends have addresses and know each other's MAC (no ARP or ND), jumbo MTU, and the
    // reflector's stack sends every ICMP error: the tests count them.
    ReflectorLabOptions options;
    options.mtu = 9000;
    options.tester_addresses = true;
    options.static_neighbours = true;
    options.icmp_rate_limit = false;
    options.tester_xdp_pass = false;
    absl::StatusOr<std::unique_ptr<ReflectorLab>> lab = ReflectorLab::Create(options);
    ASSERT_TRUE(lab.ok()) << lab.status();
    lab_ = *std::move(lab);
    OpenReflector();
  }

  // A small RX ring (8 blocks) and TX ring (256 slots), so that tests make them wrap.
  void OpenReflector(uint32_t rx_block_timeout_ms = 1) {
    CloseReflector();
    {
      absl::StatusOr<NetnsEntry> inside = lab_->Enter(End::kReflector);
      ASSERT_TRUE(inside.ok()) << inside.status();
      AfPacketOptions options;
      options.interface = lab_->reflector_if();
      options.fanout_group = static_cast<uint16_t>(getpid());
      options.rx_block_count = 8;
      options.rx_block_timeout_ms = rx_block_timeout_ms;
      options.tx_frame_count = 256;
      absl::StatusOr<std::unique_ptr<AfPacketIo>> io = AfPacketIo::Create(options);
      ASSERT_TRUE(io.ok()) << io.status();
      io_ = *std::move(io);
      absl::StatusOr<std::unique_ptr<TcDropFilter>> filter =
          TcDropFilter::Load(DefaultTestConfig());
      ASSERT_TRUE(filter.ok()) << filter.status();
      // After the socket, as the data path does: it must have its copy first.
      const absl::Status attached =
          (*filter)->Attach(lab_->ifindex(End::kReflector),
                            GetParam() == TcAttachMethod::kTcxLink);
      ASSERT_TRUE(attached.ok()) << attached;
      filter_ = *std::move(filter);
    }
    ASSERT_NE(io_, nullptr);
    ASSERT_NE(filter_, nullptr);
    ASSERT_EQ(filter_->attach_method(), GetParam()) << filter_->DescribeAttachment();
  }

  // The filter first: with the socket gone it would drop test frames nothing receives.
  void CloseReflector() {
    filter_.reset();
    io_.reset();
  }

  absl::StatusOr<std::string> Qdiscs() const {
    return RunCommandOutput(
        {"tc", "-n", lab_->reflector_ns().name(), "qdisc", "show", "dev", lab_->reflector_if()});
  }

  std::vector<uint32_t> TcxPrograms() const {
    absl::StatusOr<NetnsEntry> inside = lab_->Enter(End::kReflector);
    EXPECT_TRUE(inside.ok()) << inside.status();
    absl::StatusOr<std::vector<uint32_t>> ids =
        xdp::TcxIngressProgramIds(lab_->ifindex(End::kReflector));
    EXPECT_TRUE(ids.ok()) << ids.status();
    return ids.ok() ? *ids : std::vector<uint32_t>{};
  }

  void TearDown() override {
    if (lab_ == nullptr) return;
    // Destroyed on this thread, outside the reflector namespace: the filter must still find
    // its interface, and leave no clsact qdisc and no tcx program behind.
    CloseReflector();
    absl::StatusOr<std::string> qdiscs = Qdiscs();
    ASSERT_TRUE(qdiscs.ok()) << qdiscs.status();
    EXPECT_EQ(qdiscs->find("clsact"), std::string::npos) << *qdiscs;
    EXPECT_EQ(TcxPrograms().size(), 0u);
    const std::string reflector_ns = lab_->reflector_ns().name();
    lab_.reset();
    absl::StatusOr<std::string> left = RunCommandOutput({"ip", "netns", "list"});
    ASSERT_TRUE(left.ok());
    EXPECT_EQ(left->find(reflector_ns), std::string::npos) << *left;
  }

  // The tester's packet socket: what arrives until the link has been quiet for `quiet`.
  std::vector<Bytes> Capture(absl::Duration quiet) {
    absl::StatusOr<std::vector<Bytes>> frames = lab_->ReceiveUntilQuiet(quiet);
    EXPECT_TRUE(frames.ok()) << frames.status();
    return frames.ok() ? *std::move(frames) : std::vector<Bytes>{};
  }

  // What came back for one batch of sent frames.
  Returned Collect() {
    Returned returned;
    for (const Bytes& frame : Capture(absl::Milliseconds(100))) {
      if (IsUnreachable(frame)) {
        ++returned.unreachables;
      } else if (!IsBackground(frame)) {
        ++returned.frames[frame];
      }
    }
    return returned;
  }

  std::unique_ptr<ReflectorLab> lab_;
  std::unique_ptr<AfPacketIo> io_;
  std::unique_ptr<TcDropFilter> filter_;
};

TEST_P(AfPacketVethTest, ReflectsExactlyTheTestFramesOfTheTable) {
  int reflect_cases = 0;
  int unreachables_for_others = 0;
  for (const auto& group : GroupByConfig()) {
    const rf_config& config = group.front()->config;
    ASSERT_TRUE(filter_->SetConfig(config).ok());
    Capture(absl::Milliseconds(1));  // nothing from earlier groups may count here

    // Phase 1: the test frames. Each comes back once, and the host stack stays quiet.
    const uint64_t dropped_before = *filter_->dropped();
    std::map<Bytes, std::string> expected;  // reflected bytes -> case name
    for (const FrameCase* c : group) {
      if (c->verdict != Verdict::kReflect) continue;
      ASSERT_TRUE(lab_->Send(c->frame).ok()) << c->name;
      expected[c->ExpectedReflection()] = c->name;
    }
    reflect_cases += static_cast<int>(expected.size());
    PumpReflector(*io_, config, absl::Seconds(5));
    const Returned reflected = Collect();
    EXPECT_EQ(reflected.unreachables, 0) << "the host stack answered a test frame";
    for (const auto& [bytes, name] : expected) {
      const auto it = reflected.frames.find(bytes);
      EXPECT_EQ(it == reflected.frames.end() ? 0 : it->second, 1)
          << name << " must come back exactly once:\n"
          << HexDump(bytes);
    }
    for (const auto& [bytes, count] : reflected.frames) {
      if (expected.count(bytes) == 0) {
        ADD_FAILURE() << "unexpected frame (x" << count << "):\n"
                      << HexDump(bytes) << DescribeDifference(expected.begin()->first, bytes);
      }
    }
    EXPECT_EQ(*filter_->dropped() - dropped_before, expected.size())
        << "the tc filter drops exactly the test frames";

    // Phase 2: everything else. Nothing is reflected; what the stack does with it is its own
    // business (a UDP datagram to a closed port gets its ICMP error as usual).
    for (const FrameCase* c : group) {
      if (c->verdict == Verdict::kReflect) continue;
      if (c->frame.size() < ETH_HLEN) continue;  // cannot be put on an Ethernet link
      ASSERT_TRUE(lab_->Send(c->frame).ok()) << c->name;
    }
    PumpReflector(*io_, config, absl::Seconds(5));
    const Returned rejected = Collect();
    for (const auto& [bytes, count] : rejected.frames) {
      ADD_FAILURE() << "a rejected frame came back (x" << count << "):\n" << HexDump(bytes);
    }
    unreachables_for_others += rejected.unreachables;
  }
  EXPECT_GT(reflect_cases, 20);
  // Proof that the quiet of phase 1 means something: the same capture sees the stack's ICMP
  // errors for non-test UDP to the reflector's address (wrong port, no signature, ...).
  EXPECT_GT(unreachables_for_others, 0);
  EXPECT_EQ(io_->stats().tx_dropped, 0u);
  EXPECT_EQ(io_->stats().rx_dropped, 0u);
  EXPECT_GT(io_->fixups().vlan_tags_restored, 0u);
}

// A burst of distinct frames, so blocks hold far more frames than a batch and the small RX
// ring (8 blocks) and TX ring (256 slots) wrap: each frame comes back exactly once.
TEST_P(AfPacketVethTest, BurstComesBackOnceEachThroughWrappingRings) {
  // Blocks are handed over when full or after the block timeout. With the 1 ms default, a
  // sender slowed down by a loaded machine spreads a chunk over more blocks than the ring has,
  // and the kernel drops frames; with 500 ms a chunk (200 small frames, far less than a
  // 256 KiB block holds) takes one or two blocks unless sending it stalls for seconds.
  OpenReflector(/*rx_block_timeout_ms=*/500);
  const rf_config config = DefaultTestConfig();
  ASSERT_TRUE(filter_->SetConfig(config).ok());
  constexpr int kFrames = 3000;
  // Over veth a sent frame keeps its TX slot (the skb holds the ring page) until the tester's
  // capture has read it, so the tester reads after every chunk smaller than the TX ring.
  constexpr int kChunk = 200;
  std::map<Bytes, int> expected;
  int stray = 0;
  for (int i = 0; i < kFrames; ++i) {
    packet::testing::FrameBuilder builder;
    builder.IpId(static_cast<uint16_t>(i));
    if (i % 2) builder.Vlan(static_cast<uint16_t>(1 + i % 4000));
    ASSERT_TRUE(lab_->Send(builder.Build()).ok()) << i;
    expected[builder.Reflected(packet::Mode::kAll, /*tos_handshake=*/true).Build()] = 0;
    if (i % kChunk != kChunk - 1) continue;
    PumpReflector(*io_, config, absl::Seconds(10), kChunk);
    int returned = 0;
    const absl::Time give_up = absl::Now() + absl::Seconds(10);
    while (returned < kChunk && absl::Now() < give_up) {
      for (const auto& [bytes, count] : Collect().frames) {
        returned += count;
        auto it = expected.find(bytes);
        if (it == expected.end()) {
          stray += count;
        } else {
          it->second += count;
        }
      }
    }
  }
  int once = 0;
  for (const auto& [bytes, count] : expected) once += count == 1;
  EXPECT_EQ(once, kFrames);
  EXPECT_EQ(stray, 0);
  EXPECT_EQ(io_->stats().tx_dropped, 0u);
  EXPECT_EQ(io_->stats().rx_dropped, 0u);
}

// A UDP socket on the tester sends an ITO probe; over veth it leaves with only a partial
// checksum (TP_STATUS_CSUMNOTREADY at the reflector). The tester's own UDP socket receives the
// reflection only if its checksum verifies, so the datagram coming back proves completion.
TEST_P(AfPacketVethTest, CompletesPartialChecksumsOfLocallySentUdp) {
  ASSERT_TRUE(filter_->SetConfig(DefaultTestConfig()).ok());
  const std::string probe = std::string("\x09\x10\xea\x1d\x00", 5) + "PROBEOT" + "12345678";
  UniqueFd v4;
  UniqueFd v6;
  {
    absl::StatusOr<NetnsEntry> inside = lab_->Enter(End::kTester);
    ASSERT_TRUE(inside.ok()) << inside.status();
    v4 = UniqueFd(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    v6 = UniqueFd(socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  }
  ASSERT_TRUE(v4.valid() && v6.valid());
  sockaddr_in to4 = {};
  to4.sin_family = AF_INET;
  to4.sin_port = htons(RF_DEFAULT_PORT);
  std::memcpy(&to4.sin_addr, kReflectorIpv4.data(), kReflectorIpv4.size());
  sockaddr_in6 to6 = {};
  to6.sin6_family = AF_INET6;
  to6.sin6_port = htons(RF_DEFAULT_PORT);
  std::memcpy(&to6.sin6_addr, kReflectorIpv6.data(), kReflectorIpv6.size());
  ASSERT_EQ(sendto(v4.get(), probe.data(), probe.size(), 0, reinterpret_cast<sockaddr*>(&to4),
                   sizeof(to4)),
            static_cast<ssize_t>(probe.size()))
      << std::strerror(errno);
  ASSERT_EQ(sendto(v6.get(), probe.data(), probe.size(), 0, reinterpret_cast<sockaddr*>(&to6),
                   sizeof(to6)),
            static_cast<ssize_t>(probe.size()))
      << std::strerror(errno);

  PumpReflector(*io_, DefaultTestConfig(), absl::Seconds(5));
  EXPECT_EQ(io_->fixups().checksums_completed, 2u);
  for (int fd : {v4.get(), v6.get()}) {
    pollfd wait = {fd, POLLIN, 0};
    ASSERT_EQ(poll(&wait, 1, 1000), 1) << "no reflection arrived (bad checksum?)";
    char buffer[64];
    const ssize_t n = recv(fd, buffer, sizeof(buffer), MSG_DONTWAIT);
    EXPECT_EQ(std::string(buffer, n > 0 ? n : 0), probe);
  }
  EXPECT_EQ(Collect().unreachables, 0);
}

// A second copy of the tc program, attached after the filter under test the way it is (a tcx
// link appended behind it, or a cls_bpf filter at a later priority on the same clsact qdisc):
// its counters show which frames the filter let through to whatever runs next.
class Downstream {
 public:
  // Call in the reflector namespace, after the filter under test is attached.
  void Attach(int ifindex, TcAttachMethod method) {
    absl::StatusOr<std::unique_ptr<TcDropFilter>> program = TcDropFilter::Load(DefaultTestConfig());
    ASSERT_TRUE(program.ok()) << program.status();
    program_ = *std::move(program);
    if (method == TcAttachMethod::kTcxLink) {
      absl::StatusOr<xdp::BpfLink> link = xdp::AttachTcxIngress(program_->program_fd(), ifindex);
      ASSERT_TRUE(link.ok()) << link.status();
      link_ = *std::move(link);
      return;
    }
    // The filter under test created the qdisc and takes this filter with it when it goes.
    LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_INGRESS);
    LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = program_->program_fd(), .handle = 1,
                .priority = 0x7000);
    ASSERT_EQ(bpf_tc_attach(&hook, &opts), 0);
  }

  rf_xdp_counters Counters() const {
    absl::StatusOr<rf_xdp_counters> counters = program_->ReadCounters();
    EXPECT_TRUE(counters.ok()) << counters.status();
    return counters.ok() ? *counters : rf_xdp_counters{};
  }

 private:
  std::unique_ptr<TcDropFilter> program_;
  xdp::BpfLink link_;  // declared last: detached before the program goes
};

// A frame that is not ours goes on to what runs after the filter: it returns TC_ACT_UNSPEC,
// which is TCX_NEXT for tcx and "next filter" for cls_bpf. TC_ACT_OK (TCX_PASS) would end the
// tcx chain there and skip the rest.
TEST_P(AfPacketVethTest, FramesThatAreNotOursGoOnToTheNextProgram) {
  Downstream downstream;
  {
    absl::StatusOr<NetnsEntry> inside = lab_->Enter(End::kReflector);
    ASSERT_TRUE(inside.ok()) << inside.status();
    downstream.Attach(lab_->ifindex(End::kReflector), GetParam());
  }
  if (HasFatalFailure()) return;
  constexpr int kTestFrames = 3;
  constexpr int kOtherPortFrames = 4;
  for (int i = 0; i < kTestFrames; ++i) {
    ASSERT_TRUE(
        lab_->Send(packet::testing::FrameBuilder().IpId(static_cast<uint16_t>(i)).Build()).ok());
  }
  for (int i = 0; i < kOtherPortFrames; ++i) {
    ASSERT_TRUE(lab_->Send(packet::testing::FrameBuilder()
                               .IpId(static_cast<uint16_t>(i))
                               .Ports(40001, 5001)
                               .Build())
                    .ok());
  }
  PumpReflector(*io_, DefaultTestConfig(), absl::Seconds(5));
  EXPECT_EQ(Collect().frames.size(), static_cast<size_t>(kTestFrames));

  absl::StatusOr<rf_xdp_counters> ours = filter_->ReadCounters();
  ASSERT_TRUE(ours.ok()) << ours.status();
  // Reflect verdicts count per rule: PROBEOT is rule 0 of the default table.
  EXPECT_EQ(ours->rule_frames[0], static_cast<uint64_t>(kTestFrames));
  EXPECT_EQ(ours->verdict_frames[RF_PORT], static_cast<uint64_t>(kOtherPortFrames));
  const rf_xdp_counters next = downstream.Counters();
  uint64_t next_reflects = 0;
  for (uint64_t count : next.rule_frames) next_reflects += count;
  EXPECT_EQ(next_reflects, 0u) << "test frames are dropped, not passed on";
  EXPECT_EQ(next.verdict_frames[RF_PORT], static_cast<uint64_t>(kOtherPortFrames))
      << "frames for another port must reach the program after ours";
}

// A clsact qdisc that someone else put there first is shared and left in place. Through tcx it
// is not touched at all; through netlink it is looked up first, so libbpf has nothing to say
// (bpf_tc_hook_create on it would print "Kernel error message: Exclusivity flag on").
TEST_P(AfPacketVethTest, LeavesAClsactQdiscThatWasThereAloneAndQuiet) {
  CloseReflector();
  ASSERT_TRUE(RunCommand({"tc", "-n", lab_->reflector_ns().name(), "qdisc", "add", "dev",
                          lab_->reflector_if(), "clsact"})
                  .ok());
  {
    // The message this test is about, so that its absence below means something.
    LibbpfOutput output;
    absl::StatusOr<NetnsEntry> inside = lab_->Enter(End::kReflector);
    ASSERT_TRUE(inside.ok()) << inside.status();
    LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = lab_->ifindex(End::kReflector),
                .attach_point = BPF_TC_INGRESS);
    EXPECT_EQ(bpf_tc_hook_create(&hook), -EEXIST);
    EXPECT_NE(LibbpfOutput::text().find("Exclusivity flag on"), std::string::npos)
        << LibbpfOutput::text();
  }
  {
    LibbpfOutput output;
    OpenReflector();
    if (HasFatalFailure()) return;
    EXPECT_EQ(LibbpfOutput::text(), "");
  }

  // Still works: a test frame comes back and the stack does not answer it.
  ASSERT_TRUE(lab_->Send(packet::testing::FrameBuilder().Build()).ok());
  PumpReflector(*io_, DefaultTestConfig(), absl::Seconds(5));
  const Returned returned = Collect();
  EXPECT_EQ(returned.frames.size(), 1u);
  EXPECT_EQ(returned.unreachables, 0);
  EXPECT_EQ(*filter_->dropped(), 1u);

  {
    LibbpfOutput output;
    CloseReflector();
    EXPECT_EQ(LibbpfOutput::text(), "");
  }
  absl::StatusOr<std::string> qdiscs = Qdiscs();
  ASSERT_TRUE(qdiscs.ok()) << qdiscs.status();
  EXPECT_NE(qdiscs->find("clsact"), std::string::npos) << "our detach removed a qdisc not ours";
  absl::StatusOr<std::string> filters = RunCommandOutput({"tc", "-n", lab_->reflector_ns().name(),
                                                          "filter", "show", "dev",
                                                          lab_->reflector_if(), "ingress"});
  ASSERT_TRUE(filters.ok()) << filters.status();
  EXPECT_EQ(*filters, "");
  // Take the operator's qdisc away again, so that TearDown's check that we left none holds.
  ASSERT_TRUE(RunCommand({"tc", "-n", lab_->reflector_ns().name(), "qdisc", "del", "dev",
                          lab_->reflector_if(), "clsact"})
                  .ok());
}

INSTANTIATE_TEST_SUITE_P(AttachMethods, AfPacketVethTest,
                         ::testing::Values(TcAttachMethod::kTcxLink,
                                           TcAttachMethod::kNetlinkClsact),
                         [](const auto& info) {
                           return info.param == TcAttachMethod::kTcxLink ? "Tcx" : "Netlink";
                         });

}  // namespace
}  // namespace reflector::platform::afpacket
