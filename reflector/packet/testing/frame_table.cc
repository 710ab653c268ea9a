#include "reflector/packet/testing/frame_table.h"

#include <cstdio>
#include <cstdlib>

#include "reflector/packet/config.h"

namespace reflector::packet::testing {
namespace {

constexpr MacAddress kOtherUnicastMac = {0x02, 0x00, 0x5e, 0x10, 0x00, 0x99};
constexpr MacAddress kBroadcastMac = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
constexpr MacAddress kMulticastMac = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01};
constexpr MacAddress kZeroMac = {0, 0, 0, 0, 0, 0};
constexpr MacAddress kFlukeMac = {0x00, 0x19, 0xb3, 0x01, 0x02, 0x03};

FilterConfig Config(void (*edit)(FilterConfig&)) {
  FilterConfig config = DefaultTestFilter();
  edit(config);
  return config;
}

class TableWriter {
 public:
  // A frame that rule `rule` (by name) of `config` reflects.
  void Accept(std::string name, FrameBuilder builder, absl::string_view rule,
              FilterConfig config = DefaultTestFilter()) {
    Add(std::move(name), std::move(builder), Verdict::kReflect, std::move(config), rule);
  }
  void Accept(std::string name, FrameBuilder builder, Signature signature,
              FilterConfig config = DefaultTestFilter()) {
    Accept(std::move(name), std::move(builder), SignatureName(signature), std::move(config));
  }
  void Reject(std::string name, FrameBuilder builder, Verdict verdict,
              FilterConfig config = DefaultTestFilter()) {
    Add(std::move(name), std::move(builder), verdict, std::move(config), "");
  }
  // A frame that is not the output of a builder (truncated or hand-cut bytes).
  void RejectBytes(std::string name, std::vector<uint8_t> frame, Verdict verdict) {
    FrameCase c;
    c.name = std::move(name);
    c.frame = std::move(frame);
    c.filter = DefaultTestFilter();
    c.config = DefaultTestConfig();
    c.verdict = verdict;
    cases_.push_back(std::move(c));
  }
  std::vector<FrameCase> Take() { return std::move(cases_); }

 private:
  void Add(std::string name, FrameBuilder builder, Verdict verdict, FilterConfig filter,
           absl::string_view rule) {
    FrameCase c;
    c.name = std::move(name);
    c.frame = builder.Build();
    absl::StatusOr<CompiledConfig> compiled = Compile(filter);
    if (!compiled.ok()) {
      std::fprintf(stderr, "frame table case %s: %s\n", c.name.c_str(),
                   std::string(compiled.status().message()).c_str());
      std::abort();
    }
    c.filter = std::move(filter);
    c.config = compiled->wire;
    c.verdict = verdict;
    if (verdict == Verdict::kReflect) {
      c.rule = -1;
      for (size_t i = 0; i < compiled->rules.size(); ++i) {
        if (compiled->rules[i].name == rule) c.rule = static_cast<int>(i);
      }
      if (c.rule < 0) {
        std::fprintf(stderr, "frame table case %s: no rule named %s\n", c.name.c_str(),
                     std::string(rule).c_str());
        std::abort();
      }
      c.rule_name = std::string(rule);
    }
    c.has_builder = true;
    c.builder = std::move(builder);
    cases_.push_back(std::move(c));
  }
  std::vector<FrameCase> cases_;
};

// A PC's NIC (Intel OUI): software testers run on ordinary PCs.
constexpr MacAddress kPcMac = {0x3c, 0xfd, 0xfe, 0x12, 0x34, 0x56};

std::vector<uint8_t> Bytes(absl::string_view text) {
  return std::vector<uint8_t>(text.begin(), text.end());
}

// What a commercial test set sends: its own payload format (no known signature) to a
// dedicated test address and port, from a vendor MAC.
FrameBuilder CommercialFrame() {
  std::vector<uint8_t> payload;
  for (int i = 0; i < 40; ++i) payload.push_back(static_cast<uint8_t>(i * 37 + 11));
  return FrameBuilder().SrcMac(kFlukeMac).Ports(5001, 5001).Payload(payload);
}

// The default profiles after one custom rule (or only the rule, with `profiles` 0).
FilterConfig WithRule(void (*edit)(Rule&), ProfileSet profiles = kDefaultProfiles) {
  FilterConfig config = DefaultTestFilter();
  Rule rule;
  edit(rule);
  config.rules.push_back(rule);
  config.profiles = profiles;
  return config;
}

std::vector<uint8_t> Cut(std::vector<uint8_t> frame, size_t length) {
  frame.resize(length);
  return frame;
}

std::vector<FrameCase> BuildTable() {
  TableWriter t;
  using B = FrameBuilder;

  // Accepted shapes.
  t.Accept("ito_probeot_ipv4", B(), Signature::kProbeot);
  t.Accept("ito_dataot_ipv4", B().Ito("DATA:OT"), Signature::kDataOt);
  t.Accept("ito_latency_ipv4", B().Ito("LATENCY"), Signature::kLatency);
  t.Accept("rfc2544_ipv4", B().Custom("RFC2544"), Signature::kRfc2544);
  t.Accept("y1564_ipv4", B().Custom("Y.1564 "), Signature::kY1564);
  t.Accept("ipv4_options", B().Ipv4Options({0x94, 0x04, 0x00, 0x00, 0x01, 0x01, 0x01, 0x00}),
           Signature::kProbeot);
  t.Accept("ipv4_ihl15", B().Ipv4Options(std::vector<uint8_t>(40, 0x01)).Ito("LATENCY"),
           Signature::kLatency);
  t.Accept("vlan_one_tag", B().Vlan(0x2064).Ito("DATA:OT"), Signature::kDataOt);
  t.Accept("qinq_two_tags", B().Vlan(0x00c8, 0x88a8).Vlan(0x0064), Signature::kProbeot);
  t.Accept("two_8021q_tags", B().Vlan(300).Vlan(7).Custom("RFC2544"), Signature::kRfc2544);
  t.Accept("ipv6", B().Ipv6(kTesterIpv6, kReflectorIpv6), Signature::kProbeot);
  t.Accept("ipv6_vlan", B().Vlan(42).Ipv6(kTesterIpv6, kReflectorIpv6).Custom("Y.1564 "),
           Signature::kY1564);
  t.Accept("ipv6_qinq", B().Vlan(10, 0x88a8).Vlan(20).Ipv6(kTesterIpv6, kReflectorIpv6),
           Signature::kProbeot);
  t.Accept("frame_1500", B().Ito("DATA:OT").FrameSize(1500), Signature::kDataOt);
  t.Accept("frame_9000_jumbo", B().Ito("DATA:OT").FrameSize(9000), Signature::kDataOt);
  t.Accept("ipv6_frame_1518", B().Vlan(5).Ipv6(kTesterIpv6, kReflectorIpv6).FrameSize(1518),
           Signature::kProbeot);
  t.Accept("minimum_60_padded", B().Custom("RFC2544", 0), Signature::kRfc2544);
  t.Accept("ito_54_bytes_unpadded", B().Ito("PROBEOT", 0).PadTo(0), Signature::kProbeot);
  t.Accept("ttl_dscp_id_kept", B().Ttl(3).Dscp(0xb8).IpId(0xbeef), Signature::kProbeot);
  t.Accept("udp_checksum_zero", B().UdpChecksum(false), Signature::kProbeot);
  t.Accept("any_port", B().Ports(1234, 7), Signature::kProbeot,
           Config([](FilterConfig& c) { c.port = 0; }));
  t.Accept("custom_port", B().Ports(5000, 5001), Signature::kProbeot,
           Config([](FilterConfig& c) { c.port = 5001; }));
  t.Accept("any_oui", B().SrcMac(kFlukeMac), Signature::kProbeot,
           Config([](FilterConfig& c) { c.ouis.clear(); }));
  t.Accept("second_oui", B().SrcMac(kFlukeMac), Signature::kProbeot,
           Config([](FilterConfig& c) { c.ouis.push_back({0x00, 0x19, 0xb3}); }));
  t.Accept("dst_mac_filter_off", B().DstMac(kOtherUnicastMac), Signature::kProbeot,
           Config([](FilterConfig& c) { c.dst_mac_filter = false; }));
  t.Accept("mode_mac_ip", B().Ports(1111, 3842), Signature::kProbeot,
           Config([](FilterConfig& c) { c.mode = Mode::kMacIp; }));
  t.Accept("mode_mac", B().Ipv6(kTesterIpv6, kReflectorIpv6), Signature::kProbeot,
           Config([](FilterConfig& c) { c.mode = Mode::kMac; }));
  t.Accept("ito_only_signatures", B().Ito("LATENCY"), Signature::kLatency,
           Config([](FilterConfig& c) { c.signatures = RF_SIGS_ITO; }));

  // Profiles and rules (issue 13).
  t.Accept("ito_tos_0x20_toggled", B().Dscp(0x20), Signature::kProbeot);
  t.Accept("ito_tos_handshake_off", B().Dscp(0x20), Signature::kProbeot,
           Config([](FilterConfig& c) { c.tos_handshake = false; }));
  t.Accept("ito_tos_mode_mac_untouched", B().Dscp(0x21), Signature::kProbeot,
           Config([](FilterConfig& c) { c.mode = Mode::kMac; }));
  t.Accept("ito_tos_ipv6_untouched", B().Ipv6(kTesterIpv6, kReflectorIpv6).Dscp(0x20),
           Signature::kProbeot);
  t.Accept("rfc2544_from_a_pc", B().SrcMac(kPcMac).Custom("RFC2544"), Signature::kRfc2544);
  t.Accept("y1564_from_a_pc", B().SrcMac(kPcMac).Custom("Y.1564 "), Signature::kY1564);
  t.Accept("profile_rfc2544_alone", B().SrcMac(kPcMac).Custom("RFC2544"), Signature::kRfc2544,
           Config([](FilterConfig& c) { c.profiles = ProfileBit(Profile::kRfc2544); }));
  t.Accept("commercial_loopback_by_port", CommercialFrame(), "loopback",
           Config([](FilterConfig& c) {
             c.profiles = ProfileBit(Profile::kLoopback);
             c.loopback_ports = PortRange{5001, 5001};
           }));
  t.Accept("commercial_loopback_by_address", CommercialFrame().Ports(7, 9), "loopback",
           Config([](FilterConfig& c) {
             c.profiles = ProfileBit(Profile::kLoopback);
             c.loopback_addresses = {*ParsePrefix("198.18.0.0/30")};
           }));
  t.Accept("loopback_after_ito", CommercialFrame(), "loopback", Config([](FilterConfig& c) {
             c.profiles |= ProfileBit(Profile::kLoopback);
             c.loopback_ports = PortRange{5000, 5010};
           }));
  t.Accept("loopback_ipv6_prefix", CommercialFrame().Ipv6(kTesterIpv6, kReflectorIpv6),
           "loopback", Config([](FilterConfig& c) {
             c.profiles = ProfileBit(Profile::kLoopback);
             c.loopback_addresses = {*ParsePrefix("198.18.0.2"), *ParsePrefix("2001:2::/48")};
           }));
  t.Accept("rule_outer_vlan", B().Vlan(100).Payload(Bytes("any payload")).Ports(1, 6000),
           "vlan100", WithRule([](Rule& r) {
             r.name = "vlan100";
             r.vlan = 100;
             r.dst_ports = {6000, 6000};
           }));
  t.Accept("rule_inner_vlan", B().Vlan(7, 0x88a8).Vlan(300).Ports(1, 6000), "inner300",
           WithRule([](Rule& r) {
             r.name = "inner300";
             r.inner_vlan = 300;
             r.dst_ports = {6000, 6000};
           }));
  t.Accept("rule_untagged", B().Ports(1, 6000), "untagged", WithRule([](Rule& r) {
             r.name = "untagged";
             r.untagged = true;
             r.dst_ports = {6000, 6000};
           }));
  t.Accept("rule_src_port_and_prefix", B().Ports(40000, 6000), "src",
           WithRule([](Rule& r) {
             r.name = "src";
             r.src_ports = {40000, 40010};
             r.src_prefixes = {*ParsePrefix("198.18.0.1")};
             r.dst_ports = {6000, 6000};
             r.ip_version = 4;
           }));
  t.Accept("rule_masked_pattern", B().Payload(Bytes("\x12\x34STC-SIG")).Ports(1, 6000), "masked",
           WithRule([](Rule& r) {
             r.name = "masked";
             r.pattern.bytes = {0x10, 0x00, 'S', 'T', 'C'};
             r.pattern.mask = {0xf0, 0x00, 0xff, 0xff, 0xff};
             r.mode = Mode::kMacIp;
           }));
  // The pattern ends 3 bytes before the frame: compared byte by byte, not as 16-byte words.
  t.Accept("rule_pattern_at_frame_end", B().Payload(Bytes("0123456789abcdef")).PadTo(0),
           "tail", WithRule([](Rule& r) {
             r.name = "tail";
             r.pattern.bytes = Bytes("abc");
             r.pattern.offset = 10;
           }));
  t.Accept("rule_first_match_wins", B().Custom("RFC2544"), "mine", WithRule([](Rule& r) {
             r.name = "mine";
             r.pattern.bytes = Bytes("RFC");
             r.mode = Mode::kMac;
           }));
  t.Reject("commercial_without_loopback", CommercialFrame(), Verdict::kPort);
  t.Reject("commercial_wrong_port", CommercialFrame(), Verdict::kPort,
           Config([](FilterConfig& c) {
             c.profiles = ProfileBit(Profile::kLoopback);
             c.loopback_ports = PortRange{5002, 5010};
           }));
  t.Reject("commercial_wrong_address", CommercialFrame(), Verdict::kAddress,
           Config([](FilterConfig& c) {
             c.profiles = ProfileBit(Profile::kLoopback);
             c.loopback_addresses = {*ParsePrefix("198.18.0.9")};
           }));
  t.Reject("rule_vlan_id_other", B().Vlan(101).Ports(1, 6000), Verdict::kVlanId,
           WithRule([](Rule& r) {
             r.name = "vlan100";
             r.vlan = 100;
             r.dst_ports = {6000, 6000};
           }, /*profiles=*/0));
  t.Reject("rule_untagged_sees_a_tag", B().Vlan(1).Ports(1, 6000), Verdict::kVlanId,
           WithRule([](Rule& r) {
             r.name = "untagged";
             r.untagged = true;
             r.dst_ports = {6000, 6000};
           }, /*profiles=*/0));
  t.Reject("rule_ip_version_other", B().Ipv6(kTesterIpv6, kReflectorIpv6).Ports(1, 6000),
           Verdict::kAddress, WithRule([](Rule& r) {
             r.name = "v4";
             r.ip_version = 4;
             r.dst_ports = {6000, 6000};
           }, /*profiles=*/0));
  t.Reject("rule_src_port_outside", B().Ports(39999, 6000), Verdict::kPort,
           WithRule([](Rule& r) {
             r.name = "src";
             r.src_ports = {40000, 40010};
             r.dst_ports = {6000, 6000};
           }, /*profiles=*/0));
  t.Reject("rule_masked_pattern_other", B().Payload(Bytes("\x22\x34STC-SIG")).Ports(1, 6000),
           Verdict::kSignature, WithRule([](Rule& r) {
             r.name = "masked";
             r.pattern.bytes = {0x10, 0x00, 'S', 'T', 'C'};
             r.pattern.mask = {0xf0, 0x00, 0xff, 0xff, 0xff};
           }, /*profiles=*/0));
  t.Reject("rule_pattern_past_udp_length", B().Payload(Bytes("0123456789ab")).PadTo(64),
           Verdict::kSignature, WithRule([](Rule& r) {
             r.name = "tail";
             r.pattern.bytes = Bytes("abc");
             r.pattern.offset = 10;
           }, /*profiles=*/0));
  // With several rules, the one that came closest names the reason.
  t.Reject("closest_rule_ito_from_a_pc", B().SrcMac(kPcMac).Ito("DATA:OT"), Verdict::kOui);
  t.Reject("closest_rule_unknown_payload", B().Custom("SPIRENT"), Verdict::kSignature);

  // too_short: the frame ends before the field a check needs.
  t.RejectBytes("empty", {}, Verdict::kTooShort);
  t.RejectBytes("five_bytes", Cut(B().Build(), 5), Verdict::kTooShort);
  t.RejectBytes("cut_before_ethertype", Cut(B().Build(), 13), Verdict::kTooShort);
  t.RejectBytes("cut_in_second_tag", Cut(B().Vlan(1).Vlan(2).Build(), 19), Verdict::kTooShort);
  t.RejectBytes("cut_in_ipv4_header", Cut(B().Build(), 30), Verdict::kTooShort);
  t.RejectBytes("cut_in_ipv6_header", Cut(B().Ipv6(kTesterIpv6, kReflectorIpv6).Build(), 50),
                Verdict::kTooShort);

  // dst_mac
  t.Reject("dst_other_mac", B().DstMac(kOtherUnicastMac), Verdict::kDstMac);
  t.Reject("dst_broadcast", B().DstMac(kBroadcastMac), Verdict::kDstMac);
  t.Reject("dst_multicast_filter_off", B().DstMac(kMulticastMac), Verdict::kDstMac,
           Config([](FilterConfig& c) { c.dst_mac_filter = false; }));

  t.Reject("dst_zero_filter_off", B().DstMac(kZeroMac), Verdict::kDstMac,
           Config([](FilterConfig& c) { c.dst_mac_filter = false; }));

  // src_mac
  t.Reject("src_multicast", B().SrcMac({0x01, 0xc0, 0x17, 0, 0, 1}), Verdict::kSrcMac);
  t.Reject("src_zero", B().SrcMac(kZeroMac), Verdict::kSrcMac,
           Config([](FilterConfig& c) { c.ouis.clear(); }));
  t.Reject("src_is_own_mac_loop", B().SrcMac(kReflectorMac), Verdict::kSrcMac,
           Config([](FilterConfig& c) { c.ouis.clear(); }));

  t.Reject("src_equals_dst_filter_off", B().DstMac(kTesterMac), Verdict::kSrcMac,
           Config([](FilterConfig& c) { c.dst_mac_filter = false; }));

  // oui
  t.Reject("oui_not_allowed", B().SrcMac(kFlukeMac), Verdict::kOui);

  // vlan
  t.Reject("three_tags", B().Vlan(1, 0x88a8).Vlan(2).Vlan(3), Verdict::kVlan);
  t.Reject("tag_while_vlan_off", B().Vlan(100), Verdict::kVlan,
           Config([](FilterConfig& c) { c.vlan = false; }));

  // ethertype
  t.Reject("arp", B().EtherType(0x0806), Verdict::kEthertype);
  t.Reject("ipv6_while_ipv6_off", B().Ipv6(kTesterIpv6, kReflectorIpv6), Verdict::kEthertype,
           Config([](FilterConfig& c) { c.ipv6 = false; }));
  t.Reject("lldp", B().DstMac(kReflectorMac).EtherType(0x88cc), Verdict::kEthertype);

  // ip_header
  t.Reject("ipv4_version_6", B().IpVersion(6), Verdict::kIpHeader);
  t.Reject("ipv4_ihl_4", B().Ihl(4), Verdict::kIpHeader);
  t.Reject("ipv4_total_length_short", B().IpTotalLength(27), Verdict::kIpHeader);
  t.Reject("ipv4_total_length_beyond_frame", B().IpTotalLength(1000), Verdict::kIpHeader);
  t.Reject("ipv6_version_4", B().Ipv6(kTesterIpv6, kReflectorIpv6).IpVersion(4),
           Verdict::kIpHeader);
  t.Reject("ipv6_payload_beyond_frame",
           B().Ipv6(kTesterIpv6, kReflectorIpv6).Ipv6PayloadLength(500), Verdict::kIpHeader);

  // fragment
  t.Reject("ipv4_more_fragments", B().FragmentField(0x2000), Verdict::kFragment);
  t.Reject("ipv4_fragment_offset", B().FragmentField(0x0010), Verdict::kFragment);

  // protocol
  t.Reject("tcp", B().IpProtocol(6), Verdict::kProtocol);
  t.Reject("ipv6_fragment_header", B().Ipv6(kTesterIpv6, kReflectorIpv6).IpProtocol(44),
           Verdict::kProtocol);

  // src_ip
  t.Reject("src_ip_zero_net", B().Ipv4({0, 1, 2, 3}, kReflectorIpv4), Verdict::kSrcIp);
  t.Reject("dst_ip_loopback", B().Ipv4(kTesterIpv4, {127, 0, 0, 1}), Verdict::kSrcIp);
  t.Reject("dst_ip_multicast", B().Ipv4(kTesterIpv4, {224, 0, 0, 251}), Verdict::kSrcIp);
  t.Reject("dst_ip_broadcast", B().Ipv4(kTesterIpv4, {255, 255, 255, 255}), Verdict::kSrcIp);
  t.Reject("src_ip_class_e", B().Ipv4({240, 0, 0, 1}, kReflectorIpv4), Verdict::kSrcIp);
  t.Reject("ipv6_src_unspecified", B().Ipv6(Ipv6Address{}, kReflectorIpv6), Verdict::kSrcIp);
  t.Reject("ipv6_dst_loopback",
           B().Ipv6(kTesterIpv6, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}),
           Verdict::kSrcIp);
  t.Reject("ipv6_dst_multicast",
           B().Ipv6(kTesterIpv6, {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}),
           Verdict::kSrcIp);

  // udp_header
  t.Reject("udp_length_7", B().UdpLength(7), Verdict::kUdpHeader);
  t.Reject("udp_length_beyond_ip", B().UdpLength(200), Verdict::kUdpHeader);
  t.Reject("ipv6_payload_shorter_than_udp",
           B().Ipv6(kTesterIpv6, kReflectorIpv6).Ipv6PayloadLength(6), Verdict::kUdpHeader);

  // port
  t.Reject("wrong_port", B().Ports(3842, 7), Verdict::kPort);

  // signature
  t.Reject("no_signature", B().Custom("NOTATST"), Verdict::kSignature);
  t.Reject("ito_signature_at_offset_0", B().Custom("PROBEOT"), Verdict::kSignature);
  t.Reject("rfc2544_disabled", B().Custom("RFC2544"), Verdict::kSignature,
           Config([](FilterConfig& c) { c.signatures = RF_SIGS_ITO; }));
  {
    // The UDP payload ends after the 5-byte vendor header; "PROBEOT" follows in the padding.
    std::vector<uint8_t> frame = B().Payload({0x09, 0x10, 0xea, 0x1d, 0x00}).PadTo(0).Build();
    for (char c : std::string("PROBEOT")) frame.push_back(static_cast<uint8_t>(c));
    frame.resize(64, 0);
    t.RejectBytes("signature_in_padding_only", std::move(frame), Verdict::kSignature);
  }
  t.Reject("udp_length_cuts_signature", B().UdpLength(8 + 11), Verdict::kSignature);
  t.Reject("lowercase_signature", B().Ito("probeot"), Verdict::kSignature);

  return t.Take();
}

}  // namespace

const std::vector<FrameCase>& FrameTable() {
  static const std::vector<FrameCase>* const table = new std::vector<FrameCase>(BuildTable());
  return *table;
}

rf_config WithMode(rf_config config, Mode mode) {
  for (rf_rule& rule : config.rules) rule.mode = static_cast<__u8>(mode);
  return config;
}

void PrintTo(const FrameCase& c, std::ostream* os) { *os << c.name; }

}  // namespace reflector::packet::testing
