// The golden pcap fixtures (issue 5): what is replayed at a reflector and what must come
// back, stated with the frame builder so the files are regenerated, never edited.
//   * one fixture per config group of the packet library's frame table (every accepted shape
//     and every reject reason that fits a 1500-byte veth);
//   * "mixed_traffic": ARP, ICMP echo, a TCP handshake, DNS, IPv6 neighbour discovery,
//     multicast, broadcast and LLDP interleaved with test frames; only the test frames may
//     come back.
// The expected output depends on the mode, not on the data path (they share one classifier),
// so each fixture has one input and one expected output per mode, valid for all data paths.
#ifndef REFLECTOR_TESTING_GOLDEN_GOLDEN_FIXTURES_H_
#define REFLECTOR_TESTING_GOLDEN_GOLDEN_FIXTURES_H_

#include <optional>
#include <string>
#include <vector>

#include "reflector/packet/config.h"
#include "reflector/packet/packet.h"
#include "reflector/packet/testing/frame_builder.h"

namespace reflector::testing::golden {

struct GoldenFrame {
  std::vector<uint8_t> frame;
  // Set when the frame must be reflected: the builder that made it, the oracle for its
  // reflection in each mode (FrameBuilder::Reflected).
  std::optional<packet::testing::FrameBuilder> reflected_from;
  // Whether the rule that reflects it does the ITO ToS handshake.
  bool tos_handshake = false;

  std::vector<uint8_t> Reflected(packet::Mode mode) const {
    return reflected_from->Reflected(mode, tos_handshake).Build();
  }
};

struct GoldenFixture {
  std::string name;
  // The reflector's config as flags state it (no custom rules) and compiled; its mode is
  // kAll, each mode is a file.
  packet::FilterConfig filter;
  rf_config config;
  std::vector<GoldenFrame> frames;

  std::vector<std::vector<uint8_t>> Input() const;
  std::vector<std::vector<uint8_t>> Expected(packet::Mode mode) const;
  packet::FilterConfig FilterFor(packet::Mode mode) const;
  rf_config ConfigFor(packet::Mode mode) const;
};

const std::vector<GoldenFixture>& GoldenFixtures();

// File names inside testing/pcaps/.
std::string InputPcapName(const GoldenFixture& fixture);                     // x.in.pcap
std::string OutputPcapName(const GoldenFixture& fixture, packet::Mode mode);  // x.out.all.pcap

}  // namespace reflector::testing::golden

#endif  // REFLECTOR_TESTING_GOLDEN_GOLDEN_FIXTURES_H_
