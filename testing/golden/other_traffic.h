// Frames of ordinary LAN traffic, built field by field, for the mixed-traffic fixture: what a
// reflector on a production network sees besides test frames and must never send back.
// (The packet library's FrameBuilder always writes a UDP header; these need ARP, ICMP, TCP,
// ICMPv6 and LLDP.) Checksums are complete; frames are padded to 60 bytes like on the wire.
#ifndef REFLECTOR_TESTING_GOLDEN_OTHER_TRAFFIC_H_
#define REFLECTOR_TESTING_GOLDEN_OTHER_TRAFFIC_H_

#include <cstdint>
#include <vector>

#include "absl/strings/string_view.h"
#include "reflector/packet/config.h"
#include "reflector/packet/testing/frame_builder.h"

namespace reflector::testing::golden {

using Frame = std::vector<uint8_t>;
using packet::MacAddress;
using packet::testing::Ipv4Address;
using packet::testing::Ipv6Address;

struct Host {
  MacAddress mac;
  Ipv4Address ipv4;
  Ipv6Address ipv6;
};

enum TcpFlags : uint8_t { kFin = 0x01, kSyn = 0x02, kRst = 0x04, kPsh = 0x08, kAck = 0x10 };

Frame ArpRequest(const Host& from, const Ipv4Address& target);
Frame ArpReply(const Host& from, const Host& to);
Frame IcmpEcho(const Host& from, const Host& to, bool reply, uint16_t id, uint16_t sequence);
Frame TcpSegment(const Host& from, const Host& to, uint16_t src_port, uint16_t dst_port,
                 uint32_t sequence, uint32_t ack, uint8_t flags);
// To the target's solicited-node multicast group, as a host resolving `target` sends it.
Frame NeighborSolicitation(const Host& from, const Ipv6Address& target);
Frame NeighborAdvertisement(const Host& from, const Host& to);
// To the nearest-bridge group 01:80:c2:00:00:0e with chassis, port, TTL and system name.
Frame Lldp(const MacAddress& from, absl::string_view system_name);
// A DNS query (A record) or its answer, over UDP port 53.
Frame DnsQuery(const Host& from, const Host& to, absl::string_view name, uint16_t id);
Frame DnsAnswer(const Host& from, const Host& to, absl::string_view name, uint16_t id,
                const Ipv4Address& answer);

}  // namespace reflector::testing::golden

#endif  // REFLECTOR_TESTING_GOLDEN_OTHER_TRAFFIC_H_
