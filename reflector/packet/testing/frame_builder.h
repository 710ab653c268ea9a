// Builds test frames field by field, with correct lengths and checksums, so tests state their
// intent instead of carrying hex blobs:
//   FrameBuilder().Vlan(100).Ipv6(a, b).Ports(5000, 3842).Ito("LATENCY").Build()
// Defaults: a NetAlly source MAC (00:c0:17) talking to kReflectorMac, untagged IPv4 from the
// benchmarking range, UDP 3842 -> 3842, an ITO "PROBEOT" payload, padded to 60 bytes.
#ifndef REFLECTOR_PACKET_TESTING_FRAME_BUILDER_H_
#define REFLECTOR_PACKET_TESTING_FRAME_BUILDER_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "reflector/packet/config.h"
#include "reflector/packet/packet.h"

namespace reflector::packet::testing {

using Ipv4Address = std::array<uint8_t, 4>;
using Ipv6Address = std::array<uint8_t, 16>;

inline constexpr MacAddress kReflectorMac = {0x02, 0x00, 0x5e, 0x10, 0x00, 0x02};
inline constexpr MacAddress kTesterMac = {0x00, 0xc0, 0x17, 0x54, 0x05, 0x98};
// An ordinary NIC's MAC, outside NetAlly's OUI: a PC that runs a software tester.
inline constexpr MacAddress kNicMac = {0x02, 0x00, 0x5e, 0x10, 0x00, 0x01};
inline constexpr Ipv4Address kTesterIpv4 = {198, 18, 0, 1};
inline constexpr Ipv4Address kReflectorIpv4 = {198, 18, 0, 2};
inline constexpr Ipv6Address kTesterIpv6 = {0x20, 0x01, 0x00, 0x02, 0, 0, 0, 0,
                                            0,    0,    0,    0,    0, 0, 0, 1};
inline constexpr Ipv6Address kReflectorIpv6 = {0x20, 0x01, 0x00, 0x02, 0, 0, 0, 0,
                                               0,    0,    0,    0,    0, 0, 0, 2};
inline constexpr uint16_t kTesterPort = 49152;

// The config a reflector at kReflectorMac uses by default (SPEC §6 defaults), as stated and as
// compiled.
FilterConfig DefaultTestFilter();
rf_config DefaultTestConfig();

class FrameBuilder {
 public:
  FrameBuilder();

  FrameBuilder& DstMac(const MacAddress& mac);
  FrameBuilder& SrcMac(const MacAddress& mac);
  // Appends a tag after the ones already added (the first call is the outer tag).
  FrameBuilder& Vlan(uint16_t tci, uint16_t tpid = 0x8100);
  // Replaces the EtherType that follows the tags (default: from the IP version).
  FrameBuilder& EtherType(uint16_t ethertype);

  FrameBuilder& Ipv4(const Ipv4Address& src, const Ipv4Address& dst);
  FrameBuilder& Ipv6(const Ipv6Address& src, const Ipv6Address& dst);
  // IPv4 options; zero-padded to a multiple of 4 bytes (at most 40).
  FrameBuilder& Ipv4Options(std::vector<uint8_t> options);
  FrameBuilder& Ttl(uint8_t ttl);          // IPv4 TTL or IPv6 hop limit
  FrameBuilder& Dscp(uint8_t tos);         // IPv4 TOS byte or IPv6 traffic class
  FrameBuilder& IpId(uint16_t id);         // IPv4 only
  FrameBuilder& FragmentField(uint16_t flags_and_offset);  // IPv4 bytes 6-7
  FrameBuilder& IpProtocol(uint8_t protocol);  // IPv4 protocol / IPv6 next header

  FrameBuilder& Ports(uint16_t src, uint16_t dst);
  // ITO payload: a 5-byte vendor header, the 7-byte signature, then `trailer` bytes.
  FrameBuilder& Ito(absl::string_view signature = "PROBEOT", size_t trailer = 8);
  // Custom payload: the 7-byte signature at offset 0, then `trailer` bytes.
  FrameBuilder& Custom(absl::string_view signature = "RFC2544", size_t trailer = 8);
  FrameBuilder& Payload(std::vector<uint8_t> payload);
  // Grows the UDP payload so that the whole frame (without padding) has `bytes` bytes.
  FrameBuilder& FrameSize(size_t bytes);
  // Ethernet padding: zero bytes after the IP packet until the frame has `bytes` (default 60).
  FrameBuilder& PadTo(size_t bytes);
  FrameBuilder& UdpChecksum(bool enabled);

  // Overrides for malformed frames; the checksums are computed over the bytes as written.
  FrameBuilder& IpVersion(uint8_t version);
  FrameBuilder& Ihl(uint8_t ihl_words);
  FrameBuilder& IpTotalLength(uint16_t bytes);     // IPv4 total length
  FrameBuilder& Ipv6PayloadLength(uint16_t bytes);
  FrameBuilder& UdpLength(uint16_t bytes);

  std::vector<uint8_t> Build() const;

  // The frame a correct reflector sends back for this one in `mode` (SPEC §4), built from
  // swapped fields rather than by running the reflector, so it can serve as an oracle. With
  // `tos_handshake`, an IPv4 frame's ToS bit 0 is toggled in modes mac-ip and all.
  FrameBuilder Reflected(Mode mode, bool tos_handshake = false) const;

  size_t l3_offset() const { return 14 + 4 * tags_.size(); }
  size_t l4_offset() const;

 private:
  struct Tag {
    uint16_t tpid;
    uint16_t tci;
  };

  MacAddress dst_mac_ = kReflectorMac;
  MacAddress src_mac_ = kTesterMac;
  std::vector<Tag> tags_;
  std::optional<uint16_t> ethertype_;
  bool ipv6_ = false;
  Ipv4Address src4_ = kTesterIpv4;
  Ipv4Address dst4_ = kReflectorIpv4;
  Ipv6Address src6_ = kTesterIpv6;
  Ipv6Address dst6_ = kReflectorIpv6;
  std::vector<uint8_t> ip_options_;
  uint8_t ttl_ = 64;
  uint8_t tos_ = 0;
  uint16_t ip_id_ = 0x1234;
  uint16_t fragment_ = 0x4000;  // DF
  uint8_t protocol_ = 17;
  uint16_t src_port_ = kTesterPort;
  uint16_t dst_port_ = RF_DEFAULT_PORT;
  std::vector<uint8_t> payload_;
  size_t pad_to_ = 60;
  bool udp_checksum_ = true;
  std::optional<uint8_t> version_;
  std::optional<uint8_t> ihl_;
  std::optional<uint16_t> total_length_;
  std::optional<uint16_t> ipv6_payload_length_;
  std::optional<uint16_t> udp_length_;
};

// One's-complement checks used by tests and fuzzers: true when the stored checksum verifies.
bool Ipv4HeaderChecksumValid(absl::Span<const uint8_t> frame, size_t l3_offset);
// Verifies the UDP checksum of the packet at l3/l4 (IPv4 or IPv6); a zero IPv4 UDP checksum
// ("none") counts as valid.
bool UdpChecksumValid(absl::Span<const uint8_t> frame, size_t l3_offset, size_t l4_offset,
                      int ip_version);

// "0000: 02 00 5e ..." dump, and a readable first difference between two frames.
std::string HexDump(absl::Span<const uint8_t> frame);
std::string DescribeDifference(absl::Span<const uint8_t> expected,
                               absl::Span<const uint8_t> actual);

}  // namespace reflector::packet::testing

#endif  // REFLECTOR_PACKET_TESTING_FRAME_BUILDER_H_
