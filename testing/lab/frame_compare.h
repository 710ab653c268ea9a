// Compares what came back from a reflector with what should have, and says where the first
// difference is in terms a network engineer reads: frame index, header field, expected and
// actual value ("frame 3: IPv4 source address: expected 198.18.0.2, got 198.18.0.1").
#ifndef REFLECTOR_TESTING_LAB_FRAME_COMPARE_H_
#define REFLECTOR_TESTING_LAB_FRAME_COMPARE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/types/span.h"

namespace reflector::testing::lab {

using Frame = std::vector<uint8_t>;

// "" when equal, else the first differing field of `got` against `expected` (whose headers
// name the fields), or the length difference.
std::string DescribeFrameDifference(absl::Span<const uint8_t> expected,
                                    absl::Span<const uint8_t> got);

// OK when `got` equals `expected` frame by frame, in order; else the first difference.
absl::Status CompareFrameSequences(const std::vector<Frame>& expected,
                                   const std::vector<Frame>& got);

// OK when `got` holds exactly the frames of `expected`, each once, in any order (frames that
// cross several queues need not keep their order); else what is missing and what is extra.
absl::Status CompareFrameMultisets(const std::vector<Frame>& expected,
                                   const std::vector<Frame>& got);

}  // namespace reflector::testing::lab

#endif  // REFLECTOR_TESTING_LAB_FRAME_COMPARE_H_
