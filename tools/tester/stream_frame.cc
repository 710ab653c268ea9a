#include "tools/tester/stream_frame.h"

#include <algorithm>
#include <cstring>

#include "absl/base/internal/endian.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
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

// Where the stream's parts sit, as offsets in the UDP payload (which starts at an even frame
// offset, so TrailerOffsetFor keeps the trailer on 16-bit words of the checksum).
struct PayloadLayout {
  size_t marker = 0;
  size_t trailer = 0;
  size_t end = 0;  // payload bytes the stream needs
};

// The marker, its pad byte and the trailer when the marker is at payload offset 0.
constexpr size_t kMarkerSpan = TrailerOffsetFor(0) + ITO_TESTER_TRAILER_LEN;

// The Session-Sender packet's fields (RFC 8762 section 4.2.1) the layout uses, and how far on
// the reflector's answer echoes the sender's Sequence Number, Timestamp and Error Estimate.
constexpr size_t kStampTimestampOffset = 4;
constexpr size_t kStampSenderPacketLength = 44;
constexpr size_t kStampEchoOffset = 24;

PayloadLayout Layout(const StreamSpec& spec) {
  PayloadLayout layout;
  if (spec.stamp) {
    layout.marker = kStampTimestampOffset;
    layout.trailer = TrailerOffsetFor(layout.marker);
    layout.end = kStampSenderPacketLength;
    return layout;
  }
  if (spec.signature.has_value()) {
    layout.marker = IsIto(*spec.signature) ? kItoVendorHeaderLength : RF_CUSTOM_SIG_OFFSET;
  } else if (!spec.pattern.empty() && spec.pattern_offset < kMarkerSpan) {
    // A pattern where the marker would go (a rule's payload_hex at offset 0): marker behind it.
    layout.marker = spec.pattern_offset + spec.pattern.size();
  }
  layout.trailer = TrailerOffsetFor(layout.marker);
  layout.end = layout.trailer + ITO_TESTER_TRAILER_LEN;
  if (!spec.pattern.empty()) {
    layout.end = std::max(layout.end, spec.pattern_offset + spec.pattern.size());
  }
  return layout;
}

absl::Status CheckPattern(const StreamSpec& spec, const PayloadLayout& layout) {
  if (spec.pattern.empty()) return absl::OkStatus();
  if (spec.pattern.size() > kMaxPatternLength || spec.pattern_offset > kMaxPatternOffset) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "--pattern has %d bytes at payload offset %d: at most %d bytes, at offset 0..%d",
        spec.pattern.size(), spec.pattern_offset, kMaxPatternLength, kMaxPatternOffset));
  }
  // With no signature Layout has put the marker out of the pattern's way.
  if (!spec.signature.has_value()) return absl::OkStatus();
  const size_t first = spec.pattern_offset;
  const size_t last = first + spec.pattern.size();  // one past
  const size_t trailer_end = layout.trailer + ITO_TESTER_TRAILER_LEN;
  if (first < trailer_end && last > layout.marker) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "--pattern at payload bytes %d..%d overlaps the %s signature and the tester's trailer "
        "at %d..%d: give a --pattern_offset of at least %d",
        first, last - 1, packet::SignatureText(*spec.signature), layout.marker, trailer_end - 1,
        trailer_end));
  }
  return absl::OkStatus();
}

void Put16(uint8_t* at, uint16_t value) {
  at[0] = static_cast<uint8_t>(value >> 8);
  at[1] = static_cast<uint8_t>(value);
}

}  // namespace

std::string FormatPattern(const std::vector<uint8_t>& bytes) {
  return absl::StrJoin(bytes, ":", [](std::string* out, uint8_t byte) {
    absl::StrAppendFormat(out, "%02x", byte);
  });
}

std::string SignatureFlagName(const std::optional<packet::Signature>& signature) {
  return signature.has_value() ? std::string(packet::SignatureName(*signature)) : "none";
}

std::string DescribeStream(const StreamSpec& spec) {
  if (spec.stamp) return "STAMP Session-Sender packet";
  std::string text = spec.signature.has_value()
                         ? absl::StrCat(packet::SignatureText(*spec.signature), " signature")
                         : std::string("no signature");
  if (!spec.pattern.empty()) {
    absl::StrAppend(&text, ", pattern ", FormatPattern(spec.pattern), " at payload offset ",
                    spec.pattern_offset);
  }
  return text;
}

size_t MinFrameSize(const StreamSpec& spec) {
  return L4Offset(spec) + RF_UDP_HLEN + Layout(spec).end + kFcsLength;
}

absl::StatusOr<StreamFrame> StreamFrame::Build(const StreamSpec& spec) {
  const PayloadLayout layout = Layout(spec);
  if (absl::Status pattern = CheckPattern(spec, layout); !pattern.ok()) return pattern;
  if (spec.stamp && (!spec.pattern.empty() || (spec.stream_id & ~kStampStreamIdMask) != 0)) {
    return absl::InvalidArgumentError(
        "a STAMP stream has no pattern, and its stream id no S or Z flag (kStampStreamIdMask)");
  }
  const size_t min_size = std::max(MinFrameSize(spec), kMinFrameSize);
  if (spec.frame_size < min_size || spec.frame_size > kMaxFrameSize) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "frame size %d is outside %d..%d: the smallest frame that holds the headers, the %s "
        "and the tester's 10-byte trailer%s is %d bytes (with FCS)",
        spec.frame_size, min_size, kMaxFrameSize, DescribeStream(spec),
        spec.addresses.vlan_id != 0 ? " with a VLAN tag" : "", MinFrameSize(spec)));
  }
  const StreamAddresses& a = spec.addresses;
  StreamFrame f;
  f.frame_.assign(spec.frame_size - kFcsLength, 0);
  f.l3_offset_ = L3Offset(spec);
  f.l4_offset_ = L4Offset(spec);
  const size_t payload = f.l4_offset_ + RF_UDP_HLEN;
  f.marker_offset_ = payload + layout.marker;
  f.trailer_offset_ = payload + layout.trailer;
  f.reflection_marker_offset_ = f.marker_offset_ + (spec.stamp ? kStampEchoOffset : 0);
  f.sequence_offset_ = spec.stamp ? payload : f.trailer_offset_ + ITO_TESTER_SEQUENCE_OFFSET;
  const absl::string_view marker = spec.stamp ? absl::string_view(kStampMarker, RF_SIG_LEN)
                                   : spec.signature.has_value()
                                       ? packet::SignatureText(*spec.signature)
                                       : absl::string_view(kNoSignatureMarker, RF_SIG_LEN);
  std::memcpy(f.marker_.data(), marker.data(), RF_SIG_LEN);
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
  if (!spec.signature.has_value() && !spec.stamp) {
    // Deterministic bytes that spell no signature; the trailer is written over them below.
    for (size_t i = payload; i < f.frame_.size(); ++i) {
      p[i] = static_cast<uint8_t>(0xa5 + 151 * (i - payload));
    }
  }
  // The ITO vendor header stays zero: reflectors look only at the signature after it.
  std::memcpy(p + f.marker_offset_, f.marker_.data(), RF_SIG_LEN);
  std::fill(p + f.trailer_offset_, p + f.trailer_offset_ + ITO_TESTER_TRAILER_LEN, 0);
  absl::little_endian::Store16(p + f.trailer_offset_, spec.stream_id);
  std::copy(spec.pattern.begin(), spec.pattern.end(), p + payload + spec.pattern_offset);

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

bool ReadTrailer(absl::Span<const uint8_t> frame, size_t marker_offset,
                 absl::Span<const uint8_t> marker, TrailerFields* fields) {
  const size_t trailer = TrailerOffsetFor(marker_offset);
  if (frame.size() < trailer + ITO_TESTER_TRAILER_LEN || marker.size() != RF_SIG_LEN) {
    return false;
  }
  if (std::memcmp(frame.data() + marker_offset, marker.data(), RF_SIG_LEN) != 0) {
    return false;
  }
  const uint8_t* t = frame.data() + trailer;
  fields->stream_id = absl::little_endian::Load16(t);
  fields->sequence = absl::little_endian::Load32(t + ITO_TESTER_SEQUENCE_OFFSET);
  fields->tx_time_ns = absl::little_endian::Load32(t + ITO_TESTER_TX_TIME_OFFSET);
  return true;
}

}  // namespace reflector::tester
