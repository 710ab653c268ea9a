// Builds what read(2) on a BPF device returns, for tests and fuzz seeds: bpf_hdr records in a
// given layout, each padded to the next BPF_WORDALIGN boundary.
#ifndef REFLECTOR_PLATFORM_BPF_DEVICE_BPF_BUFFER_BUILDER_H_
#define REFLECTOR_PLATFORM_BPF_DEVICE_BPF_BUFFER_BUILDER_H_

#include <cstdint>
#include <vector>

#include "platform/bpf_device/record_walk.h"

namespace reflector::platform::bpf_device {

class BpfBufferBuilder {
 public:
  explicit BpfBufferBuilder(const BpfLayout& layout) : layout_(layout) {}

  // A record capturing all of `frame`.
  BpfBufferBuilder& Add(const std::vector<uint8_t>& frame) {
    return AddRecord(frame, static_cast<uint32_t>(frame.size()));
  }
  // A record of the first `caplen` bytes of a frame that was `datalen` long on the wire
  // (`caplen` < `datalen`: the snapshot length cut it).
  BpfBufferBuilder& AddRecord(const std::vector<uint8_t>& captured, uint32_t datalen,
                              uint16_t extra_hdrlen = 0);
  // Raw bytes at the end, e.g. the start of a record the buffer cannot hold.
  BpfBufferBuilder& AddBytes(const std::vector<uint8_t>& bytes);

  // The buffer; `pad_last`: false leaves the last record unpadded, as kernels end a buffer.
  std::vector<uint8_t> Build(bool pad_last = true) const;

 private:
  BpfLayout layout_;
  std::vector<uint8_t> bytes_;
  size_t unpadded_end_ = 0;
};

}  // namespace reflector::platform::bpf_device

#endif  // REFLECTOR_PLATFORM_BPF_DEVICE_BPF_BUFFER_BUILDER_H_
