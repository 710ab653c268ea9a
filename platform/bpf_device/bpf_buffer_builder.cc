#include "platform/bpf_device/bpf_buffer_builder.h"

#include <cstring>

namespace reflector::platform::bpf_device {
namespace {

void Put(std::vector<uint8_t>& bytes, size_t at, const void* value, size_t size) {
  std::memcpy(bytes.data() + at, value, size);
}

}  // namespace

BpfBufferBuilder& BpfBufferBuilder::AddRecord(const std::vector<uint8_t>& captured,
                                              uint32_t datalen, uint16_t extra_hdrlen) {
  const size_t start = bytes_.size();
  // bh_hdrlen as the kernel sets it: the header padded so the frame's IP header is aligned.
  const uint16_t hdrlen =
      static_cast<uint16_t>(WordAlign(layout_.min_hdrlen + 14, layout_.alignment) - 14) +
      extra_hdrlen;
  bytes_.resize(start + hdrlen, 0);
  const uint32_t caplen = static_cast<uint32_t>(captured.size());
  Put(bytes_, start + layout_.caplen_offset, &caplen, sizeof(caplen));
  Put(bytes_, start + layout_.datalen_offset, &datalen, sizeof(datalen));
  Put(bytes_, start + layout_.hdrlen_offset, &hdrlen, sizeof(hdrlen));
  bytes_.insert(bytes_.end(), captured.begin(), captured.end());
  unpadded_end_ = bytes_.size();
  bytes_.resize(start + WordAlign(hdrlen + caplen, layout_.alignment), 0);
  return *this;
}

BpfBufferBuilder& BpfBufferBuilder::AddBytes(const std::vector<uint8_t>& bytes) {
  bytes_.insert(bytes_.end(), bytes.begin(), bytes.end());
  unpadded_end_ = bytes_.size();
  return *this;
}

std::vector<uint8_t> BpfBufferBuilder::Build(bool pad_last) const {
  std::vector<uint8_t> buffer = bytes_;
  if (!pad_last) buffer.resize(unpadded_end_);
  return buffer;
}

}  // namespace reflector::platform::bpf_device
