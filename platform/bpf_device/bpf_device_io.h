// The BPF device data path's FrameIo on macOS and FreeBSD: a /dev/bpf* descriptor bound to the
// interface (BIOCSETIF) with a 4 MB buffer (BIOCSBLEN), immediate mode (BIOCIMMEDIATE), the
// classic BPF candidate filter (BIOCSETF, platform/classic_bpf), our own source MACs on write
// (BIOCSHDRCMPLT) and our own writes not read back. Receive walks each read's bpf_hdr records
// (record_walk.h); Transmit writes each reflected frame back, one write(2) per frame: neither
// system's BPF device takes several frames per write.
//
// Built only on macOS and FreeBSD; never built or run yet (no such machine here).
#ifndef REFLECTOR_PLATFORM_BPF_DEVICE_BPF_DEVICE_IO_H_
#define REFLECTOR_PLATFORM_BPF_DEVICE_BPF_DEVICE_IO_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "platform/bpf_device/frame_queue.h"
#include "platform/frame_io.h"
#include "reflector/base/unique_fd.h"

namespace reflector::platform::bpf_device {

class BpfDeviceIo : public FrameIo {
 public:
  static absl::StatusOr<std::unique_ptr<BpfDeviceIo>> Open(const std::string& interface);

  absl::StatusOr<size_t> Receive(absl::Span<Frame> frames, absl::Duration timeout) override;
  absl::Status Transmit(absl::Span<const Frame> frames) override;
  void Release(absl::Span<const Frame>) override {}  // the frames live in the read buffer
  IoStats stats() const override { return stats_; }
  std::string Describe() const override { return description_; }

 private:
  BpfDeviceIo(reflector::UniqueFd fd, size_t buffer_bytes, std::string description);

  reflector::UniqueFd fd_;
  std::vector<uint8_t> buffer_;
  FrameQueue queue_;
  std::string description_;
  IoStats stats_;
};

}  // namespace reflector::platform::bpf_device

#endif  // REFLECTOR_PLATFORM_BPF_DEVICE_BPF_DEVICE_IO_H_
