// Reads and writes Ethernet capture files through libpcap: pcap (micro- or nanosecond) and
// pcapng on reading, classic microsecond pcap on writing. A corrupt or truncated file is an
// error that says which frame and what is wrong, never a crash; the byte-span reader is the
// entry point for the pcap fuzzer.
#ifndef REFLECTOR_PLATFORM_PCAP_CAPTURE_FILE_H_
#define REFLECTOR_PLATFORM_PCAP_CAPTURE_FILE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"

namespace reflector::platform::pcap {

struct CapturedFrame {
  absl::Time time;
  std::vector<uint8_t> bytes;
};

// Every frame of the capture file at `path`. Fails (InvalidArgument, naming the file and the
// frame) on an unreadable, corrupt or truncated file, a link type other than Ethernet, or a
// frame captured shorter than it was on the wire (reflecting a cut frame would be wrong).
absl::StatusOr<std::vector<CapturedFrame>> ReadCaptureFile(const std::string& path);

// The same for a capture held in memory; `name` only labels error messages.
absl::StatusOr<std::vector<CapturedFrame>> ReadCaptureBytes(absl::Span<const uint8_t> bytes,
                                                            const std::string& name = "capture");

// InvalidArgument when writing `out` would overwrite the capture `in`: the same file by any
// path (a "./" prefix, a symlink, a hard link), told by device and inode.
absl::Status CheckOutputIsNotInput(const std::string& in, const std::string& out);

// Writes `frames` as an Ethernet pcap with microsecond timestamps, replacing `path`.
absl::Status WriteCaptureFile(const std::string& path, const std::vector<CapturedFrame>& frames);

}  // namespace reflector::platform::pcap

#endif  // REFLECTOR_PLATFORM_PCAP_CAPTURE_FILE_H_
