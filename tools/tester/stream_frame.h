// One test stream's frame: built once from the stream's addresses and size, then stamped with
// a sequence number and a send time per frame without touching anything else. Stamping fixes
// the UDP checksum incrementally (RFC 1624), so the per-frame cost is a few stores.
#ifndef REFLECTOR_TOOLS_TESTER_STREAM_FRAME_H_
#define REFLECTOR_TOOLS_TESTER_STREAM_FRAME_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "reflector/packet/config.h"
#include "reflector/packet/packet.h"

namespace reflector::tester {

using Ipv4Address = std::array<uint8_t, 4>;
using Ipv6Address = std::array<uint8_t, 16>;

// The Ethernet FCS: frame sizes count it (RFC 2544: a 64-byte frame is 60 bytes + FCS), but
// the kernel adds it, so the tester writes size - 4 bytes.
inline constexpr size_t kFcsLength = 4;
inline constexpr size_t kMinFrameSize = 64;
inline constexpr size_t kMaxFrameSize = 9000;

struct StreamAddresses {
  packet::MacAddress src_mac = {};
  packet::MacAddress dst_mac = {};
  bool ipv6 = false;
  Ipv4Address src4 = {};
  Ipv4Address dst4 = {};
  Ipv6Address src6 = {};
  Ipv6Address dst6 = {};
  uint16_t src_port = 0;
  uint16_t dst_port = RF_DEFAULT_PORT;
  uint16_t vlan_id = 0;  // 0: untagged; else one 802.1Q tag with this VID (PCP 0)
};

// With no signature the tester marks its frames with these 7 bytes instead, where a signature
// would sit, so the receive side finds its trailer the same way. No reflector signature
// matches them, at offset 0 or 5 (SPEC §2): what a `loopback` rule sees is a frame it can
// only accept by port, address or VLAN, as a commercial test set's stream.
inline constexpr char kNoSignatureMarker[] = "itotest";
// A STAMP stream's marker (StreamSpec::stamp), in each packet's sender Timestamp.
inline constexpr char kStampMarker[] = "itostmp";
// A STAMP stream's id sits in the sender's Error Estimate, its low byte first: that byte's S
// and Z flags stay clear, so every answer's timestamps are NTP, as by default.
inline constexpr uint16_t kStampStreamIdMask = 0xff3f;
// A pattern of the tester's own: at most this many bytes.
inline constexpr size_t kMaxPatternLength = 64;
// ... starting at most this deep in the UDP payload (as deep as a reflector rule looks).
inline constexpr size_t kMaxPatternOffset = RF_MAX_PATTERN_OFFSET;

struct StreamSpec {
  StreamAddresses addresses;
  // nullopt: no signature (--signature=none); the rest of the payload is deterministic
  // non-zero bytes rather than zeros, as a vendor's payload would be.
  std::optional<packet::Signature> signature = packet::Signature::kLatency;
  // Bytes written at `pattern_offset` in the UDP payload (--pattern), e.g. what a [[rule]]
  // payload_hex matches. They may not overlap the signature or the trailer; with no signature
  // the marker and trailer move behind a pattern that starts in their place.
  std::vector<uint8_t> pattern;
  size_t pattern_offset = 0;
  size_t frame_size = 128;  // with FCS
  uint16_t stream_id = 0;
  // The UDP payload is an RFC 8762 Session-Sender packet (--protocol=stamp on the line-rate
  // engine): its 44 bytes, zeros after them. The marker fills the sender Timestamp and the
  // stream id the Error Estimate (kStampStreamIdMask), which a Session-Reflector echoes 24
  // bytes further on; the sequence goes in the Sequence Number. Neither signature nor pattern.
  bool stamp = false;
};

// "LATENCY signature", "no signature", "RFC2544 signature, pattern 52:46 at payload offset 9".
std::string DescribeStream(const StreamSpec& spec);
// "52:46:43": --pattern's bytes as the flag takes them.
std::string FormatPattern(const std::vector<uint8_t>& bytes);
// "latency", ..., "y1564", or "none".
std::string SignatureFlagName(const std::optional<packet::Signature>& signature);

// The smallest frame size (with FCS) that holds the headers, the signature or marker, the
// trailer and the pattern.
size_t MinFrameSize(const StreamSpec& spec);

class StreamFrame {
 public:
  // Fails (InvalidArgument) when the size is outside 64..9000 or too small for the headers,
  // or the pattern is too long, too deep or overlaps the signature or the trailer.
  static absl::StatusOr<StreamFrame> Build(const StreamSpec& spec);

  // The frame as sent with sequence 0 and time 0.
  absl::Span<const uint8_t> bytes() const { return frame_; }
  size_t size() const { return frame_.size(); }  // written bytes, without FCS
  // Where the signature (or with none, kNoSignatureMarker) sits, from the frame start, and
  // its 7 bytes: what the receive side matches reflections by, with the stream id.
  size_t marker_offset() const { return marker_offset_; }
  const std::array<uint8_t, RF_SIG_LEN>& marker() const { return marker_; }
  size_t trailer_offset() const { return trailer_offset_; }
  // Where a reflection carries the marker: marker_offset(), or for a STAMP stream where the
  // reflector echoes the sender Timestamp.
  size_t reflection_marker_offset() const { return reflection_marker_offset_; }
  // Where the line-rate engine writes each frame's sequence number: the trailer's, or a STAMP
  // packet's Sequence Number.
  size_t sequence_offset() const { return sequence_offset_; }
  size_t udp_checksum_offset() const { return l4_offset_ + 6; }
  size_t ip_packet_length() const { return frame_.size() - l3_offset_; }

  // Writes `seq` and `tx_time_ns` (low 32 bits) into `out`, which holds a copy of bytes(),
  // and updates its UDP checksum. No allocation, no branches on frame content.
  void Stamp(absl::Span<uint8_t> out, uint32_t seq, uint64_t tx_time_ns) const;

 private:
  StreamFrame() = default;
  std::vector<uint8_t> frame_;
  size_t l3_offset_ = 0;
  size_t l4_offset_ = 0;
  size_t marker_offset_ = 0;
  std::array<uint8_t, RF_SIG_LEN> marker_ = {};
  size_t trailer_offset_ = 0;
  size_t reflection_marker_offset_ = 0;
  size_t sequence_offset_ = 0;
  // One's-complement sum of the UDP checksum input with the stamped fields zero, unfolded
  // to 16 bits and not complemented: the starting point of every Stamp.
  uint16_t base_sum_ = 0;
};

// What the receive side reads back from a reflection of this stream.
struct TrailerFields {
  uint16_t stream_id = 0;
  uint32_t sequence = 0;
  uint32_t tx_time_ns = 0;
};

// Reads the trailer of `frame` (a reflection, with any VLAN tag back inline) if it carries
// `marker` at `marker_offset` and is long enough; the caller compares the stream id. Nothing
// else is looked at: a reflector may have swapped addresses and ports and toggled the IPv4
// ToS bit 0 (the ITO handshake), and the frame is still this stream's.
bool ReadTrailer(absl::Span<const uint8_t> frame, size_t marker_offset,
                 absl::Span<const uint8_t> marker, TrailerFields* fields);

// Trailer offset for a signature or marker at `marker_offset`: the next even offset after it.
constexpr size_t TrailerOffsetFor(size_t marker_offset) {
  return (marker_offset + RF_SIG_LEN + 1) & ~size_t{1};
}

}  // namespace reflector::tester

#endif  // REFLECTOR_TOOLS_TESTER_STREAM_FRAME_H_
