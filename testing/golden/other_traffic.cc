#include "testing/golden/other_traffic.h"

#include "absl/strings/str_split.h"

namespace reflector::testing::golden {
namespace {

using packet::testing::FrameBuilder;

constexpr uint16_t kEtherIpv4 = 0x0800;
constexpr uint16_t kEtherArp = 0x0806;
constexpr uint16_t kEtherIpv6 = 0x86dd;
constexpr uint16_t kEtherLldp = 0x88cc;
constexpr uint8_t kIcmp = 1;
constexpr uint8_t kTcp = 6;
constexpr uint8_t kIcmpv6 = 58;
constexpr uint16_t kDnsPort = 53;
constexpr size_t kMinimumFrame = 60;

constexpr MacAddress kBroadcast = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
constexpr MacAddress kLldpNearestBridge = {0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e};

class Writer {
 public:
  Writer& U8(uint8_t v) {
    bytes_.push_back(v);
    return *this;
  }
  Writer& U16(uint16_t v) { return U8(static_cast<uint8_t>(v >> 8)).U8(static_cast<uint8_t>(v)); }
  Writer& U32(uint32_t v) {
    return U16(static_cast<uint16_t>(v >> 16)).U16(static_cast<uint16_t>(v));
  }
  template <typename Bytes>
  Writer& Append(const Bytes& bytes) {
    bytes_.insert(bytes_.end(), std::begin(bytes), std::end(bytes));
    return *this;
  }
  void Put16(size_t offset, uint16_t v) {
    bytes_[offset] = static_cast<uint8_t>(v >> 8);
    bytes_[offset + 1] = static_cast<uint8_t>(v);
  }
  size_t size() const { return bytes_.size(); }
  const Frame& bytes() const { return bytes_; }
  Frame Take() { return std::move(bytes_); }

 private:
  Frame bytes_;
};

uint32_t Sum16(const Frame& bytes, size_t begin, size_t end, uint32_t sum = 0) {
  for (size_t i = begin; i < end; i += 2) {
    sum += static_cast<uint32_t>(bytes[i] << 8 | (i + 1 < end ? bytes[i + 1] : 0));
  }
  return sum;
}

uint16_t Finish(uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

Frame Pad(Frame frame) {
  if (frame.size() < kMinimumFrame) frame.resize(kMinimumFrame, 0);
  return frame;
}

Writer Ethernet(const MacAddress& dst, const MacAddress& src, uint16_t ethertype) {
  Writer w;
  w.Append(dst).Append(src).U16(ethertype);
  return w;
}

// Ethernet + IPv4 (no options, DF, TTL 64) + `l4`, whose checksum at `l4_checksum` (an offset
// into l4) covers the pseudo-header when `pseudo_header` is set (TCP), or l4 only (ICMP).
Frame Ipv4Packet(const Host& from, const Host& to, uint8_t protocol, Frame l4,
                 size_t l4_checksum, bool pseudo_header) {
  Writer w = Ethernet(to.mac, from.mac, kEtherIpv4);
  const size_t l3 = w.size();
  w.U8(0x45).U8(0).U16(static_cast<uint16_t>(20 + l4.size())).U16(0x4d2e).U16(0x4000);
  w.U8(64).U8(protocol).U16(0).Append(from.ipv4).Append(to.ipv4);
  w.Put16(l3 + 10, Finish(Sum16(w.bytes(), l3, l3 + 20)));
  uint32_t sum = 0;
  if (pseudo_header) {
    sum = Sum16(w.bytes(), l3 + 12, l3 + 20) + protocol + static_cast<uint32_t>(l4.size());
  }
  const uint16_t checksum = Finish(Sum16(l4, 0, l4.size(), sum));
  l4[l4_checksum] = static_cast<uint8_t>(checksum >> 8);
  l4[l4_checksum + 1] = static_cast<uint8_t>(checksum);
  w.Append(l4);
  return Pad(w.Take());
}

// Ethernet + IPv6 (hop limit 255, as neighbour discovery requires) + an ICMPv6 message.
Frame Icmpv6Packet(const MacAddress& dst_mac, const Host& from, const Ipv6Address& dst, Frame icmp) {
  Writer w = Ethernet(dst_mac, from.mac, kEtherIpv6);
  const size_t l3 = w.size();
  w.U32(0x60000000).U16(static_cast<uint16_t>(icmp.size())).U8(kIcmpv6).U8(255);
  w.Append(from.ipv6).Append(dst);
  const uint32_t pseudo =
      Sum16(w.bytes(), l3 + 8, l3 + 40) + static_cast<uint32_t>(icmp.size()) + kIcmpv6;
  const uint16_t checksum = Finish(Sum16(icmp, 0, icmp.size(), pseudo));
  icmp[2] = static_cast<uint8_t>(checksum >> 8);
  icmp[3] = static_cast<uint8_t>(checksum);
  w.Append(icmp);
  return Pad(w.Take());
}

Frame ArpMessage(uint16_t operation, const MacAddress& dst, const Host& from,
                 const MacAddress& target_mac, const Ipv4Address& target_ip) {
  Writer w = Ethernet(dst, from.mac, kEtherArp);
  w.U16(1).U16(kEtherIpv4).U8(6).U8(4).U16(operation);
  w.Append(from.mac).Append(from.ipv4).Append(target_mac).Append(target_ip);
  return Pad(w.Take());
}

Frame DnsMessage(const Host& from, const Host& to, uint16_t src_port, uint16_t dst_port,
                 absl::string_view name, uint16_t id, const Ipv4Address* answer) {
  Writer dns;
  dns.U16(id).U16(answer ? 0x8180 : 0x0100).U16(1).U16(answer ? 1 : 0).U16(0).U16(0);
  for (absl::string_view label : absl::StrSplit(name, '.')) {
    dns.U8(static_cast<uint8_t>(label.size())).Append(label);
  }
  dns.U8(0).U16(1).U16(1);  // type A, class IN
  if (answer != nullptr) {
    dns.U16(0xc00c).U16(1).U16(1).U32(300).U16(4).Append(*answer);  // name: pointer to the query
  }
  FrameBuilder builder;
  builder.DstMac(to.mac).SrcMac(from.mac).Ipv4(from.ipv4, to.ipv4).Ports(src_port, dst_port);
  builder.Payload(dns.Take());
  return builder.Build();
}

}  // namespace

Frame ArpRequest(const Host& from, const Ipv4Address& target) {
  return ArpMessage(1, kBroadcast, from, MacAddress{}, target);
}

Frame ArpReply(const Host& from, const Host& to) {
  return ArpMessage(2, to.mac, from, to.mac, to.ipv4);
}

Frame IcmpEcho(const Host& from, const Host& to, bool reply, uint16_t id, uint16_t sequence) {
  Writer icmp;
  icmp.U8(reply ? 0 : 8).U8(0).U16(0).U16(id).U16(sequence);
  for (uint8_t i = 0; i < 32; ++i) icmp.U8(static_cast<uint8_t>('a' + i % 23));
  return Ipv4Packet(from, to, kIcmp, icmp.Take(), 2, /*pseudo_header=*/false);
}

Frame TcpSegment(const Host& from, const Host& to, uint16_t src_port, uint16_t dst_port,
                 uint32_t sequence, uint32_t ack, uint8_t flags) {
  Writer tcp;
  tcp.U16(src_port).U16(dst_port).U32(sequence).U32(ack);
  const bool syn = flags & kSyn;
  tcp.U8(syn ? 0x60 : 0x50).U8(flags).U16(64240).U16(0).U16(0);  // offset, window, sum, urgent
  if (syn) tcp.U8(2).U8(4).U16(1460);                                // MSS option
  return Ipv4Packet(from, to, kTcp, tcp.Take(), 16, /*pseudo_header=*/true);
}

Frame NeighborSolicitation(const Host& from, const Ipv6Address& target) {
  Ipv6Address group = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff,
                       target[13], target[14], target[15]};
  const MacAddress group_mac = {0x33, 0x33, 0xff, target[13], target[14], target[15]};
  Writer icmp;
  icmp.U8(135).U8(0).U16(0).U32(0).Append(target);
  icmp.U8(1).U8(1).Append(from.mac);  // source link-layer address option
  return Icmpv6Packet(group_mac, from, group, icmp.Take());
}

Frame NeighborAdvertisement(const Host& from, const Host& to) {
  Writer icmp;
  icmp.U8(136).U8(0).U16(0).U32(0x60000000).Append(from.ipv6);  // solicited, override
  icmp.U8(2).U8(1).Append(from.mac);  // target link-layer address option
  return Icmpv6Packet(to.mac, from, to.ipv6, icmp.Take());
}

Frame Lldp(const MacAddress& from, absl::string_view system_name) {
  Writer w = Ethernet(kLldpNearestBridge, from, kEtherLldp);
  const auto tlv = [&w](uint8_t type, size_t length) {
    w.U16(static_cast<uint16_t>(type << 9 | length));
  };
  tlv(1, 7);
  w.U8(4).Append(from);  // chassis ID: MAC address
  tlv(2, 6);
  w.U8(7).Append(absl::string_view("ge-0/1"));  // port ID: local name
  tlv(3, 2);
  w.U16(120);  // TTL
  tlv(5, system_name.size());
  w.Append(system_name);
  tlv(0, 0);  // end of LLDPDU
  return Pad(w.Take());
}

Frame DnsQuery(const Host& from, const Host& to, absl::string_view name, uint16_t id) {
  return DnsMessage(from, to, 53053, kDnsPort, name, id, nullptr);
}

Frame DnsAnswer(const Host& from, const Host& to, absl::string_view name, uint16_t id,
                const Ipv4Address& answer) {
  return DnsMessage(from, to, kDnsPort, 53053, name, id, &answer);
}

}  // namespace reflector::testing::golden
