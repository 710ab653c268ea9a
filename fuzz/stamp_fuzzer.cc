// The STAMP / TWAMP-Light reflector (stamp.h) on arbitrary frames: byte 0 picks the config
// (StampTestFilter with VLAN or IPv6 off, more STAMP ports), the rest is the frame. Whenever a
// STAMP rule takes a frame, the reflector must build its answer (never refuse what the
// classifier accepted), keep the length or, for a sender shorter than the answer, grow the
// frame to the answer's length with the headers' lengths to match, write exactly the RFC 8762
// §4.3 fields and answer the RFC 8972 TLVs after a sender's 44 bytes (the oracle of
// stamp_frames.h), and keep valid checksums valid; every other byte is the plain mode-all
// reflection (but a Class of Service TLV's DSCP), and no stale byte of the room grown into is
// sent. Reads and writes are confined to a heap copy exactly as long as rf_stamp_lengths'
// build_len, so ASan sees any overrun.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "absl/types/span.h"
#include "reflector/packet/config.h"
#include "reflector/packet/packet.h"
#include "reflector/packet/stamp.h"
#include "reflector/packet/stamp_tlv.h"
#include "reflector/packet/testing/frame_builder.h"
#include "reflector/packet/testing/stamp_frames.h"

namespace reflector::fuzz {
namespace {

using packet::testing::HexDump;

[[noreturn]] void Fail(const char* invariant, absl::Span<const uint8_t> frame,
                       absl::Span<const uint8_t> answer) {
  std::fprintf(stderr, "stamp_fuzzer: invariant violated: %s\ninput frame:\n%s\nanswer:\n%s\n",
               invariant, HexDump(frame).c_str(), HexDump(answer).c_str());
  std::abort();
}

const rf_config& ConfigFor(uint8_t selector) {
  static const auto* const configs = [] {
    auto* all = new std::vector<rf_config>;
    for (int s = 0; s < 8; ++s) {
      packet::FilterConfig filter = packet::testing::StampTestFilter();
      if (s & 1) filter.vlan = false;
      if (s & 2) filter.ipv6 = false;
      if (s & 4) filter.stamp_ports.push_back(packet::PortRange{3842, 3843});
      rf_config config = *packet::ToWire(filter);
      config.stamp_clock.ntp_shift = 2208988800 - 37;
      config.stamp_clock.error_estimate = RF_STAMP_S | 0x0101;
      all->push_back(config);
    }
    return all;
  }();
  return (*configs)[selector & 7];
}

constexpr uint64_t kT2 = 1'764'000'000'987'654'321ull;
constexpr uint64_t kT3 = kT2 + 1'500;

}  // namespace
}  // namespace reflector::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace reflector;  // NOLINT: one entry point
  using fuzz::Fail;
  if (size < 1) return 0;
  const rf_config& config = fuzz::ConfigFor(data[0]);
  const absl::Span<const uint8_t> input(data + 1, size - 1);
  if (input.empty()) return 0;
  const packet::Classification result = packet::Classify(input, config);
  if (!result.reflect() || !(result.where.actions & RF_ACTION_STAMP)) return 0;
  const rf_result& where = result.where;
  __u32 build_len = 0;
  __u32 send_len = 0;
  if (rf_stamp_lengths(&where, static_cast<__u32>(input.size()), &build_len, &send_len) != 0) {
    Fail("no lengths for a frame a STAMP rule took", input, input);
  }
  // The room past the frame holds stale bytes, which must never reach the answer.
  std::unique_ptr<uint8_t[]> owned(new uint8_t[build_len]);
  std::memset(owned.get(), 0xee, build_len);
  std::memcpy(owned.get(), input.data(), input.size());
  rf_stamp_pending pending = {};  // g++ -O2 cannot see rf_stamp_build fill it on success
  uint8_t* begin = owned.get();
  const uint8_t* end = begin + build_len;
  if (rf_stamp_build(begin, end, &where, &config.stamp_clock, fuzz::kT2, &pending) != 0 ||
      rf_stamp_finish(begin, end, &pending, &config.stamp_clock, fuzz::kT3) != 0 ||
      rf_stamp_tlvs(begin, end, &where, &config.stamp_clock, RF_STAMP_TS_SW_LOCAL) != 0) {
    Fail("the reflector refused a frame a STAMP rule took", input,
         absl::MakeConstSpan(begin, build_len));
  }
  const absl::Span<const uint8_t> frame(begin, send_len);

  // The oracle: the plain mode-all reflection, then the STAMP fields, TTL 255, and for a
  // sender shorter than the answer the lengths in the headers.
  const size_t l3 = where.l3_offset;
  const size_t l4 = where.l4_offset;
  const size_t payload = where.payload_offset;
  const size_t sender_length = where.udp_length - RF_UDP_HLEN;
  const bool v6 = where.ip_version == 6;
  const uint8_t sender_ttl = input[l3 + (v6 ? 7 : 8)];
  const uint8_t tos =
      v6 ? static_cast<uint8_t>(input[l3] << 4 | input[l3 + 1] >> 4) : input[l3 + 1];
  int dscp = -1;
  const std::vector<uint8_t> fields = packet::testing::StampReflectedPayload(
      input.subspan(payload, sender_length), sender_ttl, fuzz::kT2, fuzz::kT3, config.stamp_clock,
      (where.actions & RF_ACTION_TWAMP) != 0, tos, &dscp);
  std::vector<uint8_t> expected(input.begin(), input.end());
  // Past the sender's packet, up to the reflector's 44 bytes: zero, then the fields.
  expected.resize(std::max<size_t>(expected.size(), payload + RF_STAMP_LEN), 0);
  for (size_t i = payload + sender_length; i < payload + RF_STAMP_LEN; ++i) expected[i] = 0;
  rf_result plain = where;
  plain.actions = 0;
  if (!packet::ReflectInPlace(absl::MakeSpan(expected), plain)) {
    Fail("the plain reflection refused the frame", input, frame);
  }
  expected[l3 + (v6 ? 7 : 8)] = RF_STAMP_TTL;
  // The whole answer, the RFC 8972 TLVs after the base packet included.
  std::memcpy(expected.data() + payload, fields.data(), fields.size());
  expected.resize(send_len);
  if (fields.size() != sender_length) {
    const size_t udp_length = RF_UDP_HLEN + fields.size();
    const size_t ip_length = v6 ? udp_length : l4 - l3 + udp_length;
    expected[l4 + 4] = static_cast<uint8_t>(udp_length >> 8);
    expected[l4 + 5] = static_cast<uint8_t>(udp_length);
    expected[l3 + (v6 ? 4 : 2)] = static_cast<uint8_t>(ip_length >> 8);
    expected[l3 + (v6 ? 5 : 3)] = static_cast<uint8_t>(ip_length);
  }
  if (dscp >= 0 && v6) {  // DSCP1 of a Class of Service TLV: the answer's DSCP, ECN kept
    const uint8_t tc = static_cast<uint8_t>(dscp << 2 | (tos & 3));
    expected[l3] = static_cast<uint8_t>((expected[l3] & 0xf0) | tc >> 4);
    expected[l3 + 1] = static_cast<uint8_t>((expected[l3 + 1] & 0x0f) | (tc & 0x0f) << 4);
  } else if (dscp >= 0) {
    expected[l3 + 1] = static_cast<uint8_t>(dscp << 2 | (tos & 3));
  }
  // Checksums apart: compared below by validity.
  std::vector<uint8_t> got(frame.begin(), frame.end());
  for (std::vector<uint8_t>* f : {&expected, &got}) {
    (*f)[l4 + 6] = (*f)[l4 + 7] = 0;
    if (!v6) (*f)[l3 + 10] = (*f)[l3 + 11] = 0;
  }
  if (got != expected) Fail("the answer is not the RFC 8762 packet", input, frame);
  if (!v6 && packet::testing::Ipv4HeaderChecksumValid(input, l3) &&
      !packet::testing::Ipv4HeaderChecksumValid(frame, l3)) {
    Fail("a valid IPv4 header checksum became invalid", input, frame);
  }
  if (packet::testing::UdpChecksumValid(input, l3, l4, where.ip_version) &&
      !packet::testing::UdpChecksumValid(frame, l3, l4, where.ip_version)) {
    Fail("a valid UDP checksum became invalid", input, frame);
  }
  const bool had_none = !v6 && input[l4 + 6] == 0 && input[l4 + 7] == 0;
  if (had_none != (!v6 && frame[l4 + 6] == 0 && frame[l4 + 7] == 0)) {
    Fail("a UDP checksum appeared or vanished", input, frame);
  }
  return 0;
}
