// The shared table of test frames: one or more frames per reject reason of SPEC §3 and per
// accepted shape, each with the config it is classified under and the expected verdict.
// The packet library's tests, the XDP program's tests, the daemon's lab tests and the golden
// pcap generator all walk this one table.
#ifndef REFLECTOR_PACKET_TESTING_FRAME_TABLE_H_
#define REFLECTOR_PACKET_TESTING_FRAME_TABLE_H_

#include <ostream>
#include <string>
#include <vector>

#include "reflector/packet/packet.h"
#include "reflector/packet/testing/frame_builder.h"

namespace reflector::packet::testing {

struct FrameCase {
  std::string name;
  std::vector<uint8_t> frame;
  rf_config config;
  Verdict verdict;
  Signature signature = Signature::kProbeot;  // when verdict is kReflect
  // Set when the frame comes from a builder: the oracle for the reflected output.
  bool has_builder = false;
  FrameBuilder builder;

  // The bytes a correct reflector sends back in `mode` (only for kReflect cases).
  std::vector<uint8_t> ExpectedReflection(Mode mode) const {
    return builder.Reflected(mode).Build();
  }
};

const std::vector<FrameCase>& FrameTable();

// gtest names a failing case by this instead of dumping the struct's bytes.
void PrintTo(const FrameCase& c, std::ostream* os);

}  // namespace reflector::packet::testing

#endif  // REFLECTOR_PACKET_TESTING_FRAME_TABLE_H_
