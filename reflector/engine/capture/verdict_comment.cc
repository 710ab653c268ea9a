#include "reflector/engine/capture/verdict_comment.h"

#include <arpa/inet.h>

#include <algorithm>
#include <optional>
#include <set>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "reflector/packet/packet.h"

namespace reflector::engine::capture {
namespace {

// What the comment can show of a frame, each part only if the frame holds it.
struct FrameFacts {
  std::optional<packet::MacAddress> dst, src;
  std::vector<uint16_t> vlans;  // outer first
  std::optional<uint16_t> ethertype;
  int ip_version = 0;
  std::string src_ip, dst_ip;
  std::optional<uint8_t> protocol;
  std::optional<uint16_t> src_port, dst_port;
  absl::Span<const uint8_t> payload;  // UDP payload, as far as captured
};

uint16_t Read16(absl::Span<const uint8_t> f, size_t at) {
  return static_cast<uint16_t>((f[at] << 8) | f[at + 1]);
}

std::string Ip(int family, const uint8_t* bytes) {
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(family, bytes, text, sizeof(text));
  return text;
}

FrameFacts ReadFacts(absl::Span<const uint8_t> f) {
  FrameFacts facts;
  if (f.size() < RF_ETH_HLEN) return facts;
  facts.dst.emplace();
  facts.src.emplace();
  std::copy_n(f.begin(), RF_ETH_ALEN, facts.dst->begin());
  std::copy_n(f.begin() + RF_ETH_ALEN, RF_ETH_ALEN, facts.src->begin());
  size_t at = 12;
  uint16_t type = Read16(f, at);
  while ((type == RF_ETHERTYPE_VLAN || type == RF_ETHERTYPE_QINQ) && facts.vlans.size() < 3 &&
         at + 6 <= f.size()) {
    facts.vlans.push_back(Read16(f, at + 2) & 0x0FFF);
    at += 4;
    type = Read16(f, at);
  }
  facts.ethertype = type;
  at += 2;
  size_t l4 = 0;
  if (type == RF_ETHERTYPE_IPV4 && at + RF_IPV4_MIN_HLEN <= f.size()) {
    facts.ip_version = 4;
    facts.protocol = f[at + 9];
    facts.src_ip = Ip(AF_INET, &f[at + 12]);
    facts.dst_ip = Ip(AF_INET, &f[at + 16]);
    l4 = at + (f[at] & 0x0F) * 4u;
  } else if (type == RF_ETHERTYPE_IPV6 && at + RF_IPV6_HLEN <= f.size()) {
    facts.ip_version = 6;
    facts.protocol = f[at + 6];
    facts.src_ip = Ip(AF_INET6, &f[at + 8]);
    facts.dst_ip = Ip(AF_INET6, &f[at + 24]);
    l4 = at + RF_IPV6_HLEN;
  }
  if (facts.protocol == RF_IPPROTO_UDP && l4 + RF_UDP_HLEN <= f.size()) {
    facts.src_port = Read16(f, l4);
    facts.dst_port = Read16(f, l4 + 2);
    facts.payload = f.subspan(l4 + RF_UDP_HLEN);
  }
  return facts;
}

std::string Oui(const packet::MacAddress& mac) {
  return absl::StrFormat("%02x:%02x:%02x", mac[0], mac[1], mac[2]);
}

// The first bytes of the payload: printable ASCII as is, the rest as '.'.
std::string PayloadStart(absl::Span<const uint8_t> payload) {
  std::string text;
  for (size_t i = 0; i < payload.size() && i < 16; ++i) {
    text.push_back(payload[i] >= 0x20 && payload[i] < 0x7F && payload[i] != '"'
                       ? static_cast<char>(payload[i])
                       : '.');
  }
  return text;
}

// Everything the rules accept for one field, without repeats, in rule order.
template <typename F>
std::string RulesWant(const packet::CompiledConfig& config, F describe) {
  std::vector<std::string> wanted;
  for (const packet::Rule& rule : config.rules) {
    for (std::string& text : describe(rule)) {
      if (std::find(wanted.begin(), wanted.end(), text) == wanted.end()) {
        wanted.push_back(std::move(text));
      }
    }
  }
  return wanted.empty() ? "any" : absl::StrJoin(wanted, ",");
}

std::string Details(packet::Verdict verdict, const FrameFacts& facts,
                    const packet::CompiledConfig& config, size_t length) {
  using packet::Verdict;
  switch (verdict) {
    case Verdict::kTooShort:
      return absl::StrCat(length, " bytes captured");
    case Verdict::kDstMac: {
      packet::MacAddress own;
      std::copy_n(config.wire.if_mac, RF_ETH_ALEN, own.begin());
      return facts.dst ? absl::StrCat("dst ", packet::FormatMac(*facts.dst), ", interface ",
                                      packet::FormatMac(own))
                       : "";
    }
    case Verdict::kSrcMac:
      return facts.src ? absl::StrCat("src ", packet::FormatMac(*facts.src)) : "";
    case Verdict::kVlan:
      return absl::StrCat(facts.vlans.size(), facts.vlans.size() == 1 ? " tag" : " tags");
    case Verdict::kEthertype:
      return facts.ethertype ? absl::StrFormat("ethertype 0x%04x", *facts.ethertype) : "";
    case Verdict::kProtocol:
      return facts.protocol ? absl::StrCat("IP protocol ", *facts.protocol) : "";
    case Verdict::kSrcIp:
    case Verdict::kIpHeader:
    case Verdict::kFragment:
    case Verdict::kUdpHeader:
      return facts.ip_version
                 ? absl::StrCat("IPv", facts.ip_version, " ", facts.src_ip, " > ", facts.dst_ip)
                 : "";
    case Verdict::kVlanId:
      return facts.vlans.empty()
                 ? "untagged"
                 : absl::StrCat("vlan ", absl::StrJoin(facts.vlans, "."));
    case Verdict::kAddress:
      return absl::StrCat("dst ", facts.dst_ip, ", rules want ",
                          RulesWant(config, [](const packet::Rule& rule) {
                            std::vector<std::string> out;
                            for (const auto& p : rule.dst_prefixes) {
                              out.push_back(packet::FormatPrefix(p));
                            }
                            if (out.empty()) out.push_back("any");
                            return out;
                          }));
    case Verdict::kPort:
      if (!facts.dst_port) return "";
      return absl::StrCat("dst port ", *facts.dst_port, ", rules want ",
                          RulesWant(config, [](const packet::Rule& rule) {
                            return std::vector<std::string>{packet::FormatPortRange(rule.dst_ports)};
                          }));
    case Verdict::kSignature:
      return facts.dst_port ? absl::StrCat("payload \"", PayloadStart(facts.payload), "\"") : "";
    case Verdict::kOui:
      if (!facts.src) return "";
      return absl::StrCat("src ", Oui(*facts.src), ", allowed ",
                          RulesWant(config, [](const packet::Rule& rule) {
                            std::vector<std::string> out;
                            if (rule.ouis.empty()) return out;
                            out.push_back(packet::FormatOuiList(rule.ouis));
                            return out;
                          }));
    case Verdict::kLoop:
      return facts.src ? absl::StrCat("came back already reflected, from ",
                                      packet::FormatMac(*facts.src))
                       : "";
    case Verdict::kLease:
      return "the lease ran out: nothing is reflected until SIGUSR2 renews it";
    case Verdict::kRateLimited:
      return "over a rate cap (rate_limit, source_rate_limit, or the rule's)";
    case Verdict::kNoRoom:
      return "the STAMP / TWAMP-Light answer is longer than the request and its buffer or the "
             "MTU has no room for it";
    case Verdict::kReflect:
      break;
  }
  return "";
}

}  // namespace

std::string VerdictComment(uint32_t verdict, uint32_t rule, absl::Span<const uint8_t> frame,
                           const packet::CompiledConfig& config) {
  if (verdict >= static_cast<uint32_t>(packet::kVerdictCount)) {
    return absl::StrCat("unknown verdict ", verdict);
  }
  const auto v = static_cast<packet::Verdict>(verdict);
  if (v == packet::Verdict::kReflect) {
    if (rule >= config.rules.size()) return absl::StrCat("reflected: rule ", rule);
    const packet::Rule& r = config.rules[rule];
    return absl::StrCat("reflected: rule ", r.name, ", mode ", packet::ModeName(r.mode),
                        r.tos_handshake && r.mode != packet::Mode::kMac ? ", tos handshake" : "");
  }
  const std::string details = Details(v, ReadFacts(frame), config, frame.size());
  return absl::StrCat("rejected: ", packet::VerdictName(v),
                      details.empty() ? "" : absl::StrCat(" (", details, ")"));
}

}  // namespace reflector::engine::capture
