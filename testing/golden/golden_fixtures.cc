#include "testing/golden/golden_fixtures.h"

#include "absl/strings/str_cat.h"
#include "testing/golden/other_traffic.h"
#include "testing/golden/table_groups.h"

namespace reflector::testing::golden {
namespace {

using packet::Verdict;
using packet::testing::FrameBuilder;
using packet::testing::kReflectorIpv4;
using packet::testing::kReflectorIpv6;
using packet::testing::kReflectorMac;
using packet::testing::kTesterIpv4;
using packet::testing::kTesterIpv6;
using packet::testing::kTesterMac;

const Host kTester = {kTesterMac, kTesterIpv4, kTesterIpv6};
const Host kReflector = {kReflectorMac, kReflectorIpv4, kReflectorIpv6};
// The LAN's router, also its DNS resolver; not a NetAlly device.
const Host kRouter = {{0x02, 0x00, 0x5e, 0x10, 0x00, 0xfe},
                      {198, 18, 0, 254},
                      {0x20, 0x01, 0x00, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xfe}};
const MacAddress kSwitch = {0x02, 0x00, 0x5e, 0x10, 0x00, 0xaa};

GoldenFixture TableGroupFixture(const CaseGroup& group) {
  GoldenFixture fixture{absl::StrCat("table_", group.name), group.filter, group.config, {}};
  for (const packet::testing::FrameCase* c : group.cases) {
    GoldenFrame frame{c->frame, std::nullopt};
    if (c->verdict == Verdict::kReflect) {
      frame.reflected_from = c->builder;
      frame.tos_handshake = c->tos_handshake();
    }
    fixture.frames.push_back(std::move(frame));
  }
  return fixture;
}

GoldenFixture MixedTrafficFixture() {
  GoldenFixture fixture{"mixed_traffic", packet::testing::DefaultTestFilter(),
                        packet::testing::DefaultTestConfig(), {}};
  const auto other = [&](std::vector<uint8_t> frame) {
    fixture.frames.push_back({std::move(frame), std::nullopt});
  };
  // A test frame an rfc2544 or y1564 rule reflects, and one an ito rule reflects (with the
  // ToS handshake, on by default).
  const auto test = [&](FrameBuilder builder) {
    fixture.frames.push_back({builder.Build(), builder, /*tos_handshake=*/false});
  };
  const auto ito = [&](FrameBuilder builder) {
    fixture.frames.push_back({builder.Build(), builder, /*tos_handshake=*/true});
  };
  const Ipv4Address mdns_group = {224, 0, 0, 251};
  const MacAddress mdns_mac = {0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb};
  const MacAddress broadcast = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  constexpr uint32_t kClientIsn = 0x1f2e3d4c;
  constexpr uint32_t kServerIsn = 0x6a5b4c3d;

  other(Lldp(kSwitch, "lab-switch-1"));
  other(ArpRequest(kTester, kReflectorIpv4));
  other(ArpReply(kReflector, kTester));
  ito(FrameBuilder());
  other(IcmpEcho(kTester, kReflector, /*reply=*/false, 0x4242, 1));
  other(IcmpEcho(kReflector, kTester, /*reply=*/true, 0x4242, 1));
  test(FrameBuilder().Custom("RFC2544").FrameSize(128));
  other(TcpSegment(kTester, kReflector, 40000, 80, kClientIsn, 0, kSyn));
  other(TcpSegment(kReflector, kTester, 80, 40000, kServerIsn, kClientIsn + 1, kSyn | kAck));
  other(TcpSegment(kTester, kReflector, 40000, 80, kClientIsn + 1, kServerIsn + 1, kAck));
  ito(FrameBuilder().Ipv6(kTesterIpv6, kReflectorIpv6).Ito("LATENCY"));
  other(DnsQuery(kTester, kRouter, "reflector.lab.example", 0x5151));
  other(DnsAnswer(kRouter, kTester, "reflector.lab.example", 0x5151, kReflectorIpv4));
  other(NeighborSolicitation(kTester, kReflectorIpv6));
  other(NeighborAdvertisement(kReflector, kTester));
  ito(FrameBuilder().Vlan(100).Ito("DATA:OT").FrameSize(512));
  other(FrameBuilder()
            .DstMac(mdns_mac)
            .Ipv4(kTesterIpv4, mdns_group)
            .Ttl(255)
            .Ports(5353, 5353)
            .Payload(std::vector<uint8_t>(24, 0))
            .Build());
  other(FrameBuilder()  // DHCP discover: from 0.0.0.0 to the broadcast address
            .DstMac(broadcast)
            .Ipv4({0, 0, 0, 0}, {255, 255, 255, 255})
            .Ports(68, 67)
            .Payload(std::vector<uint8_t>(240, 0))
            .Build());
  // A test frame on the broadcast address, and one from a device outside the OUI list: they
  // look like test traffic but must stay unanswered.
  other(FrameBuilder().DstMac(broadcast).Build());
  other(FrameBuilder().SrcMac(kRouter.mac).Build());
  test(FrameBuilder().Custom("Y.1564 ").Dscp(0xb8));
  test(FrameBuilder().Vlan(200, 0x88a8).Vlan(10).Ipv6(kTesterIpv6, kReflectorIpv6).Custom("RFC2544"));
  other(IcmpEcho(kTester, kReflector, /*reply=*/false, 0x4242, 2));
  ito(FrameBuilder().Ito("PROBEOT").Ttl(1).IpId(0xbeef).Dscp(0x20));
  return fixture;
}

std::vector<GoldenFixture> BuildFixtures() {
  std::vector<GoldenFixture> fixtures;
  for (const CaseGroup& group : GroupTableByConfig(/*ignore_mode=*/true)) {
    fixtures.push_back(TableGroupFixture(group));
  }
  fixtures.push_back(MixedTrafficFixture());
  return fixtures;
}

}  // namespace

std::vector<std::vector<uint8_t>> GoldenFixture::Input() const {
  std::vector<std::vector<uint8_t>> input;
  for (const GoldenFrame& f : frames) input.push_back(f.frame);
  return input;
}

std::vector<std::vector<uint8_t>> GoldenFixture::Expected(packet::Mode mode) const {
  std::vector<std::vector<uint8_t>> expected;
  for (const GoldenFrame& f : frames) {
    if (f.reflected_from.has_value()) expected.push_back(f.Reflected(mode));
  }
  return expected;
}

packet::FilterConfig GoldenFixture::FilterFor(packet::Mode mode) const {
  packet::FilterConfig with_mode = filter;
  with_mode.mode = mode;
  return with_mode;
}

rf_config GoldenFixture::ConfigFor(packet::Mode mode) const {
  return packet::testing::WithMode(config, mode);
}

const std::vector<GoldenFixture>& GoldenFixtures() {
  static const std::vector<GoldenFixture>* const fixtures =
      new std::vector<GoldenFixture>(BuildFixtures());
  return *fixtures;
}

std::string InputPcapName(const GoldenFixture& fixture) {
  return absl::StrCat(fixture.name, ".in.pcap");
}

std::string OutputPcapName(const GoldenFixture& fixture, packet::Mode mode) {
  return absl::StrCat(fixture.name, ".out.", packet::ModeName(mode), ".pcap");
}

}  // namespace reflector::testing::golden
