// The portable core of the BSD/macOS BPF device backend: walking the buffer one read(2) of
// /dev/bpf returns. The buffer holds records, each a struct bpf_hdr (timestamp, bh_caplen,
// bh_datalen, bh_hdrlen) followed by bh_caplen captured bytes, the next record starting at
// BPF_WORDALIGN(bh_hdrlen + bh_caplen). The header's layout and the alignment differ between
// systems (macOS: 32-bit timestamps, 4-byte alignment; FreeBSD: struct timeval, long
// alignment), so the walk takes them as a BpfLayout; the device code checks its system's
// layout against <net/bpf.h> with static_asserts. Every field is read within the buffer: a
// record whose header or data would run past the end stops the walk.
#ifndef REFLECTOR_PLATFORM_BPF_DEVICE_RECORD_WALK_H_
#define REFLECTOR_PLATFORM_BPF_DEVICE_RECORD_WALK_H_

#include <cstddef>
#include <cstdint>

#include "absl/types/span.h"

namespace reflector::platform::bpf_device {

struct BpfLayout {
  uint32_t caplen_offset;   // offsetof(struct bpf_hdr, bh_caplen)
  uint32_t datalen_offset;  // offsetof(struct bpf_hdr, bh_datalen)
  uint32_t hdrlen_offset;   // offsetof(struct bpf_hdr, bh_hdrlen), a 16-bit field
  uint32_t min_hdrlen;      // the smallest bh_hdrlen that covers those fields
  uint32_t alignment;       // BPF_ALIGNMENT: BPF_WORDALIGN rounds up to a multiple of it
};

// macOS (xnu): struct timeval32 timestamp, so bh_caplen at 8; BPF_ALIGNMENT is sizeof(int32_t).
inline constexpr BpfLayout kDarwinLayout = {8, 12, 16, 18, 4};
// FreeBSD on 64-bit targets: struct timeval (16 bytes), so bh_caplen at 16; BPF_ALIGNMENT is
// sizeof(long).
inline constexpr BpfLayout kFreeBsd64Layout = {16, 20, 24, 26, 8};

// BPF_WORDALIGN.
constexpr size_t WordAlign(size_t n, uint32_t alignment) {
  return (n + alignment - 1) & ~static_cast<size_t>(alignment - 1);
}

// What a walk found besides frames.
struct WalkCounts {
  uint64_t frames = 0;     // complete frames handed out
  uint64_t empty = 0;      // bh_caplen 0
  uint64_t truncated = 0;  // bh_caplen < bh_datalen: cut by the snapshot length, not reflected
  bool malformed = false;  // a record ran past the buffer (or a header made no sense): the
                           // rest of the buffer was skipped
};

// Calls `frame(bytes)` for every complete frame in `buffer`, in order, with the bytes inside
// `buffer` (writable: the engine reflects in place). Returns what it skipped.
template <typename OnFrame>
WalkCounts WalkRecords(absl::Span<uint8_t> buffer, const BpfLayout& layout, OnFrame&& frame);

// Implementation detail, for the template.
namespace internal {
uint32_t Read32(const uint8_t* p);
uint16_t Read16(const uint8_t* p);
}  // namespace internal

template <typename OnFrame>
WalkCounts WalkRecords(absl::Span<uint8_t> buffer, const BpfLayout& layout, OnFrame&& frame) {
  WalkCounts counts;
  size_t offset = 0;
  const size_t size = buffer.size();
  while (offset < size) {
    if (size - offset < layout.min_hdrlen) {
      counts.malformed = true;
      break;
    }
    const uint8_t* header = buffer.data() + offset;
    const uint32_t caplen = internal::Read32(header + layout.caplen_offset);
    const uint32_t datalen = internal::Read32(header + layout.datalen_offset);
    const uint16_t hdrlen = internal::Read16(header + layout.hdrlen_offset);
    // Checked as differences, so that no sum can wrap.
    if (hdrlen < layout.min_hdrlen || hdrlen > size - offset ||
        caplen > size - offset - hdrlen) {
      counts.malformed = true;
      break;
    }
    if (caplen == 0) {
      ++counts.empty;
    } else if (caplen < datalen) {
      ++counts.truncated;
    } else {
      ++counts.frames;
      frame(absl::Span<uint8_t>(buffer.data() + offset + hdrlen, caplen));
    }
    const size_t next = WordAlign(static_cast<size_t>(hdrlen) + caplen, layout.alignment);
    // The last record's padding may be missing: the kernel ends the buffer at its data.
    if (next >= size - offset) break;
    offset += next;
  }
  return counts;
}

}  // namespace reflector::platform::bpf_device

#endif  // REFLECTOR_PLATFORM_BPF_DEVICE_RECORD_WALK_H_
