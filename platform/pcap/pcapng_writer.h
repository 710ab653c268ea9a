// Writes pcapng files whose packets carry a comment (opt_comment) and a direction (epb_flags):
// what Wireshark shows next to a frame. Debian 12's libpcap (1.10) writes only classic pcap, so
// this is a small writer of its own: one section header, interface descriptions, enhanced packet
// blocks. Every length is checked before it is written; comment text from a frame is escaped and
// bounded (SanitizeComment), so a hostile frame cannot make a block that readers misparse.
#ifndef REFLECTOR_PLATFORM_PCAP_PCAPNG_WRITER_H_
#define REFLECTOR_PLATFORM_PCAP_PCAPNG_WRITER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"

namespace reflector::platform::pcap {

// Longest comment written, after escaping; longer ones end in "...".
inline constexpr size_t kMaxCommentBytes = 512;
// Largest frame a packet block carries (captured bytes); longer ones are cut to it.
inline constexpr size_t kMaxCapturedBytes = 65535;

struct PcapngInterface {
  std::string name;          // if_name, e.g. "eth0"
  uint32_t snap_length = 0;  // the capture's snap length (0: none)
};

// epb_flags bits 0-1.
enum class Direction : uint8_t { kUnknown = 0, kInbound = 1, kOutbound = 2 };

struct PcapngPacket {
  uint32_t interface_id = 0;  // index into the interfaces written before it
  absl::Time time;
  absl::Span<const uint8_t> bytes;  // as captured (cut to the snap length)
  uint32_t original_length = 0;     // on the wire; at least bytes.size()
  Direction direction = Direction::kUnknown;
  absl::string_view comment;  // SanitizeComment is applied to it
};

// Printable ASCII stays (a backslash is doubled); every other byte becomes \xNN. Cut to
// kMaxCommentBytes with a trailing "...".
std::string SanitizeComment(absl::string_view text);

// Appends one block to `out` (little-endian, as this host writes it).
void AppendSectionHeader(std::string& out, absl::string_view application);
void AppendInterfaceDescription(std::string& out, const PcapngInterface& interface);
void AppendEnhancedPacket(std::string& out, const PcapngPacket& packet);

// A pcapng file being written: the section header and the interfaces first, then packets.
// Nothing is buffered across calls: each packet is one write(2), so a file cut by a full disk
// ends at a block boundary readers accept.
class PcapngFile {
 public:
  // Creates (or replaces) `path`. `max_bytes` bounds the file (0: no bound): a packet that would
  // pass it is refused (Write returns false), the file stays valid.
  static absl::StatusOr<PcapngFile> Create(const std::string& path,
                                           const std::vector<PcapngInterface>& interfaces,
                                           uint64_t max_bytes = 0);
  PcapngFile(PcapngFile&& other) noexcept;
  PcapngFile& operator=(PcapngFile&& other) noexcept;
  ~PcapngFile();

  // True when written, false when the size bound refused it; an error when the write failed
  // (full disk...), naming the file.
  absl::StatusOr<bool> Write(const PcapngPacket& packet);
  uint64_t bytes_written() const { return bytes_; }
  const std::string& path() const { return path_; }

 private:
  PcapngFile(int fd, std::string path, uint64_t max_bytes);
  absl::Status WriteBytes(const std::string& block);

  int fd_ = -1;
  std::string path_;
  uint64_t max_bytes_ = 0;
  uint64_t bytes_ = 0;
  std::string block_;  // reused between packets
};

}  // namespace reflector::platform::pcap

#endif  // REFLECTOR_PLATFORM_PCAP_PCAPNG_WRITER_H_
