// The Y.1731 responder (cfm.h) on arbitrary frames: byte 0 picks the config (CfmTestFilter with
// multicast LBM, a VLAN or tags varied), the rest is the frame. A frame the classifier rejects
// is offered as the workers do; an answer keeps the length and changes exactly the MACs (to
// the sender from the interface), the OpCode, and for DMR the two timestamps (PTP, of the
// given times) or for SLR the Responder MEP ID and TxFCb; anything else leaves the frame
// untouched. Whatever G.8013 fields the input has, an answer is only given for a request of
// the configured level whose fixed fields lie in the frame. Reads are confined to an
// exact-size heap copy, so ASan sees any overrun.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <vector>

#include "absl/types/span.h"
#include "reflector/packet/cfm.h"
#include "reflector/packet/cfm_responder.h"
#include "reflector/packet/config.h"
#include "reflector/packet/packet.h"
#include "reflector/packet/testing/cfm_frames.h"
#include "reflector/packet/testing/frame_builder.h"
#include "reflector/packet/testing/stamp_frames.h"

namespace reflector::fuzz {
namespace {

using packet::testing::HexDump;

[[noreturn]] void Fail(const char* invariant, absl::Span<const uint8_t> frame,
                       absl::Span<const uint8_t> answer) {
  std::fprintf(stderr, "cfm_fuzzer: invariant violated: %s\ninput frame:\n%s\nanswer:\n%s\n",
               invariant, HexDump(frame).c_str(), HexDump(answer).c_str());
  std::abort();
}

const rf_config& ConfigFor(uint8_t selector) {
  static const auto* const configs = [] {
    auto* all = new std::vector<rf_config>;
    for (int s = 0; s < 8; ++s) {
      const std::optional<uint16_t> vlan =
          (s & 6) == 2 ? std::optional<uint16_t>(0)
                       : ((s & 6) == 4 ? std::optional<uint16_t>(100) : std::nullopt);
      packet::FilterConfig filter = packet::testing::CfmTestFilter((s & 1) != 0, vlan);
      if ((s & 6) == 6) filter.vlan = false;
      all->push_back(*packet::ToWire(filter));
    }
    return all;
  }();
  return (*configs)[selector & 7];
}

constexpr uint64_t kRx = 1'764'000'000'987'654'321ull;

}  // namespace
}  // namespace reflector::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace reflector;  // NOLINT: one entry point
  using fuzz::Fail;
  if (size < 1) return 0;
  const rf_config& config = fuzz::ConfigFor(data[0]);
  const absl::Span<const uint8_t> input(data + 1, size - 1);
  if (input.empty()) return 0;
  std::unique_ptr<uint8_t[]> owned(new uint8_t[input.size()]);
  std::memcpy(owned.get(), input.data(), input.size());
  const absl::Span<uint8_t> frame(owned.get(), input.size());
  const packet::Classification result = packet::Classify(frame, config);
  packet::SlmCounters slm;
  const packet::CfmOutcome outcome =
      packet::OfferToCfm(frame, result.verdict, config, true, fuzz::kRx, slm);
  const bool same = std::memcmp(frame.data(), input.data(), input.size()) == 0;
  if (!packet::CfmAnswered(outcome)) {
    if (!same) Fail("a frame not answered was changed", input, frame);
    return 0;
  }
  if (result.reflect()) Fail("a frame a rule took was answered as CFM", input, frame);
  // The request as G.8013 has it, read independently of cfm.h.
  const size_t h = packet::testing::CfmHeaderOffset(input);
  const uint8_t opcode = input[h + 1];
  const size_t fixed = opcode == RF_CFM_OP_LBM ? 4 : opcode == RF_CFM_OP_DMM ? 32 : 16;
  if ((opcode != RF_CFM_OP_LBM && opcode != RF_CFM_OP_DMM && opcode != RF_CFM_OP_SLM) ||
      input[h - 2] != 0x89 || input[h - 1] != 0x02 || (input[h] >> 5) != config.cfm.level ||
      (input[h] & 0x1f) != 0 || input[h + 3] != fixed || h + 4 + fixed + 1 > input.size()) {
    Fail("an answer to what is no request of the configured level", input, frame);
  }
  std::vector<uint8_t> expected(input.begin(), input.end());
  std::memcpy(expected.data(), input.data() + 6, 6);
  std::memcpy(expected.data() + 6, config.if_mac, 6);
  expected[h + 1] = static_cast<uint8_t>(opcode - 1);
  if (opcode == RF_CFM_OP_DMM) {
    const uint64_t rx = packet::testing::StampTimestamp(fuzz::kRx, config.stamp_clock, true);
    if (packet::testing::ReadBe(frame, h + 12, 8) != rx) Fail("RxTimeStampf is not the arrival", input, frame);
    if (packet::testing::ReadBe(frame, h + 20, 8) < rx) Fail("TxTimeStampb before RxTimeStampf", input, frame);
    std::memcpy(expected.data() + h + 12, frame.data() + h + 12, 16);
  } else if (opcode == RF_CFM_OP_SLM) {
    expected[h + 6] = static_cast<uint8_t>(config.cfm.mep_id >> 8);
    expected[h + 7] = static_cast<uint8_t>(config.cfm.mep_id);
    expected[h + 16] = expected[h + 17] = expected[h + 18] = 0;
    expected[h + 19] = 1;  // the first SLR of a fresh table
  }
  if (std::memcmp(expected.data(), frame.data(), frame.size()) != 0) {
    Fail("the answer is not the G.8013 reply", input, frame);
  }
  return 0;
}
