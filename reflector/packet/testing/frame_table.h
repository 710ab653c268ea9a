// The shared table of test frames: one or more frames per reject reason of SPEC §3 and per
// accepted shape, each with the config it is classified under and the expected verdict.
// The packet library's tests, the XDP program's tests, the daemon's lab tests and the golden
// pcap generator all walk this one table.
#ifndef REFLECTOR_PACKET_TESTING_FRAME_TABLE_H_
#define REFLECTOR_PACKET_TESTING_FRAME_TABLE_H_

#include <ostream>
#include <string>
#include <vector>

#include "reflector/packet/config.h"
#include "reflector/packet/packet.h"
#include "reflector/packet/testing/frame_builder.h"

namespace reflector::packet::testing {

struct FrameCase {
  std::string name;
  std::vector<uint8_t> frame;
  FilterConfig filter;  // as a user states it (flags, config file)
  rf_config config;     // compiled from `filter`
  Verdict verdict;
  // When verdict is kReflect: the rule that matches (its index in `config` and its name).
  int rule = 0;
  std::string rule_name;
  // Set when the frame comes from a builder: the oracle for the reflected output.
  bool has_builder = false;
  FrameBuilder builder;

  // Whether the matching rule does the ITO ToS handshake.
  bool tos_handshake() const {
    return (config.rules[rule & (RF_MAX_RULES - 1)].actions & RF_ACTION_TOS_HANDSHAKE) != 0;
  }
  // The bytes a correct reflector sends back in the matching rule's mode, or in `mode` (only
  // for kReflect cases).
  std::vector<uint8_t> ExpectedReflection() const {
    return ExpectedReflection(static_cast<Mode>(config.rules[rule & (RF_MAX_RULES - 1)].mode));
  }
  std::vector<uint8_t> ExpectedReflection(Mode mode) const {
    return builder.Reflected(mode, tos_handshake()).Build();
  }
};

const std::vector<FrameCase>& FrameTable();

// `config` with every rule reflecting in `mode` (tests that try each mode on every case).
rf_config WithMode(rf_config config, Mode mode);

// gtest names a failing case by this instead of dumping the struct's bytes.
void PrintTo(const FrameCase& c, std::ostream* os);

}  // namespace reflector::packet::testing

#endif  // REFLECTOR_PACKET_TESTING_FRAME_TABLE_H_
