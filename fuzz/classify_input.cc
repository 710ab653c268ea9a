#include "fuzz/classify_input.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "reflector/packet/testing/frame_builder.h"

namespace reflector::fuzz {
namespace {

using packet::Oui;

std::optional<Oui> FrameSourceOui(absl::Span<const uint8_t> frame) {
  if (frame.size() < 2 * RF_ETH_ALEN) return std::nullopt;
  return Oui{frame[6], frame[7], frame[8]};
}

// 16 locally administered OUIs; `last` (if any) replaces the final one.
std::vector<Oui> FullOuiList(std::optional<Oui> last) {
  std::vector<Oui> ouis;
  for (uint8_t i = 0; i < RF_MAX_OUIS; ++i) ouis.push_back(Oui{0x02, 0xf0, i});
  if (last.has_value()) ouis.back() = *last;
  return ouis;
}

}  // namespace

std::optional<ClassifyInput> DecodeClassifyInput(absl::Span<const uint8_t> data) {
  if (data.size() < kClassifyHeaderBytes) return std::nullopt;
  const uint8_t flags = data[0];
  const uint8_t sigs = data[1];
  const absl::Span<const uint8_t> frame = data.subspan(kClassifyHeaderBytes);

  packet::FilterConfig config;
  config.dst_mac_filter = flags & 0x01;
  config.vlan = flags & 0x02;
  config.ipv6 = flags & 0x04;
  config.mode = packet::kAllModes[((flags >> 3) & 3) % 3];
  const std::optional<Oui> frame_oui = FrameSourceOui(frame);
  switch (static_cast<OuiChoice>((flags >> 5) & 3)) {
    case OuiChoice::kAny:
      config.ouis.clear();
      break;
    case OuiChoice::kNetAlly:
      config.ouis = {packet::kNetAllyOui};
      break;
    case OuiChoice::kFullEndingWithFrameOui:
      config.ouis = FullOuiList(frame_oui);
      break;
    case OuiChoice::kFullWithoutFrameOui:
      config.ouis = FullOuiList(std::nullopt);
      break;
  }
  config.interface_mac = packet::testing::kReflectorMac;
  if ((flags & 0x80) && frame.size() >= RF_ETH_ALEN) {
    std::copy(frame.begin(), frame.begin() + RF_ETH_ALEN, config.interface_mac.begin());
  }
  config.signatures = sigs & RF_SIGS_ALL;
  switch ((sigs >> 5) & 3) {
    case static_cast<int>(PortChoice::kAny):
      config.port = 0;
      break;
    case static_cast<int>(PortChoice::kDefault):
      config.port = RF_DEFAULT_PORT;
      break;
    default:
      config.port = static_cast<uint16_t>((data[2] << 8) | data[3]);
      break;
  }
  absl::StatusOr<rf_config> wire = packet::ToWire(config);
  if (!wire.ok()) return std::nullopt;
  return ClassifyInput{*wire, frame};
}

std::vector<uint8_t> EncodeClassifyInput(const rf_config& config, absl::Span<const uint8_t> frame) {
  uint8_t flags = config.flags & (RF_CFG_DST_MAC_FILTER | RF_CFG_VLAN | RF_CFG_IPV6);
  flags |= static_cast<uint8_t>((config.mode % 3) << 3);

  OuiChoice oui = OuiChoice::kFullWithoutFrameOui;
  const std::optional<Oui> frame_oui = FrameSourceOui(frame);
  const auto listed = [&config](const Oui& wanted) {
    for (int i = 0; i < config.oui_count && i < RF_MAX_OUIS; ++i) {
      if (std::memcmp(config.ouis[i], wanted.data(), 3) == 0) return true;
    }
    return false;
  };
  if (config.oui_count == 0) {
    oui = OuiChoice::kAny;
  } else if (config.oui_count == 1 && listed(packet::kNetAllyOui)) {
    oui = OuiChoice::kNetAlly;
  } else if (frame_oui.has_value() && listed(*frame_oui)) {
    oui = OuiChoice::kFullEndingWithFrameOui;
  }
  flags |= static_cast<uint8_t>(static_cast<uint8_t>(oui) << 5);
  if (std::memcmp(config.if_mac, packet::testing::kReflectorMac.data(), RF_ETH_ALEN) != 0) {
    flags |= 0x80;  // the nearest expressible choice: the frame's own dst MAC
  }

  PortChoice port = PortChoice::kExplicit;
  if (config.port == 0) port = PortChoice::kAny;
  if (config.port == RF_DEFAULT_PORT) port = PortChoice::kDefault;
  const uint8_t sigs =
      static_cast<uint8_t>((config.signatures & RF_SIGS_ALL) | (static_cast<uint8_t>(port) << 5));

  // One buffer of its final size, the header then the frame. (Growing a 4-byte vector by the
  // frame instead made gcc 12 -O2 see a copy from offset 4 of a 4-byte block: issue 20.)
  const std::array<uint8_t, kClassifyHeaderBytes> header = {
      flags, sigs, static_cast<uint8_t>(config.port >> 8),
      static_cast<uint8_t>(config.port & 0xff)};
  std::vector<uint8_t> input(header.size() + frame.size());
  std::copy(header.begin(), header.end(), input.begin());
  std::copy(frame.begin(), frame.end(), input.begin() + header.size());
  return input;
}

}  // namespace reflector::fuzz
