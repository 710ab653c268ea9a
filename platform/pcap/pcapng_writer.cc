#include "platform/pcap/pcapng_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace reflector::platform::pcap {
namespace {

// Block types and option codes (draft-ietf-opsawg-pcapng).
constexpr uint32_t kSectionHeaderBlock = 0x0A0D0D0A;
constexpr uint32_t kInterfaceDescriptionBlock = 1;
constexpr uint32_t kEnhancedPacketBlock = 6;
constexpr uint32_t kByteOrderMagic = 0x1A2B3C4D;
constexpr uint16_t kOptEnd = 0;
constexpr uint16_t kOptComment = 1;
constexpr uint16_t kShbUserAppl = 4;
constexpr uint16_t kIfName = 2;
constexpr uint16_t kIfTsResol = 9;
constexpr uint16_t kEpbFlags = 2;
constexpr uint16_t kLinkTypeEthernet = 1;
constexpr uint8_t kNanoseconds = 9;
constexpr size_t kMaxNameBytes = 64;

void Put16(std::string& out, uint16_t v) { out.append(reinterpret_cast<const char*>(&v), 2); }
void Put32(std::string& out, uint32_t v) { out.append(reinterpret_cast<const char*>(&v), 4); }
void Pad32(std::string& out) {
  while (out.size() % 4 != 0) out.push_back('\0');
}

// One option: code, length, value, padding. `value` is at most 65535 bytes by construction
// (callers bound it), checked again here.
void PutOption(std::string& out, uint16_t code, absl::string_view value) {
  const size_t length = std::min<size_t>(value.size(), 0xFFFF);
  Put16(out, code);
  Put16(out, static_cast<uint16_t>(length));
  out.append(value.data(), length);
  Pad32(out);
}

// Starts a block at out.size(); FinishBlock fills in both length fields.
size_t StartBlock(std::string& out, uint32_t type) {
  const size_t start = out.size();
  Put32(out, type);
  Put32(out, 0);  // total length, filled in by FinishBlock
  return start;
}

void FinishBlock(std::string& out, size_t start) {
  Pad32(out);
  const uint32_t total = static_cast<uint32_t>(out.size() - start + 4);
  std::memcpy(out.data() + start + 4, &total, 4);
  Put32(out, total);
}

}  // namespace

std::string SanitizeComment(absl::string_view text) {
  constexpr absl::string_view kCut = "...";
  constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(std::min(text.size() + 8, kMaxCommentBytes));
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    const bool plain = byte >= 0x20 && byte < 0x7F && byte != '\\';
    const size_t width = plain ? 1 : byte == '\\' ? 2 : 4;
    if (out.size() + width > kMaxCommentBytes - kCut.size()) {
      out.append(kCut.data(), kCut.size());
      return out;
    }
    if (plain) {
      out.push_back(c);
    } else if (byte == '\\') {
      out.append("\\\\");
    } else {
      out.append("\\x");
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0x0F]);
    }
  }
  return out;
}

void AppendSectionHeader(std::string& out, absl::string_view application) {
  const size_t start = StartBlock(out, kSectionHeaderBlock);
  Put32(out, kByteOrderMagic);
  Put16(out, 1);  // major version
  Put16(out, 0);  // minor version
  Put32(out, 0xFFFFFFFF);  // section length: not given (-1 as a 64-bit value)
  Put32(out, 0xFFFFFFFF);
  PutOption(out, kShbUserAppl, SanitizeComment(application.substr(0, kMaxNameBytes)));
  Put16(out, kOptEnd);
  Put16(out, 0);
  FinishBlock(out, start);
}

void AppendInterfaceDescription(std::string& out, const PcapngInterface& interface) {
  const size_t start = StartBlock(out, kInterfaceDescriptionBlock);
  Put16(out, kLinkTypeEthernet);
  Put16(out, 0);  // reserved
  Put32(out, interface.snap_length);
  PutOption(out, kIfName, SanitizeComment(absl::string_view(interface.name).substr(0, kMaxNameBytes)));
  PutOption(out, kIfTsResol, absl::string_view(reinterpret_cast<const char*>(&kNanoseconds), 1));
  Put16(out, kOptEnd);
  Put16(out, 0);
  FinishBlock(out, start);
}

void AppendEnhancedPacket(std::string& out, const PcapngPacket& packet) {
  const size_t captured = std::min(packet.bytes.size(), kMaxCapturedBytes);
  const uint32_t original = std::max<uint32_t>(packet.original_length, captured);
  // Nanoseconds since the epoch (if_tsresol 9); a time before 1970 is written as 0.
  const int64_t ns = std::max<int64_t>(absl::ToUnixNanos(packet.time), 0);
  const auto stamp = static_cast<uint64_t>(ns);
  const size_t start = StartBlock(out, kEnhancedPacketBlock);
  Put32(out, packet.interface_id);
  Put32(out, static_cast<uint32_t>(stamp >> 32));
  Put32(out, static_cast<uint32_t>(stamp));
  Put32(out, static_cast<uint32_t>(captured));
  Put32(out, original);
  if (captured != 0) out.append(reinterpret_cast<const char*>(packet.bytes.data()), captured);
  Pad32(out);
  if (!packet.comment.empty()) PutOption(out, kOptComment, SanitizeComment(packet.comment));
  if (packet.direction != Direction::kUnknown) {
    const uint32_t flags = static_cast<uint32_t>(packet.direction);
    PutOption(out, kEpbFlags, absl::string_view(reinterpret_cast<const char*>(&flags), 4));
  }
  Put16(out, kOptEnd);
  Put16(out, 0);
  FinishBlock(out, start);
}

absl::StatusOr<PcapngFile> PcapngFile::Create(const std::string& path,
                                              const std::vector<PcapngInterface>& interfaces,
                                              uint64_t max_bytes) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return absl::PermissionDeniedError(
        absl::StrCat("cannot write capture ", path, ": ", std::strerror(errno)));
  }
  PcapngFile file(fd, path, max_bytes);
  std::string header;
  AppendSectionHeader(header, "reflector");
  for (const PcapngInterface& interface : interfaces) AppendInterfaceDescription(header, interface);
  if (absl::Status written = file.WriteBytes(header); !written.ok()) return written;
  return file;
}

PcapngFile::PcapngFile(int fd, std::string path, uint64_t max_bytes)
    : fd_(fd), path_(std::move(path)), max_bytes_(max_bytes) {}

PcapngFile::PcapngFile(PcapngFile&& other) noexcept { *this = std::move(other); }

PcapngFile& PcapngFile::operator=(PcapngFile&& other) noexcept {
  if (this == &other) return *this;
  if (fd_ >= 0) close(fd_);
  fd_ = std::exchange(other.fd_, -1);
  path_ = std::move(other.path_);
  max_bytes_ = other.max_bytes_;
  bytes_ = other.bytes_;
  return *this;
}

PcapngFile::~PcapngFile() {
  if (fd_ >= 0) close(fd_);
}

absl::Status PcapngFile::WriteBytes(const std::string& block) {
  size_t done = 0;
  while (done < block.size()) {
    const ssize_t n = write(fd_, block.data() + done, block.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int error = n < 0 ? errno : ENOSPC;
      // Cut back to the last whole block, so the file stays readable.
      if (ftruncate(fd_, static_cast<off_t>(bytes_)) == 0) {
        lseek(fd_, static_cast<off_t>(bytes_), SEEK_SET);
      }
      return absl::ResourceExhaustedError(
          absl::StrCat("cannot write capture ", path_, ": ", std::strerror(error)));
    }
    done += static_cast<size_t>(n);
  }
  bytes_ += block.size();
  return absl::OkStatus();
}

absl::StatusOr<bool> PcapngFile::Write(const PcapngPacket& packet) {
  block_.clear();
  AppendEnhancedPacket(block_, packet);
  if (max_bytes_ != 0 && bytes_ + block_.size() > max_bytes_) return false;
  if (absl::Status written = WriteBytes(block_); !written.ok()) return written;
  return true;
}

}  // namespace reflector::platform::pcap
