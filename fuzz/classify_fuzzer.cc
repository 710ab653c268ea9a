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
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "fuzz/classify_input.h"
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

// What SPEC §4 says the reflection is: these byte ranges swapped, every other byte kept.
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
  } else {
    swap(where.l3_offset + 8, where.l3_offset + 24, 16);
  }
  if (mode == Mode::kMacIp) return out;
  swap(where.l4_offset, where.l4_offset + 2, 2);
  return out;
}

void CheckReflection(absl::Span<const uint8_t> original, const rf_config& config,
                     const Classification& verdict) {
  const Mode mode = static_cast<Mode>(config.mode);
  const rf_result& where = verdict.where;
  CheckOffsets(original, where);

  OwnedFrame reflected(original);
  if (!packet::ReflectInPlace(reflected.span(), where, mode)) {
    Fail("ReflectInPlace refused a frame Classify accepted", original, {});
  }
  const absl::Span<const uint8_t> out = reflected.span();
  // In place, so the length cannot change; what can go wrong is which bytes moved.
  if (out.size() != original.size()) Fail("output length differs from input length", original, out);
  if (!Equal(out, ExpectedReflection(original, where, mode))) {
    Fail("reflection is not exactly the SPEC §4 swap for its mode", original, out);
  }

  // ClassifyAndReflect is what the data paths call; it must give the same bytes.
  OwnedFrame combined(original);
  if (!packet::ClassifyAndReflect(combined.span(), config).reflect() ||
      !Equal(combined.span(), out)) {
    Fail("ClassifyAndReflect differs from Classify + ReflectInPlace", original, combined.span());
  }

  OwnedFrame twice(out);
  if (!packet::ReflectInPlace(twice.span(), where, mode) || !Equal(twice.span(), original)) {
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

  // The tester receiving the reply: its own MAC is our input's source; OUI and port filters are
  // off because the swap moved the fields they look at.
  rf_config far_side = config;
  std::memcpy(far_side.if_mac, original.data() + RF_ETH_ALEN, RF_ETH_ALEN);
  far_side.oui_count = 0;
  far_side.port = 0;
  const Classification far = packet::Classify(out, far_side);
  if (!far.reflect()) {
    Fail(absl::StrCat("the far side rejects the reflected frame: ",
                      packet::VerdictName(far.verdict)),
         original, out);
  }
  if (far.signature() != verdict.signature()) {
    Fail("the far side sees a different signature", original, out);
  }
}

// One input: classify; a rejected frame must stay untouched, a reflected one must keep SPEC §4.
void FuzzClassify(absl::Span<const uint8_t> data) {
  const std::optional<ClassifyInput> input = DecodeClassifyInput(data);
  if (!input.has_value()) return;
  OwnedFrame frame(input->frame);
  const Classification verdict = packet::Classify(frame.span(), input->config);
  if (verdict.reflect()) {
    CheckReflection(frame.span(), input->config, verdict);
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
