// The capture's writer on hostile input (issue 21): a frame's bytes and verdict become a packet
// comment (VerdictComment), arbitrary text is appended to it, and the pcapng writer must still
// produce blocks that readers parse: every length consistent, the comment escaped to printable
// ASCII and bounded, and the frame's bytes in the packet block. The blocks are walked here, not
// by libpcap: a libpcap open per input ran ten times slower, and the writer's tests read its
// files back with libpcap and tshark.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "fuzz/capture_input.h"
#include "platform/pcap/pcapng_writer.h"
#include "reflector/engine/capture/verdict_comment.h"
#include "reflector/packet/config.h"
#include "reflector/packet/testing/frame_builder.h"

namespace reflector::fuzz {
namespace {

namespace pcap = platform::pcap;

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "pcapng_writer_fuzzer: %s\n", what.c_str());
  std::abort();
}

uint32_t Word(const std::string& bytes, size_t at) {
  uint32_t value;
  std::memcpy(&value, bytes.data() + at, 4);
  return value;
}

// Walks the blocks: whole words, both length fields equal, nothing past the end, the packet
// block holding `frame`. Returns the comment option of the last enhanced packet block.
std::string CheckBlocks(const std::string& file, absl::Span<const uint8_t> frame) {
  std::string comment;
  size_t at = 0;
  while (at < file.size()) {
    if (at + 12 > file.size()) Fail("a block header runs past the end");
    const uint32_t type = Word(file, at);
    const uint32_t length = Word(file, at + 4);
    if (length % 4 != 0 || length < 12 || at + length > file.size()) {
      Fail(absl::StrCat("block at ", at, " has length ", length));
    }
    if (Word(file, at + length - 4) != length) Fail("trailing length differs");
    if (type == 6) {
      const uint32_t captured = Word(file, at + 20);
      if (captured != std::min(frame.size(), pcap::kMaxCapturedBytes) ||
          Word(file, at + 24) < captured || at + 28 + captured > at + length - 4 ||
          (captured != 0 && std::memcmp(file.data() + at + 28, frame.data(), captured) != 0)) {
        Fail("the packet block does not hold the frame");
      }
      size_t option = at + 28 + ((captured + 3) & ~3u);
      while (option + 4 <= at + length - 4) {
        uint16_t code, size;
        std::memcpy(&code, file.data() + option, 2);
        std::memcpy(&size, file.data() + option + 2, 2);
        if (code == 0) break;
        if (option + 4 + size > at + length - 4) Fail("an option runs past its block");
        if (code == 1) comment.assign(file.data() + option + 4, size);
        option += 4 + ((size + 3u) & ~3u);
      }
    }
    at += length;
  }
  return comment;
}

}  // namespace
}  // namespace reflector::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace reflector;
  namespace pcap = platform::pcap;
  static const packet::CompiledConfig config =
      *packet::Compile(packet::testing::DefaultTestFilter());
  const fuzz::CaptureInput input = fuzz::DecodeCaptureInput({data, size});
  const std::string comment =
      engine::capture::VerdictComment(input.verdict, input.rule, input.frame, config) +
      input.extra_comment;

  std::string file;
  pcap::AppendSectionHeader(file, input.extra_comment);
  pcap::AppendInterfaceDescription(file, {input.extra_comment, 0});  // 0: no snap length
  pcap::AppendEnhancedPacket(file, {0, absl::FromUnixSeconds(1), input.frame,
                                    static_cast<uint32_t>(input.frame.size()),
                                    pcap::Direction::kInbound, comment});
  const std::string written = fuzz::CheckBlocks(file, input.frame);
  if (written.size() > pcap::kMaxCommentBytes) fuzz::Fail("comment over its bound");
  for (const char c : written) {
    if (c < 0x20 || c > 0x7E) fuzz::Fail("comment byte outside printable ASCII");
  }
  if (written != pcap::SanitizeComment(comment)) fuzz::Fail("comment not the sanitized text");

  return 0;
}
