// The BSD/macOS BPF device backend's buffer walk (platform/bpf_device/record_walk.h) on
// arbitrary bytes, as a read(2) of /dev/bpf could return them after a kernel bug or on a
// system whose bpf_hdr we got wrong.
//
// Input: a layout byte (even: macOS's, odd: FreeBSD's on 64-bit), then the buffer. The buffer is
// copied into an exact-size heap block, so ASan fails any read past its end.
//
// Invariants: every frame handed out lies inside the buffer, after the previous one, and is
// not empty; the walk counts as many frames as it hands out; a walk that did not find the
// buffer malformed ends within it.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "absl/types/span.h"
#include "platform/bpf_device/frame_queue.h"
#include "platform/bpf_device/record_walk.h"

namespace reflector::fuzz {
namespace {

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "bpf_records_fuzzer: %s\n", what.c_str());
  std::abort();
}

}  // namespace
}  // namespace reflector::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace reflector;
  namespace bpf = platform::bpf_device;
  if (size == 0) return 0;
  const bpf::BpfLayout& layout = (data[0] & 1) ? bpf::kFreeBsd64Layout : bpf::kDarwinLayout;
  const size_t length = size - 1;
  std::unique_ptr<uint8_t[]> buffer(new uint8_t[length == 0 ? 1 : length]);
  if (length > 0) std::memcpy(buffer.get(), data + 1, length);
  const absl::Span<uint8_t> bytes(buffer.get(), length);

  uint64_t handed = 0;
  const uint8_t* previous_end = buffer.get();
  const bpf::WalkCounts counts =
      bpf::WalkRecords(bytes, layout, [&](absl::Span<uint8_t> frame) {
        ++handed;
        if (frame.empty()) fuzz::Fail("an empty frame was handed out");
        if (frame.data() < previous_end) fuzz::Fail("frames overlap or go backwards");
        if (frame.data() + frame.size() > buffer.get() + length) {
          fuzz::Fail("a frame runs past the buffer");
        }
        previous_end = frame.data() + frame.size();
        // Touch every byte, as the classifier may.
        volatile uint8_t sum = 0;
        for (uint8_t byte : frame) sum = sum + byte;
        (void)sum;
      });
  if (counts.frames != handed) fuzz::Fail("frames counted != frames handed out");

  // The frame queue hands out the same frames in batches.
  bpf::FrameQueue queue(layout, length);
  const bpf::WalkCounts queued = queue.Load(bytes);
  if (queued.frames != counts.frames || queued.malformed != counts.malformed) {
    fuzz::Fail("the frame queue walked differently");
  }
  platform::Frame batch[platform::kBatchSize];
  uint64_t taken = 0;
  while (!queue.empty()) {
    const size_t n = queue.Take(absl::MakeSpan(batch));
    if (n == 0) fuzz::Fail("a non-empty queue handed out nothing");
    taken += n;
  }
  if (taken != counts.frames) fuzz::Fail("the frame queue lost or added frames");
  return 0;
}
