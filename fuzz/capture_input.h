// The pcapng_writer_fuzzer's input layout, shared with the seed generator (make_corpus):
//   byte 0     verdict (any value: unknown ones must be handled too)
//   byte 1     rule index (any value)
//   byte 2     n, the length of the extra comment text
//   bytes 3..  n bytes of text appended to the verdict comment (hostile: any bytes)
//   the rest   the frame as captured
#ifndef REFLECTOR_FUZZ_CAPTURE_INPUT_H_
#define REFLECTOR_FUZZ_CAPTURE_INPUT_H_

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace reflector::fuzz {

struct CaptureInput {
  uint8_t verdict = 0;
  uint8_t rule = 0;
  std::string extra_comment;
  absl::Span<const uint8_t> frame;
};

inline CaptureInput DecodeCaptureInput(absl::Span<const uint8_t> data) {
  CaptureInput input;
  if (data.size() < 3) return input;
  input.verdict = data[0];
  input.rule = data[1];
  const size_t n = std::min<size_t>(data[2], data.size() - 3);
  input.extra_comment.assign(reinterpret_cast<const char*>(data.data() + 3), n);
  input.frame = data.subspan(3 + n);
  return input;
}

inline std::vector<uint8_t> EncodeCaptureInput(uint8_t verdict, uint8_t rule,
                                               absl::string_view extra_comment,
                                               absl::Span<const uint8_t> frame) {
  std::vector<uint8_t> out = {verdict, rule,
                              static_cast<uint8_t>(std::min<size_t>(extra_comment.size(), 255))};
  out.insert(out.end(), extra_comment.begin(), extra_comment.begin() + out[2]);
  out.insert(out.end(), frame.begin(), frame.end());
  return out;
}

}  // namespace reflector::fuzz

#endif  // REFLECTOR_FUZZ_CAPTURE_INPUT_H_
