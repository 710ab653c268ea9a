#include "platform/pcap/capture_file.h"

#include <pcap/pcap.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <memory>

#include "absl/strings/str_cat.h"

namespace reflector::platform::pcap {
namespace {

// Large enough for any Ethernet frame a NIC delivers (jumbo and GRO included); the limit
// libpcap itself applies when reading.
constexpr int kSnapLength = 262144;

struct PcapCloser {
  void operator()(pcap_t* pcap) const { pcap_close(pcap); }
};
using PcapHandle = std::unique_ptr<pcap_t, PcapCloser>;

struct DumperCloser {
  void operator()(pcap_dumper_t* dumper) const { pcap_dump_close(dumper); }
};

absl::StatusOr<std::vector<CapturedFrame>> ReadAll(pcap_t* pcap, const std::string& name) {
  const int link_type = pcap_datalink(pcap);
  if (link_type != DLT_EN10MB) {
    const char* link_name = pcap_datalink_val_to_name(link_type);
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": link type ", link_name ? link_name : "unknown", " (", link_type,
                     "); only Ethernet (EN10MB) captures hold frames to reflect"));
  }
  // The file's own precision: nanosecond pcap and pcapng keep their resolution.
  const bool nanoseconds = pcap_get_tstamp_precision(pcap) == PCAP_TSTAMP_PRECISION_NANO;
  std::vector<CapturedFrame> frames;
  while (true) {
    pcap_pkthdr* header = nullptr;
    const u_char* data = nullptr;
    const int result = pcap_next_ex(pcap, &header, &data);
    if (result == PCAP_ERROR_BREAK) return frames;  // end of file
    const size_t index = frames.size() + 1;
    if (result != 1) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, ": frame ", index, ": ", pcap_geterr(pcap)));
    }
    if (header->caplen < header->len) {
      return absl::InvalidArgumentError(absl::StrCat(
          name, ": frame ", index, " was captured cut to ", header->caplen, " of its ",
          header->len, " bytes; capture with a larger snap length (tcpdump -s 0)"));
    }
    const absl::Duration fraction = nanoseconds ? absl::Nanoseconds(header->ts.tv_usec)
                                                : absl::Microseconds(header->ts.tv_usec);
    // Classic pcap stores seconds as an unsigned 32-bit field, but libpcap 1.10 sign-extends
    // it in native-order files (and not in byte-swapped ones): read both as unsigned so that
    // captures after 2038 keep their time (found by fuzz/pcap_fuzzer).
    const int64_t seconds =
        header->ts.tv_sec < 0 ? header->ts.tv_sec & 0xffffffff : header->ts.tv_sec;
    frames.push_back({absl::FromUnixSeconds(seconds) + fraction,
                      std::vector<uint8_t>(data, data + header->caplen)});
  }
}

}  // namespace

absl::StatusOr<std::vector<CapturedFrame>> ReadCaptureFile(const std::string& path) {
  char error[PCAP_ERRBUF_SIZE] = {};
  PcapHandle pcap(
      pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, error));
  if (pcap == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": not a readable capture: ", error));
  }
  return ReadAll(pcap.get(), path);
}

absl::StatusOr<std::vector<CapturedFrame>> ReadCaptureBytes(absl::Span<const uint8_t> bytes,
                                                            const std::string& name) {
  // fmemopen rejects a zero size; an empty file is simply not a capture.
  if (bytes.empty()) return absl::InvalidArgumentError(absl::StrCat(name, ": empty file"));
  std::FILE* file = fmemopen(const_cast<uint8_t*>(bytes.data()), bytes.size(), "rb");
  if (file == nullptr) return absl::ErrnoToStatus(errno, absl::StrCat(name, ": fmemopen"));
  char error[PCAP_ERRBUF_SIZE] = {};
  // On success the pcap handle owns `file` and closes it.
  PcapHandle pcap(pcap_fopen_offline_with_tstamp_precision(file, PCAP_TSTAMP_PRECISION_NANO,
                                                           error));
  if (pcap == nullptr) {
    std::fclose(file);
    return absl::InvalidArgumentError(absl::StrCat(name, ": not a readable capture: ", error));
  }
  return ReadAll(pcap.get(), name);
}

absl::Status CheckOutputIsNotInput(const std::string& in, const std::string& out) {
  struct stat in_stat;
  struct stat out_stat;
  // An output that does not exist yet cannot be the input; a missing input fails on reading.
  if (stat(in.c_str(), &in_stat) != 0 || stat(out.c_str(), &out_stat) != 0) {
    return absl::OkStatus();
  }
  if (in_stat.st_dev == out_stat.st_dev && in_stat.st_ino == out_stat.st_ino) {
    return absl::InvalidArgumentError(absl::StrCat("--out=", out, " is the input capture --in=",
                                                   in, ": write the reflected frames elsewhere"));
  }
  return absl::OkStatus();
}

absl::Status WriteCaptureFile(const std::string& path, const std::vector<CapturedFrame>& frames) {
  PcapHandle pcap(pcap_open_dead_with_tstamp_precision(DLT_EN10MB, kSnapLength,
                                                       PCAP_TSTAMP_PRECISION_MICRO));
  if (pcap == nullptr) return absl::InternalError("pcap_open_dead failed");
  std::unique_ptr<pcap_dumper_t, DumperCloser> dumper(pcap_dump_open(pcap.get(), path.c_str()));
  if (dumper == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": cannot write: ", pcap_geterr(pcap.get())));
  }
  for (const CapturedFrame& frame : frames) {
    const absl::Duration since_epoch = frame.time - absl::UnixEpoch();
    pcap_pkthdr header = {};
    header.ts.tv_sec = absl::ToInt64Seconds(since_epoch);
    header.ts.tv_usec = absl::ToInt64Microseconds(since_epoch % absl::Seconds(1));
    header.caplen = header.len = static_cast<bpf_u_int32>(frame.bytes.size());
    pcap_dump(reinterpret_cast<u_char*>(dumper.get()), &header, frame.bytes.data());
  }
  if (pcap_dump_flush(dumper.get()) != 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat(path, ": write"));
  }
  return absl::OkStatus();
}

}  // namespace reflector::platform::pcap
