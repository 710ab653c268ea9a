#include "tools/tester/stream_frame.h"

#include <cstring>

#include "absl/base/internal/endian.h"
#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "reflector/packet/checksum.h"
#include "tools/tester/trailer.h"

namespace reflector::tester {
namespace {

constexpr size_t kIpv4HeaderLength = 20;
constexpr size_t kIpv6HeaderLength = 40;
constexpr size_t kItoVendorHeaderLength = RF_ITO_SIG_OFFSET;

size_t L3Offset(const StreamSpec& spec) {
  return RF_ETH_HLEN + (spec.addresses.vlan_id != 0 ? RF_VLAN_HLEN : 0);
}

size_t L4Offset(const StreamSpec& spec) {
  return L3Offset(spec) + (spec.addresses.ipv6 ? kIpv6HeaderLength : kIpv4HeaderLength);
}

bool IsIto(packet::Signature signature) {
  return signature == packet::Signature::kProbeot || signature == packet::Signature::kDataOt ||
         signature == packet::Signature::kLatency;
}

size_t SignatureOffset(const StreamSpec& spec) {
  return L4Offset(spec) + RF_UDP_HLEN + (IsIto(spec.signature) ? kItoVendorHeaderLength : 0);
}

void Put16(uint8_t* at, uint16_t value) {
  at[0] = static_cast<uint8_t>(value >> 8);
  at[1] = static_cast<uint8_t>(value);
}

}  // namespace

size_t MinFrameSize(const StreamSpec& spec) {
  return TrailerOffsetFor(SignatureOffset(spec)) + ITO_TESTER_TRAILER_LEN + kFcsLength;
}

absl::StatusOr<StreamFrame> StreamFrame::Build(const StreamSpec& spec) {
  const size_t min_size = std::max(MinFrameSize(spec), kMinFrameSize);
  if (spec.frame_size < min_size || spec.frame_size > kMaxFrameSize) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "frame size %d is outside %d..%d: the smallest frame that holds the headers, the %s "
        "signature and the tester's 10-byte trailer%s is %d bytes (with FCS)",
        spec.frame_size, min_size, kMaxFrameSize, packet::SignatureName(spec.signature),
        spec.addresses.vlan_id != 0 ? " with a VLAN tag" : "", MinFrameSize(spec)));
  }
  const StreamAddresses& a = spec.addresses;
  StreamFrame f;
  f.frame_.assign(spec.frame_size - kFcsLength, 0);
  f.l3_offset_ = L3Offset(spec);
  f.l4_offset_ = L4Offset(spec);
  f.signature_offset_ = SignatureOffset(spec);
  f.trailer_offset_ = TrailerOffsetFor(f.signature_offset_);
  uint8_t* p = f.frame_.data();

  std::memcpy(p, a.dst_mac.data(), 6);
  std::memcpy(p + 6, a.src_mac.data(), 6);
  if (a.vlan_id != 0) {
    Put16(p + 12, RF_ETHERTYPE_VLAN);
    Put16(p + 14, a.vlan_id & 0x0fff);
  }
  Put16(p + f.l3_offset_ - 2, a.ipv6 ? RF_ETHERTYPE_IPV6 : RF_ETHERTYPE_IPV4);

  const size_t udp_length = f.frame_.size() - f.l4_offset_;
  uint8_t* ip = p + f.l3_offset_;
  uint64_t pseudo = 0;
  if (a.ipv6) {
    ip[0] = 0x60;
    Put16(ip + 4, static_cast<uint16_t>(udp_length));
    ip[6] = RF_IPPROTO_UDP;
    ip[7] = 64;  // hop limit
    std::memcpy(ip + 8, a.src6.data(), 16);
    std::memcpy(ip + 24, a.dst6.data(), 16);
    pseudo = packet::OnesComplementAdd({ip + 8, 32}) + RF_IPPROTO_UDP + udp_length;
  } else {
    ip[0] = 0x45;
    Put16(ip + 2, static_cast<uint16_t>(f.frame_.size() - f.l3_offset_));
    Put16(ip + 6, 0x4000);  // DF: a test frame must not be fragmented on the way
    ip[8] = 64;             // TTL
    ip[9] = RF_IPPROTO_UDP;
    std::memcpy(ip + 12, a.src4.data(), 4);
    std::memcpy(ip + 16, a.dst4.data(), 4);
    Put16(ip + 10, static_cast<uint16_t>(~packet::OnesComplementFold(
                       packet::OnesComplementAdd({ip, kIpv4HeaderLength}))));
    pseudo = packet::OnesComplementAdd({ip + 12, 8}) + RF_IPPROTO_UDP + udp_length;
  }

  uint8_t* udp = p + f.l4_offset_;
  Put16(udp, a.src_port);
  Put16(udp + 2, a.dst_port);
  Put16(udp + 4, static_cast<uint16_t>(udp_length));
  // The ITO vendor header stays zero: reflectors look only at the signature after it.
  std::memcpy(p + f.signature_offset_, packet::SignatureText(spec.signature).data(), RF_SIG_LEN);
  absl::little_endian::Store16(p + f.trailer_offset_, spec.stream_id);

  f.base_sum_ = packet::OnesComplementFold(packet::OnesComplementAdd({udp, udp_length}, pseudo));
  f.Stamp(absl::MakeSpan(f.frame_), 0, 0);
  return f;
}

void StreamFrame::Stamp(absl::Span<uint8_t> out, uint32_t seq, uint64_t tx_time_ns) const {
  uint8_t* trailer = out.data() + trailer_offset_;
  absl::little_endian::Store32(trailer + ITO_TESTER_SEQUENCE_OFFSET, seq);
  absl::little_endian::Store32(trailer + ITO_TESTER_TX_TIME_OFFSET,
                               static_cast<uint32_t>(tx_time_ns));
  // The stamped 8 bytes sit on 16-bit word boundaries of the UDP checksum (the trailer offset
  // is even, and so is the UDP header's), and are zero in base_sum_: add them, complement.
  const uint16_t sum = packet::OnesComplementFold(
      packet::OnesComplementAdd({trailer + ITO_TESTER_SEQUENCE_OFFSET, 8}, base_sum_));
  const uint16_t checksum = static_cast<uint16_t>(~sum);
  // 0 means "no checksum" in UDP over IPv4 and is invalid over IPv6; 0xffff is the same value.
  Put16(out.data() + udp_checksum_offset(), checksum == 0 ? 0xffff : checksum);
}

bool ReadTrailer(absl::Span<const uint8_t> frame, size_t signature_offset,
                 absl::Span<const uint8_t> signature, TrailerFields* fields) {
  const size_t trailer = TrailerOffsetFor(signature_offset);
  if (frame.size() < trailer + ITO_TESTER_TRAILER_LEN) return false;
  if (std::memcmp(frame.data() + signature_offset, signature.data(), RF_SIG_LEN) != 0) {
    return false;
  }
  const uint8_t* t = frame.data() + trailer;
  fields->stream_id = absl::little_endian::Load16(t);
  fields->sequence = absl::little_endian::Load32(t + ITO_TESTER_SEQUENCE_OFFSET);
  fields->tx_time_ns = absl::little_endian::Load32(t + ITO_TESTER_TX_TIME_OFFSET);
  return true;
}

}  // namespace reflector::tester
