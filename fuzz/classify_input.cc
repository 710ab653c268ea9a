#include "fuzz/classify_input.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "reflector/packet/testing/frame_builder.h"

namespace reflector::fuzz {
namespace {

using packet::IpPrefix;
using packet::Oui;
using packet::PortRange;
using packet::Rule;

// Reads bytes from the front; past the end it reads zeros.
class ByteReader {
 public:
  explicit ByteReader(absl::Span<const uint8_t> bytes) : bytes_(bytes) {}
  uint8_t Byte() { return next_ < bytes_.size() ? bytes_[next_++] : 0; }
  uint16_t Be16() {
    const uint16_t high = Byte();
    return static_cast<uint16_t>((high << 8) | Byte());
  }

 private:
  absl::Span<const uint8_t> bytes_;
  size_t next_ = 0;
};

class ByteWriter {
 public:
  void Byte(uint8_t value) { bytes_.push_back(value); }
  void Be16(uint16_t value) {
    Byte(static_cast<uint8_t>(value >> 8));
    Byte(static_cast<uint8_t>(value));
  }
  std::vector<uint8_t>& bytes() { return bytes_; }

 private:
  std::vector<uint8_t> bytes_;
};

// What the "from the frame" choices take from a frame, read where a well-formed frame has it
// (no validation: a mutated frame just gives other values).
struct FrameFields {
  std::optional<Oui> src_oui;
  int tags = 0;
  uint16_t outer_vid = 0;
  uint16_t inner_vid = 0;
  int ip_version = 0;  // 0: neither
  std::array<uint8_t, 16> src = {};
  std::array<uint8_t, 16> dst = {};
  uint16_t src_port = 0;
  uint16_t dst_port = 0;
  absl::Span<const uint8_t> payload;  // the UDP payload, cut at the frame's end
};

uint16_t Be16At(absl::Span<const uint8_t> frame, size_t at) {
  return static_cast<uint16_t>((frame[at] << 8) | frame[at + 1]);
}

FrameFields ReadFrameFields(absl::Span<const uint8_t> frame) {
  FrameFields f;
  if (frame.size() >= 2 * RF_ETH_ALEN) f.src_oui = Oui{frame[6], frame[7], frame[8]};
  size_t type_at = 2 * RF_ETH_ALEN;
  uint16_t type = 0;
  while (frame.size() >= type_at + 2) {
    type = Be16At(frame, type_at);
    if ((type != RF_ETHERTYPE_VLAN && type != RF_ETHERTYPE_QINQ) || f.tags == RF_MAX_VLAN_TAGS ||
        frame.size() < type_at + RF_VLAN_HLEN) {
      break;
    }
    (f.tags == 0 ? f.outer_vid : f.inner_vid) = Be16At(frame, type_at + 2) & 0x0fff;
    ++f.tags;
    type_at += RF_VLAN_HLEN;
  }
  const size_t l3 = type_at + 2;
  size_t l4 = 0;
  if (type == RF_ETHERTYPE_IPV4 && frame.size() >= l3 + RF_IPV4_MIN_HLEN) {
    f.ip_version = 4;
    std::copy_n(frame.begin() + l3 + 12, 4, f.src.begin());
    std::copy_n(frame.begin() + l3 + 16, 4, f.dst.begin());
    l4 = l3 + (frame[l3] & 0x0f) * 4u;
  } else if (type == RF_ETHERTYPE_IPV6 && frame.size() >= l3 + RF_IPV6_HLEN) {
    f.ip_version = 6;
    std::copy_n(frame.begin() + l3 + 8, 16, f.src.begin());
    std::copy_n(frame.begin() + l3 + 24, 16, f.dst.begin());
    l4 = l3 + RF_IPV6_HLEN;
  }
  if (l4 != 0 && frame.size() >= l4 + RF_UDP_HLEN) {
    f.src_port = Be16At(frame, l4);
    f.dst_port = Be16At(frame, l4 + 2);
    const size_t udp_length = std::max<size_t>(Be16At(frame, l4 + 4), RF_UDP_HLEN);
    const size_t end = std::min(frame.size(), l4 + udp_length);
    f.payload = frame.subspan(l4 + RF_UDP_HLEN, end - (l4 + RF_UDP_HLEN));
  }
  return f;
}

// 16 locally administered OUIs; `last` (if any) replaces the final one.
std::vector<Oui> FullOuiList(std::optional<Oui> last) {
  std::vector<Oui> ouis;
  for (uint8_t i = 0; i < RF_MAX_OUIS; ++i) ouis.push_back(Oui{0x02, 0xf0, i});
  if (last.has_value()) ouis.back() = *last;
  return ouis;
}

IpPrefix ReadPrefix(ByteReader& in, const FrameFields& frame) {
  const uint8_t p0 = in.Byte();
  IpPrefix prefix;
  prefix.version = (p0 & 0x80) ? 6 : 4;
  const int bytes = prefix.version == 4 ? 4 : 16;
  prefix.length = in.Byte() % (8 * bytes + 1);
  if (p0 & 0x40) {
    const std::array<uint8_t, 16>& address = (p0 & 0x20) ? frame.dst : frame.src;
    std::copy_n(address.begin(), bytes, prefix.addr.begin());
  } else {
    for (int b = 0; b < bytes; ++b) prefix.addr[b] = in.Byte();
  }
  return prefix;
}

void WritePrefix(ByteWriter& out, const IpPrefix& prefix) {
  out.Byte(prefix.version == 6 ? 0x80 : 0);
  out.Byte(static_cast<uint8_t>(prefix.length));
  for (int b = 0; b < (prefix.version == 4 ? 4 : 16); ++b) out.Byte(prefix.addr[b]);
}

PortRange ReadPorts(ByteReader& in) {
  PortRange ports;
  ports.min = in.Be16();
  ports.max = in.Be16();
  if (ports.min > ports.max) std::swap(ports.min, ports.max);
  return ports;
}

Rule ReadRule(ByteReader& in, const FrameFields& frame, int index) {
  const uint8_t r0 = in.Byte();
  const uint8_t r1 = in.Byte();
  const bool from_frame = r1 & 0x80;
  Rule rule;
  rule.name = absl::StrCat("r", index);
  rule.mode = packet::kAllModes[(r1 & 3) % 3];
  rule.tos_handshake = r1 & 0x04;
  static constexpr int kVersions[] = {0, 4, 6, 0};
  rule.ip_version = ((r1 >> 3) & 3) == 3 ? frame.ip_version : kVersions[(r1 >> 3) & 3];
  if (r0 & 0x01) rule.vlan = from_frame ? frame.outer_vid : in.Be16() % 4096;
  if (r0 & 0x02) rule.inner_vlan = from_frame ? frame.inner_vid : in.Be16() % 4096;
  rule.untagged = (r0 & 0x04) && !rule.vlan.has_value() && !rule.inner_vlan.has_value();
  if (r0 & 0x08) rule.dst_ports = from_frame ? PortRange{frame.dst_port, frame.dst_port} : ReadPorts(in);
  if (r0 & 0x10) rule.src_ports = from_frame ? PortRange{frame.src_port, frame.src_port} : ReadPorts(in);
  if (r0 & 0x20) {
    if (from_frame) {
      if (frame.src_oui.has_value()) rule.ouis = {*frame.src_oui};
    } else {
      for (int n = in.Byte() % 4; n > 0; --n) {
        const uint8_t a = in.Byte();
        const uint8_t b = in.Byte();
        rule.ouis.push_back(Oui{a, b, in.Byte()});
      }
    }
  }
  if (r0 & 0x40) {
    for (int n = in.Byte() % 3; n > 0; --n) rule.dst_prefixes.push_back(ReadPrefix(in, frame));
  }
  if (r0 & 0x80) {
    for (int n = in.Byte() % 3; n > 0; --n) rule.src_prefixes.push_back(ReadPrefix(in, frame));
  }
  if (r1 & 0x20) {
    const size_t length = 1 + in.Byte() % RF_PATTERN_LEN;
    const uint16_t offset = in.Be16();
    if (from_frame) {
      // Anywhere in the payload, so patterns also end near or past its end.
      rule.pattern.offset = static_cast<uint16_t>(
          offset % (std::min<size_t>(frame.payload.size(), RF_MAX_PATTERN_OFFSET) + 1));
      for (size_t b = 0; b < length; ++b) {
        const size_t at = rule.pattern.offset + b;
        rule.pattern.bytes.push_back(at < frame.payload.size() ? frame.payload[at] : 0);
      }
    } else {
      rule.pattern.offset = offset % (RF_MAX_PATTERN_OFFSET + 1);
      for (size_t b = 0; b < length; ++b) rule.pattern.bytes.push_back(in.Byte());
    }
    if (r1 & 0x40) {
      for (size_t b = 0; b < length; ++b) rule.pattern.mask.push_back(in.Byte());
    }
  }
  // Keep what ValidateRule would refuse out of the way, so few inputs are wasted on it.
  for (const std::vector<IpPrefix>* list : {&rule.dst_prefixes, &rule.src_prefixes}) {
    for (const IpPrefix& prefix : *list) {
      if (prefix.version != rule.ip_version) rule.ip_version = 0;
    }
  }
  if (rule.ip_version != 4 && rule.ip_version != 6) rule.ip_version = 0;
  if (rule.pattern.bytes.empty() && rule.dst_ports.any() && rule.dst_prefixes.empty()) {
    rule.dst_ports = PortRange{frame.dst_port, frame.dst_port};
  }
  return rule;
}

void WriteRule(ByteWriter& out, const Rule& rule) {
  uint8_t r0 = 0;
  if (rule.vlan.has_value()) r0 |= 0x01;
  if (rule.inner_vlan.has_value()) r0 |= 0x02;
  if (rule.untagged) r0 |= 0x04;
  if (!rule.dst_ports.any()) r0 |= 0x08;
  if (!rule.src_ports.any()) r0 |= 0x10;
  if (!rule.ouis.empty()) r0 |= 0x20;
  if (!rule.dst_prefixes.empty()) r0 |= 0x40;
  if (!rule.src_prefixes.empty()) r0 |= 0x80;
  uint8_t r1 = static_cast<uint8_t>(rule.mode);
  if (rule.tos_handshake) r1 |= 0x04;
  r1 |= static_cast<uint8_t>((rule.ip_version == 4 ? 1 : rule.ip_version == 6 ? 2 : 0) << 3);
  if (!rule.pattern.bytes.empty()) r1 |= 0x20;
  if (!rule.pattern.mask.empty()) r1 |= 0x40;
  out.Byte(r0);
  out.Byte(r1);
  if (rule.vlan.has_value()) out.Be16(*rule.vlan);
  if (rule.inner_vlan.has_value()) out.Be16(*rule.inner_vlan);
  for (const PortRange* ports : {&rule.dst_ports, &rule.src_ports}) {
    if (ports->any()) continue;
    out.Be16(ports->min);
    out.Be16(ports->max);
  }
  if (!rule.ouis.empty()) {
    out.Byte(static_cast<uint8_t>(rule.ouis.size()));
    for (const Oui& oui : rule.ouis) {
      for (uint8_t b : oui) out.Byte(b);
    }
  }
  for (const std::vector<IpPrefix>* list : {&rule.dst_prefixes, &rule.src_prefixes}) {
    if (list->empty()) continue;
    out.Byte(static_cast<uint8_t>(list->size()));
    for (const IpPrefix& prefix : *list) WritePrefix(out, prefix);
  }
  if (!rule.pattern.bytes.empty()) {
    out.Byte(static_cast<uint8_t>(rule.pattern.bytes.size() - 1));
    out.Be16(rule.pattern.offset);
    for (uint8_t b : rule.pattern.bytes) out.Byte(b);
    for (uint8_t b : rule.pattern.mask) out.Byte(b);
  }
}

// How many rules the profiles of `config` contribute.
size_t ProfileRuleCount(const packet::FilterConfig& config) {
  packet::FilterConfig profiles_only = config;
  profiles_only.rules.clear();
  absl::StatusOr<std::vector<Rule>> rules = packet::RuleTable(profiles_only);
  return rules.ok() ? rules->size() : 0;
}

}  // namespace

std::optional<packet::FilterConfig> DecodeFilterConfig(absl::Span<const uint8_t> config_bytes,
                                                       absl::Span<const uint8_t> frame) {
  ByteReader in(config_bytes);
  const FrameFields fields = ReadFrameFields(frame);
  const uint8_t c0 = in.Byte();
  const uint8_t c1 = in.Byte();
  const uint16_t port = in.Be16();
  const uint8_t c4 = in.Byte();
  const uint8_t rule_count = in.Byte() % (RF_MAX_RULES + 1);

  packet::FilterConfig config;
  config.dst_mac_filter = c0 & 0x01;
  config.vlan = c0 & 0x02;
  config.ipv6 = c0 & 0x04;
  config.mode = packet::kAllModes[((c0 >> 3) & 3) % 3];
  switch (static_cast<OuiChoice>((c0 >> 5) & 3)) {
    case OuiChoice::kAny:
      config.ouis.clear();
      break;
    case OuiChoice::kNetAlly:
      config.ouis = {packet::kNetAllyOui};
      break;
    case OuiChoice::kFullEndingWithFrameOui:
      config.ouis = FullOuiList(fields.src_oui);
      break;
    case OuiChoice::kFullWithoutFrameOui:
      config.ouis = FullOuiList(std::nullopt);
      break;
  }
  config.interface_mac = packet::testing::kReflectorMac;
  if ((c0 & 0x80) && frame.size() >= RF_ETH_ALEN) {
    std::copy(frame.begin(), frame.begin() + RF_ETH_ALEN, config.interface_mac.begin());
  }
  config.signatures = c1 & RF_SIGS_ALL;
  switch ((c1 >> 5) & 3) {
    case static_cast<int>(PortChoice::kAny):
      config.port = 0;
      break;
    case static_cast<int>(PortChoice::kDefault):
      config.port = RF_DEFAULT_PORT;
      break;
    default:
      config.port = port;
      break;
  }
  config.tos_handshake = !(c1 & 0x80);
  config.profiles = c4 & 0x0f;
  if (c4 & 0x10) config.loopback_ports = ReadPorts(in);
  for (int n = (c4 >> 5) & 3; n > 0; --n) {
    config.loopback_addresses.push_back(ReadPrefix(in, fields));
  }
  const size_t room = RF_MAX_RULES - ProfileRuleCount(config);
  for (size_t i = 0; i < std::min<size_t>(rule_count, room); ++i) {
    config.rules.push_back(ReadRule(in, fields, static_cast<int>(i)));
  }
  if (!packet::Compile(config).ok()) return std::nullopt;
  return config;
}

std::optional<ClassifyInput> DecodeClassifyInput(absl::Span<const uint8_t> data) {
  if (data.size() < 2) return std::nullopt;
  const size_t length = std::min<size_t>((data[0] << 8) | data[1], data.size() - 2);
  const absl::Span<const uint8_t> frame = data.subspan(2 + length);
  std::optional<packet::FilterConfig> filter = DecodeFilterConfig(data.subspan(2, length), frame);
  if (!filter.has_value()) return std::nullopt;
  absl::StatusOr<packet::CompiledConfig> compiled = packet::Compile(*filter);
  if (!compiled.ok()) return std::nullopt;
  return ClassifyInput{std::move(*filter), compiled->wire, frame};
}

std::vector<uint8_t> EncodeClassifyInput(const packet::FilterConfig& config,
                                         absl::Span<const uint8_t> frame) {
  ByteWriter out;
  uint8_t c0 = (config.dst_mac_filter ? 0x01 : 0) | (config.vlan ? 0x02 : 0) |
               (config.ipv6 ? 0x04 : 0);
  c0 |= static_cast<uint8_t>(static_cast<uint8_t>(config.mode) << 3);
  OuiChoice oui = OuiChoice::kFullWithoutFrameOui;
  const std::optional<Oui> frame_oui = ReadFrameFields(frame).src_oui;
  const auto listed = [&config](const Oui& wanted) {
    return std::find(config.ouis.begin(), config.ouis.end(), wanted) != config.ouis.end();
  };
  if (config.ouis.empty()) {
    oui = OuiChoice::kAny;
  } else if (config.ouis.size() == 1 && listed(packet::kNetAllyOui)) {
    oui = OuiChoice::kNetAlly;
  } else if (frame_oui.has_value() && listed(*frame_oui)) {
    oui = OuiChoice::kFullEndingWithFrameOui;
  }
  c0 |= static_cast<uint8_t>(static_cast<uint8_t>(oui) << 5);
  if (config.interface_mac != packet::testing::kReflectorMac) {
    c0 |= 0x80;  // the nearest expressible choice: the frame's own dst MAC
  }
  PortChoice port = PortChoice::kExplicit;
  if (config.port == 0) port = PortChoice::kAny;
  if (config.port == RF_DEFAULT_PORT) port = PortChoice::kDefault;
  const uint8_t c1 = static_cast<uint8_t>((config.signatures & RF_SIGS_ALL) |
                                          (static_cast<uint8_t>(port) << 5) |
                                          (config.tos_handshake ? 0 : 0x80));
  const uint8_t c4 = static_cast<uint8_t>(
      (config.profiles & 0x0f) | (config.loopback_ports.has_value() ? 0x10 : 0) |
      (std::min<size_t>(config.loopback_addresses.size(), 3) << 5));
  out.Be16(0);  // the config's length, set below
  out.Byte(c0);
  out.Byte(c1);
  out.Be16(config.port);
  out.Byte(c4);
  out.Byte(static_cast<uint8_t>(config.rules.size()));
  if (config.loopback_ports.has_value()) {
    out.Be16(config.loopback_ports->min);
    out.Be16(config.loopback_ports->max);
  }
  for (size_t i = 0; i < config.loopback_addresses.size() && i < 3; ++i) {
    WritePrefix(out, config.loopback_addresses[i]);
  }
  for (const Rule& rule : config.rules) WriteRule(out, rule);
  std::vector<uint8_t>& input = out.bytes();
  const size_t length = input.size() - 2;
  input[0] = static_cast<uint8_t>(length >> 8);
  input[1] = static_cast<uint8_t>(length);
  input.insert(input.end(), frame.begin(), frame.end());
  return input;
}

}  // namespace reflector::fuzz
