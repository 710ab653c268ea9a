#include "reflector/packet/testing/stamp_frames.h"

#include <algorithm>
#include <string>

namespace reflector::packet::testing {
namespace {

void PutBe(std::vector<uint8_t>& out, size_t at, uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out[at + i] = static_cast<uint8_t>(value >> (8 * (bytes - 1 - i)));
}

uint64_t GetBe(absl::Span<const uint8_t> in, size_t at, int bytes) {
  uint64_t value = 0;
  for (int i = 0; i < bytes; ++i) value = (value << 8) | in[at + i];
  return value;
}

}  // namespace

FilterConfig StampTestFilter() {
  FilterConfig filter = DefaultTestFilter();
  filter.profiles |= ProfileBit(Profile::kStamp) | ProfileBit(Profile::kTwampLight);
  filter.twamp_light_ports = {PortRange{kTwampLightTestPort, kTwampLightTestPort}};
  return filter;
}

std::vector<uint8_t> StampSenderPayload(uint32_t sequence, uint64_t timestamp, uint16_t error,
                                        uint16_t ssid, std::vector<uint8_t> extra) {
  std::vector<uint8_t> payload(RF_STAMP_LEN, 0);
  PutBe(payload, 0, sequence, 4);
  PutBe(payload, 4, timestamp, 8);
  PutBe(payload, 12, error, 2);
  PutBe(payload, 14, ssid, 2);
  payload.insert(payload.end(), extra.begin(), extra.end());
  return payload;
}

uint64_t StampTimestamp(uint64_t tai_ns, const rf_stamp_clock& clock, bool ptp) {
  const uint64_t seconds = tai_ns / 1'000'000'000;
  const uint64_t ns = tai_ns % 1'000'000'000;
  if (ptp) return ((seconds + clock.ptp_shift) << 32) | ns;
  // floor(ns * 2^32 / 10^9), in long double to be an independent computation.
  const uint64_t fraction = static_cast<uint64_t>(static_cast<long double>(ns) * 4294967296.0L / 1e9L);
  return ((seconds + clock.ntp_shift) << 32) | fraction;
}

StampTlvAnswer StampReflectedTlvs(absl::Span<const uint8_t> tlvs, uint8_t received_tos,
                                  const rf_stamp_clock& clock, uint8_t t2_method) {
  StampTlvAnswer answer;
  std::vector<uint8_t>& out = answer.tlvs;
  out.assign(tlvs.begin(), tlvs.end());
  const uint8_t sync = (clock.error_estimate & RF_STAMP_S) ? 1 : 5;  // NTP, local free-running
  size_t at = 0;
  for (int n = 0; n < 16 && at < out.size(); ++n) {
    if (out.size() - at < 4) {  // a header cut short: U and M, then stop
      out[at] = 0xc0;
      break;
    }
    const uint8_t type = out[at + 1];
    const size_t length = GetBe(out, at + 2, 2);
    const bool four = type == 3 || type == 4;  // Timestamp Information, Class of Service
    const uint8_t flags = (four || type == 1) ? 0x00 : 0x80;
    if (length > out.size() - at - 4 || (four && length != 4)) {
      out[at] = flags | 0x40;
      break;
    }
    out[at] = flags;
    if (type == 3) {
      out[at + 4] = sync;
      out[at + 5] = t2_method;
      out[at + 6] = sync;
      out[at + 7] = 2;  // SW Local
    } else if (type == 4) {
      const uint64_t dscp1 = out[at + 4] >> 2;
      answer.dscp = static_cast<int>(dscp1);
      PutBe(out, at + 4,
            (dscp1 << 10) | (uint64_t{received_tos} >> 2) << 4 | (received_tos & 3u) << 2, 2);
      PutBe(out, at + 6, 0, 2);
    }
    at += 4 + length;
  }
  return answer;
}

std::vector<uint8_t> StampReflectedPayload(absl::Span<const uint8_t> sender_packet,
                                           uint8_t sender_ttl, uint64_t t2_tai_ns,
                                           uint64_t t3_tai_ns, const rf_stamp_clock& clock,
                                           bool twamp, uint8_t received_tos, int* dscp) {
  // The answer is at least 41 bytes on a TWAMP-Light port (RFC 5357 §4.2.1: the reflector's
  // fields end with the Sender TTL) and 44 on a STAMP one (RFC 8762 §4.6: the base packet);
  // a shorter sender's packet is read as if zero-padded to 44.
  const size_t answer_length = std::max<size_t>(sender_packet.size(), twamp ? 41 : 44);
  std::vector<uint8_t> sender(sender_packet.begin(), sender_packet.end());
  sender.resize(std::max<size_t>(sender.size(), 44), 0);
  std::vector<uint8_t> out = sender;
  if (dscp != nullptr) *dscp = -1;
  // RFC 8972 TLVs only after a STAMP sender's own 44 bytes: a shorter sender has none.
  if (!twamp && sender_packet.size() > RF_STAMP_LEN) {
    StampTlvAnswer tlvs = StampReflectedTlvs(sender_packet.subspan(RF_STAMP_LEN), received_tos,
                                             clock, RF_STAMP_TS_SW_LOCAL);
    std::copy(tlvs.tlvs.begin(), tlvs.tlvs.end(), out.begin() + RF_STAMP_LEN);
    if (dscp != nullptr) *dscp = tlvs.dscp;
  }
  const bool ptp = (GetBe(sender, 12, 2) & RF_STAMP_Z) != 0;
  PutBe(out, 0, GetBe(sender, 0, 4), 4);
  PutBe(out, 4, StampTimestamp(t3_tai_ns, clock, ptp), 8);
  PutBe(out, 12, clock.error_estimate | (ptp ? RF_STAMP_Z : 0), 2);
  PutBe(out, 14, twamp ? 0 : GetBe(sender, 14, 2), 2);
  PutBe(out, 16, StampTimestamp(t2_tai_ns, clock, ptp), 8);
  PutBe(out, 24, GetBe(sender, 0, 4), 4);
  PutBe(out, 28, GetBe(sender, 4, 8), 8);
  PutBe(out, 36, GetBe(sender, 12, 2), 2);
  PutBe(out, 38, 0, 2);
  PutBe(out, 40, static_cast<uint64_t>(sender_ttl) << 24, 4);
  out.resize(answer_length);
  return out;
}

std::vector<uint8_t> StampCase::Expected(uint64_t t2_tai_ns, uint64_t t3_tai_ns,
                                         const rf_stamp_clock& clock) const {
  FrameBuilder answer = sender;
  int dscp = -1;
  answer
      .Payload(StampReflectedPayload(payload, ttl, t2_tai_ns, t3_tai_ns, clock, twamp, tos, &dscp))
      .Ttl(RF_STAMP_TTL);
  if (dscp >= 0) answer.Dscp(static_cast<uint8_t>(dscp << 2 | (tos & 3)));
  return answer.Reflected(Mode::kAll).Build();
}

const std::vector<StampCase>& StampTable() {
  static const std::vector<StampCase>* const table = [] {
    auto* cases = new std::vector<StampCase>;
    const auto add = [cases](std::string name, FrameBuilder sender, std::vector<uint8_t> payload,
                             Verdict verdict, std::string rule, uint16_t port = RF_STAMP_PORT,
                             uint8_t ttl = 64, uint8_t tos = 0) {
      StampCase c;
      c.name = std::move(name);
      c.payload = payload;
      c.sender = sender.Ports(kTesterPort, port).Ttl(ttl).Dscp(tos).Payload(std::move(payload));
      c.ttl = ttl;
      c.tos = tos;
      c.verdict = verdict;
      c.twamp = rule == "twamp-light";
      c.rule_name = std::move(rule);
      cases->push_back(std::move(c));
    };
    const uint64_t ntp_time = 0xe9a1'0203'8000'0000ull;  // an NTP timestamp in 2024
    const std::vector<uint8_t> base = StampSenderPayload(7, ntp_time, 0x8101, 0xbeef);
    const std::vector<uint8_t> tlvs = {0x80, 0x01, 0x00, 0x04, 1, 2, 3, 4,   // extra padding TLV
                                       0x08, 0x00, 0x00, 0x00};              // class-of-service
    add("stamp_ipv4", FrameBuilder(), base, Verdict::kReflect, "stamp");
    add("stamp_ipv4_ttl1", FrameBuilder(), base, Verdict::kReflect, "stamp", RF_STAMP_PORT, 1);
    add("stamp_ipv4_ptp", FrameBuilder(),
        StampSenderPayload(0xfffffffe, 0x6565'0000'1234'5678ull, 0xc001, 1), Verdict::kReflect,
        "stamp");
    add("stamp_ipv4_tlvs", FrameBuilder(), StampSenderPayload(8, ntp_time, 0x0101, 2, tlvs),
        Verdict::kReflect, "stamp");
    add("stamp_ipv4_options", FrameBuilder().Ipv4Options({1, 1, 1, 1}), base, Verdict::kReflect,
        "stamp");
    add("stamp_ipv4_no_udp_checksum", FrameBuilder().UdpChecksum(false), base, Verdict::kReflect,
        "stamp");
    add("stamp_ipv6", FrameBuilder().Ipv6(kTesterIpv6, kReflectorIpv6), base, Verdict::kReflect,
        "stamp", RF_STAMP_PORT, 17);
    add("stamp_vlan", FrameBuilder().Vlan(100), base, Verdict::kReflect, "stamp");
    add("stamp_qinq_ipv6",
        FrameBuilder().Vlan(200, 0x88a8).Vlan(300).Ipv6(kTesterIpv6, kReflectorIpv6),
        StampSenderPayload(9, ntp_time, 0x0101, 0, std::vector<uint8_t>(1400, 0xa5)),
        Verdict::kReflect, "stamp");
    add("twamp_light_ipv4", FrameBuilder(),
        StampSenderPayload(3, ntp_time, 0x0101, 0x5a5a, std::vector<uint8_t>(20, 0x33)),
        Verdict::kReflect, "twamp-light", kTwampLightTestPort);
    add("twamp_light_ipv6", FrameBuilder().Ipv6(kTesterIpv6, kReflectorIpv6),
        StampSenderPayload(4, ntp_time, 0x0101, 0), Verdict::kReflect, "twamp-light",
        kTwampLightTestPort);
    // RFC 8972 TLVs (stamp_tlv.h). Senders set U on every TLV (§4); reserved flag bits set
    // here must come back clear.
    const auto tlv = [](uint8_t flags, uint8_t type, std::vector<uint8_t> value) {
      std::vector<uint8_t> t = {flags, type, static_cast<uint8_t>(value.size() >> 8),
                                static_cast<uint8_t>(value.size())};
      t.insert(t.end(), value.begin(), value.end());
      return t;
    };
    const auto cat = [](std::initializer_list<std::vector<uint8_t>> parts) {
      std::vector<uint8_t> all;
      for (const auto& p : parts) all.insert(all.end(), p.begin(), p.end());
      return all;
    };
    const auto with_tlvs = [&](std::vector<uint8_t> tlvs) {
      return StampSenderPayload(10, ntp_time, 0x0101, 0x1234, std::move(tlvs));
    };
    add("stamp_tlv_understood", FrameBuilder(),
        with_tlvs(cat({tlv(0x80, 1, {9, 9, 9}), tlv(0x9f, 3, {0, 0, 0, 0}),
                       tlv(0x80, 1, {})})),
        Verdict::kReflect, "stamp");
    add("stamp_tlv_unknown", FrameBuilder(),
        with_tlvs(cat({tlv(0x00, 200, {1, 2, 3, 4, 5}), tlv(0x20, 8, std::vector<uint8_t>(16, 7)),
                       tlv(0x80, 3, {0, 0, 0, 0})})),
        Verdict::kReflect, "stamp");
    add("stamp_tlv_cos_ipv4", FrameBuilder(),
        with_tlvs(cat({tlv(0x80, 4, {10 << 2, 0, 0xff, 0xff})})), Verdict::kReflect, "stamp",
        RF_STAMP_PORT, 64, 46 << 2 | 1);
    add("stamp_tlv_cos_ipv6", FrameBuilder().Ipv6(kTesterIpv6, kReflectorIpv6),
        with_tlvs(cat({tlv(0x80, 4, {0, 0, 0, 0}), tlv(0x80, 3, {0, 0, 0, 0})})),
        Verdict::kReflect, "stamp", RF_STAMP_PORT, 64, 34 << 2 | 2);
    add("stamp_tlv_length_past_end", FrameBuilder(),
        with_tlvs(cat({tlv(0x80, 3, {0, 0, 0, 0}), {0x80, 1, 0x00, 0x09, 1, 2, 3}})),
        Verdict::kReflect, "stamp");
    add("stamp_tlv_wrong_length_stops", FrameBuilder().Vlan(7),
        with_tlvs(cat({tlv(0x80, 3, {0, 0, 0, 0, 0}), tlv(0x80, 3, {0, 0, 0, 0})})),
        Verdict::kReflect, "stamp");
    add("stamp_tlv_header_cut_short", FrameBuilder(),
        with_tlvs(cat({tlv(0x80, 1, {5}), {0x80, 1}})), Verdict::kReflect, "stamp");
    std::vector<uint8_t> many;
    for (int i = 0; i < 17; ++i) many = cat({many, tlv(0x80, i == 16 ? 3 : 1, {0, 0, 0, 0})});
    add("stamp_tlv_more_than_16", FrameBuilder().Ipv6(kTesterIpv6, kReflectorIpv6),
        with_tlvs(many), Verdict::kReflect, "stamp");
    add("twamp_light_tlv_lookalike", FrameBuilder(),
        StampSenderPayload(5, ntp_time, 0x0101, 0, tlv(0x80, 3, {0, 0, 0, 0})), Verdict::kReflect,
        "twamp-light", kTwampLightTestPort);
    // Senders shorter than the answer (RFC 5357 §4.1.2: a TWAMP-Light packet may be just
    // sequence number, timestamp and error estimate, 14 bytes): the frame grows, to 41 bytes
    // of payload on a TWAMP-Light port and 44 on a STAMP one.
    const auto first = [](std::vector<uint8_t> payload, size_t bytes) {
      payload.resize(bytes);
      return payload;
    };
    const std::vector<uint8_t> twamp = StampSenderPayload(11, ntp_time, 0x3fff, 0);
    add("twamp_light_14_bytes", FrameBuilder(), first(twamp, 14), Verdict::kReflect, "twamp-light",
        kTwampLightTestPort);
    add("twamp_light_14_bytes_ipv6", FrameBuilder().Ipv6(kTesterIpv6, kReflectorIpv6),
        first(twamp, 14), Verdict::kReflect, "twamp-light", kTwampLightTestPort, 9);
    add("twamp_light_14_bytes_qinq", FrameBuilder().Vlan(200, 0x88a8).Vlan(300), first(twamp, 14),
        Verdict::kReflect, "twamp-light", kTwampLightTestPort);
    add("twamp_light_14_bytes_no_udp_checksum", FrameBuilder().UdpChecksum(false), first(twamp, 14),
        Verdict::kReflect, "twamp-light", kTwampLightTestPort);
    add("twamp_light_14_bytes_padded_to_128", FrameBuilder().PadTo(128), first(twamp, 14),
        Verdict::kReflect, "twamp-light", kTwampLightTestPort);
    add("twamp_light_27_bytes_vlan_options", FrameBuilder().Vlan(7).Ipv4Options({1, 1, 1, 1}),
        first(twamp, 27), Verdict::kReflect, "twamp-light", kTwampLightTestPort);
    add("twamp_light_40_bytes", FrameBuilder(), first(twamp, 40), Verdict::kReflect, "twamp-light",
        kTwampLightTestPort);
    for (size_t bytes : {41, 42, 43}) {
      add("twamp_light_" + std::to_string(bytes) + "_bytes", FrameBuilder(), first(twamp, bytes),
          Verdict::kReflect, "twamp-light", kTwampLightTestPort);
    }
    add("twamp_light_42_bytes_ipv6_vlan", FrameBuilder().Vlan(9).Ipv6(kTesterIpv6, kReflectorIpv6),
        first(twamp, 42), Verdict::kReflect, "twamp-light", kTwampLightTestPort);
    add("twamp_light_13_bytes", FrameBuilder(), first(twamp, 13), Verdict::kSignature, "",
        kTwampLightTestPort);
    add("stamp_14_bytes", FrameBuilder(), first(base, 14), Verdict::kReflect, "stamp");
    add("stamp_15_bytes_ipv6", FrameBuilder().Ipv6(kTesterIpv6, kReflectorIpv6), first(base, 15),
        Verdict::kReflect, "stamp");
    add("stamp_20_bytes_qinq_ipv6",
        FrameBuilder().Vlan(200, 0x88a8).Vlan(300).Ipv6(kTesterIpv6, kReflectorIpv6),
        first(base, 20), Verdict::kReflect, "stamp");
    add("stamp_43_bytes", FrameBuilder(), first(base, 43), Verdict::kReflect, "stamp");
    add("stamp_13_bytes", FrameBuilder(), first(base, 13), Verdict::kSignature, "");
    add("stamp_empty", FrameBuilder(), {}, Verdict::kSignature, "");
    add("stamp_other_port", FrameBuilder(), base, Verdict::kPort, "", 863);
    return cases;
  }();
  return *table;
}

std::vector<uint8_t> MaskStampTimes(std::vector<uint8_t> frame, size_t udp_offset) {
  const size_t payload = udp_offset + RF_UDP_HLEN;
  for (size_t i : {udp_offset + 6, udp_offset + 7}) {
    if (i < frame.size()) frame[i] = 0;
  }
  for (size_t i = 0; i < 8; ++i) {
    if (payload + 4 + i < frame.size()) frame[payload + 4 + i] = 0;
    if (payload + 16 + i < frame.size()) frame[payload + 16 + i] = 0;
  }
  return frame;
}

uint64_t StampPtpDwellNs(absl::Span<const uint8_t> answer, size_t udp_offset) {
  const size_t payload = udp_offset + RF_UDP_HLEN;
  const uint64_t t3 = GetBe(answer, payload + 4, 8);
  const uint64_t t2 = GetBe(answer, payload + 16, 8);
  return ((t3 >> 32) - (t2 >> 32)) * RF_NS_PER_S + (t3 & 0xffffffff) - (t2 & 0xffffffff);
}

}  // namespace reflector::packet::testing
