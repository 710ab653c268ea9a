#include "platform/bpf_device/bpf_device_io.h"

#include <fcntl.h>
#include <net/bpf.h>
#include <net/if.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "platform/classic_bpf/candidate_filter.h"

namespace reflector::platform::bpf_device {
namespace {

#if defined(__APPLE__)
constexpr BpfLayout kLayout = kDarwinLayout;
#else
constexpr BpfLayout kLayout = kFreeBsd64Layout;
#endif
// The walk reads the header where <net/bpf.h> puts it, and aligns as BPF_WORDALIGN does.
static_assert(offsetof(struct bpf_hdr, bh_caplen) == kLayout.caplen_offset);
static_assert(offsetof(struct bpf_hdr, bh_datalen) == kLayout.datalen_offset);
static_assert(offsetof(struct bpf_hdr, bh_hdrlen) == kLayout.hdrlen_offset);
static_assert(BPF_WORDALIGN(1) == kLayout.alignment);
static_assert(sizeof(struct bpf_insn) == sizeof(classic_bpf::Instruction));

constexpr u_int kBufferBytes = 4 << 20;

absl::Status Errno(absl::string_view what) {
  return absl::InternalError(absl::StrCat(what, ": ", std::strerror(errno)));
}

// The first free /dev/bpfN (FreeBSD's /dev/bpf clones; macOS has a fixed set).
absl::StatusOr<reflector::UniqueFd> OpenDevice() {
  reflector::UniqueFd fd(open("/dev/bpf", O_RDWR | O_CLOEXEC));
  if (fd.get() >= 0) return fd;
  for (int i = 0; i < 256; ++i) {
    const std::string path = absl::StrCat("/dev/bpf", i);
    reflector::UniqueFd numbered(open(path.c_str(), O_RDWR | O_CLOEXEC));
    if (numbered.get() >= 0) return numbered;
    if (errno != EBUSY) {
      return Errno(absl::StrCat(path, " (run as root, or give this user the BPF devices)"));
    }
  }
  return absl::ResourceExhaustedError("every /dev/bpf* is busy");
}

}  // namespace

BpfDeviceIo::BpfDeviceIo(reflector::UniqueFd fd, size_t buffer_bytes, std::string description)
    : fd_(std::move(fd)),
      buffer_(buffer_bytes),
      queue_(kLayout, buffer_bytes),
      description_(std::move(description)) {}

absl::StatusOr<std::unique_ptr<BpfDeviceIo>> BpfDeviceIo::Open(const std::string& interface) {
  absl::StatusOr<reflector::UniqueFd> fd = OpenDevice();
  if (!fd.ok()) return fd.status();
  const int d = fd->get();
  // The buffer size must be set before the interface.
  u_int buffer_bytes = kBufferBytes;
  if (ioctl(d, BIOCSBLEN, &buffer_bytes) != 0) return Errno("BIOCSBLEN");
  ifreq request = {};
  std::strncpy(request.ifr_name, interface.c_str(), sizeof(request.ifr_name) - 1);
  if (ioctl(d, BIOCSETIF, &request) != 0) return Errno(absl::StrCat("BIOCSETIF ", interface));
  u_int on = 1;
  if (ioctl(d, BIOCIMMEDIATE, &on) != 0) return Errno("BIOCIMMEDIATE");
  if (ioctl(d, BIOCSHDRCMPLT, &on) != 0) return Errno("BIOCSHDRCMPLT");
#if defined(__APPLE__)
  u_int off = 0;
  if (ioctl(d, BIOCSSEESENT, &off) != 0) return Errno("BIOCSSEESENT");
#else
  u_int direction = BPF_D_IN;
  if (ioctl(d, BIOCSDIRECTION, &direction) != 0) return Errno("BIOCSDIRECTION");
#endif
  std::vector<classic_bpf::Instruction> program = classic_bpf::CandidateFilterProgram();
  std::vector<bpf_insn> instructions;
  for (const classic_bpf::Instruction& i : program) {
    instructions.push_back(bpf_insn{i.code, i.jt, i.jf, i.k});
  }
  bpf_program filter = {static_cast<u_int>(instructions.size()), instructions.data()};
  if (ioctl(d, BIOCSETF, &filter) != 0) return Errno("BIOCSETF (candidate frame filter)");
  if (ioctl(d, BIOCGBLEN, &buffer_bytes) != 0) return Errno("BIOCGBLEN");
  return std::unique_ptr<BpfDeviceIo>(new BpfDeviceIo(
      *std::move(fd), buffer_bytes,
      absl::StrCat("bpf device ", interface, " (", buffer_bytes >> 10, " KiB buffer)")));
}

absl::StatusOr<size_t> BpfDeviceIo::Receive(absl::Span<Frame> frames, absl::Duration timeout) {
  if (queue_.empty()) {
    pollfd ready = {fd_.get(), POLLIN, 0};
    const int waited = poll(&ready, 1, static_cast<int>(absl::ToInt64Milliseconds(timeout)));
    if (waited < 0 && errno != EINTR) return Errno("poll on the BPF device");
    if (waited <= 0) return 0;
    const ssize_t n = read(fd_.get(), buffer_.data(), buffer_.size());
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) return 0;
      return Errno("read from the BPF device");
    }
    const WalkCounts counts = queue_.Load(absl::MakeSpan(buffer_.data(), n));
    // Cut or empty captures cannot be reflected; a malformed buffer loses its rest.
    stats_.rx_dropped += counts.truncated + counts.empty + (counts.malformed ? 1 : 0);
  }
  const size_t taken = queue_.Take(frames);
  stats_.rx_frames += taken;
  return taken;
}

absl::Status BpfDeviceIo::Transmit(absl::Span<const Frame> frames) {
  for (const Frame& frame : frames) {
    if (write(fd_.get(), frame.data, frame.length) == static_cast<ssize_t>(frame.length)) {
      ++stats_.tx_frames;
    } else {
      ++stats_.tx_dropped;
    }
  }
  return absl::OkStatus();
}

}  // namespace reflector::platform::bpf_device
