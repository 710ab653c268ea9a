// Classifies arbitrary frames under configs chosen by the input (layout: classify_input.h) and,
// whenever the verdict is reflect, checks what SPEC §4 promises about the reflected frame.
// A violated invariant aborts with a message and a hex dump, which libFuzzer reports as a crash.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "fuzz/classify_input.h"
#include "reflector/packet/config.h"
#include "reflector/packet/packet.h"
#include "reflector/packet/testing/frame_builder.h"

namespace reflector::fuzz {
namespace {

using packet::Classification;
using packet::Mode;

[[noreturn]] void Fail(const std::string& invariant, absl::Span<const uint8_t> original,
                       absl::Span<const uint8_t> reflected) {
  std::fprintf(stderr, "classify_fuzzer: invariant violated: %s\ninput frame:\n%s\n",
               invariant.c_str(), packet::testing::HexDump(original).c_str());
  if (!reflected.empty()) {
    std::fprintf(stderr, "reflected frame:\n%s\n%s\n", packet::testing::HexDump(reflected).c_str(),
                 packet::testing::DescribeDifference(original, reflected).c_str());
  }
  std::abort();
}

// A heap buffer of exactly the frame's size, so ASan reports a read even one byte past its end
// (the fuzzer's own input has the config header in front and is const).
struct OwnedFrame {
  explicit OwnedFrame(absl::Span<const uint8_t> bytes)
      : size(bytes.size()), data(new uint8_t[bytes.size()]) {
    if (size > 0) std::memcpy(data.get(), bytes.data(), size);
  }
  absl::Span<uint8_t> span() { return absl::Span<uint8_t>(data.get(), size); }
  size_t size;
  std::unique_ptr<uint8_t[]> data;
};

bool Equal(absl::Span<const uint8_t> a, absl::Span<const uint8_t> b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size()) == 0);
}

// The offsets of a reflect verdict must describe this frame (SPEC §3 header layout).
void CheckOffsets(absl::Span<const uint8_t> frame, const rf_result& where) {
  const size_t l3 = where.l3_offset;
  const size_t l4 = where.l4_offset;
  if (where.vlan_tags > RF_MAX_VLAN_TAGS ||
      l3 != RF_ETH_HLEN + size_t{RF_VLAN_HLEN} * where.vlan_tags) {
    Fail("l3 offset does not follow from the tag count", frame, {});
  }
  const size_t ip_header = where.ip_version == 4   ? (frame[l3] & 0x0f) * 4u
                           : where.ip_version == 6 ? size_t{RF_IPV6_HLEN}
                                                   : 0;
  if (ip_header == 0 || l4 != l3 + ip_header)
    Fail("l4 offset is not after the IP header", frame, {});
  if (where.payload_offset != l4 + RF_UDP_HLEN) Fail("payload offset is not after UDP", frame, {});
  if (where.udp_length < RF_UDP_HLEN || l4 + where.udp_length > frame.size()) {
    Fail("UDP length runs past the frame", frame, {});
  }
}

// One's-complement sum of the IPv4 header at `l3` (with its checksum field), folded.
uint16_t HeaderSum(absl::Span<const uint8_t> frame, size_t l3) {
  const size_t length = (frame[l3] & 0x0f) * 4u;
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < length; i += 2) sum += (frame[l3 + i] << 8) | frame[l3 + i + 1];
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(sum);
}

bool ApplyTosHandshake(const rf_result& where, Mode mode) {
  return (where.actions & RF_ACTION_TOS_HANDSHAKE) && where.ip_version == 4 && mode != Mode::kMac;
}

// What SPEC §4 says the reflection is: these byte ranges swapped and, with the ITO ToS
// handshake, ToS bit 0 toggled; every other byte kept. The IPv4 header checksum is left as in
// `frame` here (see CheckReflection).
std::vector<uint8_t> ExpectedReflection(absl::Span<const uint8_t> frame, const rf_result& where,
                                        Mode mode) {
  std::vector<uint8_t> out(frame.begin(), frame.end());
  const auto swap = [&out](size_t a, size_t b, size_t len) {
    for (size_t i = 0; i < len; ++i) std::swap(out[a + i], out[b + i]);
  };
  swap(0, RF_ETH_ALEN, RF_ETH_ALEN);
  if (mode == Mode::kMac) return out;
  if (where.ip_version == 4) {
    swap(where.l3_offset + 12, where.l3_offset + 16, 4);
    if (ApplyTosHandshake(where, mode)) out[where.l3_offset + 1] ^= 1;
  } else {
    swap(where.l3_offset + 8, where.l3_offset + 24, 16);
  }
  if (mode == Mode::kMacIp) return out;
  swap(where.l4_offset, where.l4_offset + 2, 2);
  return out;
}

// The tester receiving the reply classifies it with the rule that matched, mirrored: the
// addresses (modes mac-ip, all) and ports (mode all) swapped, no OUI list (the reply's source
// is our MAC). VLAN, IP version and payload conditions are unchanged and must still hold.
packet::FilterConfig FarSide(const packet::FilterConfig& near, const packet::Rule& matched,
                             absl::Span<const uint8_t> original, absl::Span<const uint8_t> out,
                             const rf_result& where, Mode mode) {
  packet::FilterConfig far;
  std::memcpy(far.interface_mac.data(), original.data() + RF_ETH_ALEN, RF_ETH_ALEN);
  far.dst_mac_filter = true;  // the reply is addressed to exactly the tester
  far.vlan = near.vlan;
  far.ipv6 = near.ipv6;
  far.profiles = 0;
  packet::Rule rule = matched;
  rule.ouis.clear();
  if (mode != Mode::kMac) std::swap(rule.dst_prefixes, rule.src_prefixes);
  if (mode == Mode::kAll) std::swap(rule.dst_ports, rule.src_ports);
  if (rule.pattern.bytes.empty() && rule.dst_ports.any() && rule.dst_prefixes.empty()) {
    // A rule without a pattern needs a destination restriction: the reply's own port.
    const uint16_t port =
        static_cast<uint16_t>((out[where.l4_offset + 2] << 8) | out[where.l4_offset + 3]);
    rule.dst_ports = packet::PortRange{port, port};
  }
  far.rules = {rule};
  return far;
}

void CheckReflection(absl::Span<const uint8_t> original, const ClassifyInput& input,
                     const Classification& verdict) {
  const rf_config& config = input.config;
  const rf_result& where = verdict.where;
  const Mode mode = static_cast<Mode>(where.mode);
  CheckOffsets(original, where);
  if (where.rule >= config.rule_count || where.mode != config.rules[where.rule].mode ||
      where.actions != config.rules[where.rule].actions) {
    Fail("the result does not name a rule of the config, or not its mode and actions", original,
         {});
  }

  OwnedFrame reflected(original);
  if (!packet::ReflectInPlace(reflected.span(), where)) {
    Fail("ReflectInPlace refused a frame Classify accepted", original, {});
  }
  const absl::Span<const uint8_t> out = reflected.span();
  // In place, so the length cannot change; what can go wrong is which bytes moved.
  if (out.size() != original.size()) Fail("output length differs from input length", original, out);
  std::vector<uint8_t> expected = ExpectedReflection(original, where, mode);
  if (ApplyTosHandshake(where, mode)) {
    // RFC 1624: the header's one's-complement sum (checksum included) is what it was, so a
    // checksum that verified still does and one that did not stays as wrong as it was.
    const uint16_t before = HeaderSum(original, where.l3_offset);
    const uint16_t after = HeaderSum(out, where.l3_offset);
    const bool zero_before = before == 0 || before == 0xffff;
    const bool zero_after = after == 0 || after == 0xffff;
    if (before != after && !(zero_before && zero_after)) {
      Fail("the ToS handshake changed the IPv4 header's checksum sum", original, out);
    }
    for (size_t i = 10; i < 12; ++i) expected[where.l3_offset + i] = out[where.l3_offset + i];
  }
  if (!Equal(out, expected)) {
    Fail("reflection is not exactly the SPEC §4 swap for its mode", original, out);
  }

  // ClassifyAndReflect is what the data paths call; it must give the same bytes.
  OwnedFrame combined(original);
  if (!packet::ClassifyAndReflect(combined.span(), config).reflect() ||
      !Equal(combined.span(), out)) {
    Fail("ClassifyAndReflect differs from Classify + ReflectInPlace", original, combined.span());
  }

  // Twice restores the input; the one exception is an IPv4 header checksum of 0xffff, which no
  // sender computes and RFC 1624's update turns into 0x0000.
  OwnedFrame twice(out);
  if (!packet::ReflectInPlace(twice.span(), where)) {
    Fail("the reflection cannot be reflected again", original, twice.span());
  }
  const bool odd_checksum = ApplyTosHandshake(where, mode) &&
                            original[where.l3_offset + 10] == 0xff &&
                            original[where.l3_offset + 11] == 0xff;
  if (!odd_checksum && !Equal(twice.span(), original)) {
    Fail("reflecting twice does not restore the input", original, twice.span());
  }

  if (where.ip_version == 4 &&
      packet::testing::Ipv4HeaderChecksumValid(original, where.l3_offset) &&
      !packet::testing::Ipv4HeaderChecksumValid(out, where.l3_offset)) {
    Fail("IPv4 header checksum no longer verifies", original, out);
  }
  if (packet::testing::UdpChecksumValid(original, where.l3_offset, where.l4_offset,
                                        where.ip_version) &&
      !packet::testing::UdpChecksumValid(out, where.l3_offset, where.l4_offset, where.ip_version)) {
    Fail("UDP checksum no longer verifies", original, out);
  }

  absl::StatusOr<std::vector<packet::Rule>> rules = packet::RuleTable(input.filter);
  if (!rules.ok() || where.rule >= rules->size()) Fail("the rule table changed", original, {});
  const packet::FilterConfig far_side =
      FarSide(input.filter, (*rules)[where.rule], original, out, where, mode);
  absl::StatusOr<rf_config> far_config = packet::ToWire(far_side);
  if (!far_config.ok()) {
    Fail(absl::StrCat("the far side's mirrored rule does not compile: ",
                      far_config.status().message()),
         original, out);
  }
  const Classification far = packet::Classify(out, *far_config);
  if (!far.reflect()) {
    Fail(absl::StrCat("the far side's mirrored rule rejects the reflected frame: ",
                      packet::VerdictName(far.verdict)),
         original, out);
  }
}

// The fast tier is only a shortcut: under any rule hint, rf_classify_hinted gives the exact
// classifier's verdict and result.
void CheckTiersAgree(absl::Span<const uint8_t> frame, const rf_config& config) {
  if (frame.empty()) return;
  const uint8_t* end = frame.data() + frame.size();
  rf_result exact = {};
  const rf_verdict expected = rf_classify_exact(frame.data(), end, &config, 0, &exact);
  for (uint32_t hint = 0; hint <= config.rule_count; ++hint) {
    uint32_t tried = hint == config.rule_count ? RF_NO_RULE_HINT : hint;
    rf_result result = {};
    const rf_verdict verdict = rf_classify_hinted(frame.data(), end, &config, &tried, &result);
    if (verdict != expected ||
        (verdict == RF_REFLECT && std::memcmp(&result, &exact, sizeof(result)) != 0)) {
      Fail(absl::StrCat("the fast tier disagrees with the exact classifier under rule hint ",
                        hint, ": ", packet::VerdictName(static_cast<packet::Verdict>(verdict)),
                        " rule ", result.rule, " vs ",
                        packet::VerdictName(static_cast<packet::Verdict>(expected)), " rule ",
                        exact.rule),
           frame, {});
    }
  }
}

// One input: classify; a rejected frame must stay untouched, a reflected one must keep SPEC §4.
void FuzzClassify(absl::Span<const uint8_t> data) {
  const std::optional<ClassifyInput> input = DecodeClassifyInput(data);
  if (!input.has_value()) return;
  OwnedFrame frame(input->frame);
  CheckTiersAgree(frame.span(), input->config);
  const Classification verdict = packet::Classify(frame.span(), input->config);
  if (verdict.reflect()) {
    CheckReflection(frame.span(), *input, verdict);
    return;
  }
  const Classification again = packet::ClassifyAndReflect(frame.span(), input->config);
  if (again.verdict != verdict.verdict || !Equal(frame.span(), input->frame)) {
    Fail("ClassifyAndReflect changed a rejected frame or its verdict", input->frame, frame.span());
  }
}

}  // namespace
}  // namespace reflector::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  reflector::fuzz::FuzzClassify(absl::Span<const uint8_t>(data, size));
  return 0;
}
