#include "reflector/packet/testing/frame_builder.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "reflector/packet/checksum.h"

namespace reflector::packet::testing {
namespace {

void PutBe16(std::vector<uint8_t>& out, size_t at, uint16_t value) {
  out[at] = static_cast<uint8_t>(value >> 8);
  out[at + 1] = static_cast<uint8_t>(value);
}

void AppendBe16(std::vector<uint8_t>& out, uint16_t value) {
  out.push_back(static_cast<uint8_t>(value >> 8));
  out.push_back(static_cast<uint8_t>(value));
}

template <size_t N>
void Append(std::vector<uint8_t>& out, const std::array<uint8_t, N>& bytes) {
  out.insert(out.end(), bytes.begin(), bytes.end());
}

// Sum of the pseudo-header (addresses, protocol, UDP length) and the UDP header and payload.
uint64_t UdpSum(absl::Span<const uint8_t> frame, size_t l3, size_t l4, int ip_version,
                size_t udp_len) {
  uint64_t sum = ip_version == 4 ? OnesComplementAdd(frame.subspan(l3 + 12, 8))
                                 : OnesComplementAdd(frame.subspan(l3 + 8, 32));
  sum += 17 + udp_len;
  return OnesComplementAdd(frame.subspan(l4, udp_len), sum);
}

constexpr uint8_t kItoVendorHeader[5] = {0x09, 0x10, 0xea, 0x1d, 0x00};

std::vector<uint8_t> SignaturePayload(absl::string_view signature, size_t offset, size_t trailer) {
  std::vector<uint8_t> payload;
  if (offset == RF_ITO_SIG_OFFSET) {
    payload.assign(std::begin(kItoVendorHeader), std::end(kItoVendorHeader));
  }
  payload.insert(payload.end(), signature.begin(), signature.end());
  // A recognisable trailer, like the sequence numbers and timestamps testers put there.
  for (size_t i = 0; i < trailer; ++i) payload.push_back(static_cast<uint8_t>(0xa0 + i));
  return payload;
}

}  // namespace

FilterConfig DefaultTestFilter() {
  FilterConfig config;
  config.interface_mac = kReflectorMac;
  return config;
}

rf_config DefaultTestConfig() { return *ToWire(DefaultTestFilter()); }

FrameBuilder::FrameBuilder() { Ito(); }

FrameBuilder& FrameBuilder::DstMac(const MacAddress& mac) {
  dst_mac_ = mac;
  return *this;
}
FrameBuilder& FrameBuilder::SrcMac(const MacAddress& mac) {
  src_mac_ = mac;
  return *this;
}
FrameBuilder& FrameBuilder::Vlan(uint16_t tci, uint16_t tpid) {
  tags_.push_back({tpid, tci});
  return *this;
}
FrameBuilder& FrameBuilder::EtherType(uint16_t ethertype) {
  ethertype_ = ethertype;
  return *this;
}
FrameBuilder& FrameBuilder::Ipv4(const Ipv4Address& src, const Ipv4Address& dst) {
  ipv6_ = false;
  src4_ = src;
  dst4_ = dst;
  return *this;
}
FrameBuilder& FrameBuilder::Ipv6(const Ipv6Address& src, const Ipv6Address& dst) {
  ipv6_ = true;
  src6_ = src;
  dst6_ = dst;
  return *this;
}
FrameBuilder& FrameBuilder::Ipv4Options(std::vector<uint8_t> options) {
  while (options.size() % 4) options.push_back(0);
  if (options.size() > 40) options.resize(40);
  ip_options_ = std::move(options);
  return *this;
}
FrameBuilder& FrameBuilder::Ttl(uint8_t ttl) {
  ttl_ = ttl;
  return *this;
}
FrameBuilder& FrameBuilder::Dscp(uint8_t tos) {
  tos_ = tos;
  return *this;
}
FrameBuilder& FrameBuilder::IpId(uint16_t id) {
  ip_id_ = id;
  return *this;
}
FrameBuilder& FrameBuilder::FragmentField(uint16_t flags_and_offset) {
  fragment_ = flags_and_offset;
  return *this;
}
FrameBuilder& FrameBuilder::IpProtocol(uint8_t protocol) {
  protocol_ = protocol;
  return *this;
}
FrameBuilder& FrameBuilder::Ports(uint16_t src, uint16_t dst) {
  src_port_ = src;
  dst_port_ = dst;
  return *this;
}
FrameBuilder& FrameBuilder::Ito(absl::string_view signature, size_t trailer) {
  payload_ = SignaturePayload(signature, RF_ITO_SIG_OFFSET, trailer);
  return *this;
}
FrameBuilder& FrameBuilder::Custom(absl::string_view signature, size_t trailer) {
  payload_ = SignaturePayload(signature, RF_CUSTOM_SIG_OFFSET, trailer);
  return *this;
}
FrameBuilder& FrameBuilder::Payload(std::vector<uint8_t> payload) {
  payload_ = std::move(payload);
  return *this;
}
FrameBuilder& FrameBuilder::FrameSize(size_t bytes) {
  const size_t headers = l4_offset() + RF_UDP_HLEN;
  for (size_t i = headers + payload_.size(); i < bytes; ++i) {
    payload_.push_back(static_cast<uint8_t>(i));
  }
  return *this;
}
FrameBuilder& FrameBuilder::PadTo(size_t bytes) {
  pad_to_ = bytes;
  return *this;
}
FrameBuilder& FrameBuilder::UdpChecksum(bool enabled) {
  udp_checksum_ = enabled;
  return *this;
}
FrameBuilder& FrameBuilder::IpVersion(uint8_t version) {
  version_ = version;
  return *this;
}
FrameBuilder& FrameBuilder::Ihl(uint8_t ihl_words) {
  ihl_ = ihl_words;
  return *this;
}
FrameBuilder& FrameBuilder::IpTotalLength(uint16_t bytes) {
  total_length_ = bytes;
  return *this;
}
FrameBuilder& FrameBuilder::Ipv6PayloadLength(uint16_t bytes) {
  ipv6_payload_length_ = bytes;
  return *this;
}
FrameBuilder& FrameBuilder::UdpLength(uint16_t bytes) {
  udp_length_ = bytes;
  return *this;
}

size_t FrameBuilder::l4_offset() const {
  return l3_offset() + (ipv6_ ? RF_IPV6_HLEN : RF_IPV4_MIN_HLEN + ip_options_.size());
}

std::vector<uint8_t> FrameBuilder::Build() const {
  std::vector<uint8_t> frame;
  Append(frame, dst_mac_);
  Append(frame, src_mac_);
  for (const Tag& tag : tags_) {
    AppendBe16(frame, tag.tpid);
    AppendBe16(frame, tag.tci);
  }
  AppendBe16(frame, ethertype_.value_or(ipv6_ ? RF_ETHERTYPE_IPV6 : RF_ETHERTYPE_IPV4));

  const size_t l3 = frame.size();
  const size_t udp_len = RF_UDP_HLEN + payload_.size();
  if (ipv6_) {
    frame.push_back(static_cast<uint8_t>((version_.value_or(6) << 4) | (tos_ >> 4)));
    frame.push_back(static_cast<uint8_t>(tos_ << 4));
    AppendBe16(frame, 0);  // flow label
    AppendBe16(frame, ipv6_payload_length_.value_or(static_cast<uint16_t>(udp_len)));
    frame.push_back(protocol_);
    frame.push_back(ttl_);
    Append(frame, src6_);
    Append(frame, dst6_);
  } else {
    const size_t header_len = RF_IPV4_MIN_HLEN + ip_options_.size();
    frame.push_back(
        static_cast<uint8_t>((version_.value_or(4) << 4) | (ihl_.value_or(header_len / 4) & 0x0f)));
    frame.push_back(tos_);
    AppendBe16(frame, total_length_.value_or(static_cast<uint16_t>(header_len + udp_len)));
    AppendBe16(frame, ip_id_);
    AppendBe16(frame, fragment_);
    frame.push_back(ttl_);
    frame.push_back(protocol_);
    AppendBe16(frame, 0);  // header checksum, below
    Append(frame, src4_);
    Append(frame, dst4_);
    frame.insert(frame.end(), ip_options_.begin(), ip_options_.end());
    PutBe16(frame, l3 + 10,
            static_cast<uint16_t>(~OnesComplementFold(
                OnesComplementAdd(absl::MakeConstSpan(frame).subspan(l3, header_len)))));
  }

  const size_t l4 = frame.size();
  AppendBe16(frame, src_port_);
  AppendBe16(frame, dst_port_);
  AppendBe16(frame, udp_length_.value_or(static_cast<uint16_t>(udp_len)));
  AppendBe16(frame, 0);  // checksum, below
  frame.insert(frame.end(), payload_.begin(), payload_.end());
  if (udp_checksum_) {
    uint16_t checksum = static_cast<uint16_t>(
        ~OnesComplementFold(UdpSum(frame, l3, l4, ipv6_ ? 6 : 4, frame.size() - l4)));
    if (checksum == 0) checksum = 0xffff;  // zero means "no checksum" on the wire
    PutBe16(frame, l4 + 6, checksum);
  }
  if (frame.size() < pad_to_) frame.resize(pad_to_, 0);
  return frame;
}

FrameBuilder FrameBuilder::Reflected(Mode mode, bool tos_handshake) const {
  FrameBuilder out = *this;
  std::swap(out.dst_mac_, out.src_mac_);
  if (mode == Mode::kMac) return out;
  std::swap(out.src4_, out.dst4_);
  std::swap(out.src6_, out.dst6_);
  // The header checksum is computed afresh by Build(): an independent check of the
  // reflector's incremental update.
  if (tos_handshake && !out.ipv6_) out.tos_ ^= 1;
  if (mode == Mode::kMacIp) return out;
  std::swap(out.src_port_, out.dst_port_);
  return out;
}

bool Ipv4HeaderChecksumValid(absl::Span<const uint8_t> frame, size_t l3_offset) {
  if (l3_offset + RF_IPV4_MIN_HLEN > frame.size()) return false;
  const size_t header_len = (frame[l3_offset] & 0x0f) * 4u;
  if (header_len < RF_IPV4_MIN_HLEN || l3_offset + header_len > frame.size()) return false;
  return OnesComplementFold(OnesComplementAdd(frame.subspan(l3_offset, header_len))) == 0xffff;
}

bool UdpChecksumValid(absl::Span<const uint8_t> frame, size_t l3_offset, size_t l4_offset,
                      int ip_version) {
  if (l4_offset + RF_UDP_HLEN > frame.size()) return false;
  const size_t udp_len = (frame[l4_offset + 4] << 8) | frame[l4_offset + 5];
  if (udp_len < RF_UDP_HLEN || l4_offset + udp_len > frame.size()) return false;
  if (ip_version == 4 && frame[l4_offset + 6] == 0 && frame[l4_offset + 7] == 0) return true;
  return OnesComplementFold(UdpSum(frame, l3_offset, l4_offset, ip_version, udp_len)) == 0xffff;
}

std::string HexDump(absl::Span<const uint8_t> frame) {
  std::string out;
  for (size_t i = 0; i < frame.size(); ++i) {
    if (i % 16 == 0) absl::StrAppendFormat(&out, "%s%04x:", i ? "\n" : "", i);
    absl::StrAppendFormat(&out, " %02x", frame[i]);
  }
  return out;
}

std::string DescribeDifference(absl::Span<const uint8_t> expected,
                               absl::Span<const uint8_t> actual) {
  const size_t common = std::min(expected.size(), actual.size());
  for (size_t i = 0; i < common; ++i) {
    if (expected[i] != actual[i]) {
      return absl::StrFormat("first difference at byte %d: expected 0x%02x, got 0x%02x", i,
                             expected[i], actual[i]);
    }
  }
  if (expected.size() != actual.size()) {
    return absl::StrFormat("length differs: expected %d bytes, got %d", expected.size(),
                           actual.size());
  }
  return "identical";
}

}  // namespace reflector::packet::testing
