// Offline mode end to end on arbitrary file contents: pcap-reflect's capture reader
// (platform/pcap/capture_file.h, libpcap over an fmemopen stream), then ReflectFrames under
// two configs, then the writer, exactly as `pcap-reflect --in --out` chains them.
//
// Input: the whole capture file (pcap in either byte order and precision, or pcapng), so seeds
// are ordinary capture files and any crash input opens in Wireshark.
//
// libpcap itself is a Debian library built without sanitizers: ASan sees its heap allocations
// (so its leaks and double frees) but not its reads. What is checked here is our side of the
// contract: a corrupt file is an InvalidArgument naming the capture, the frames handed over are
// whole, and the offline result adds up.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "reflector/packet/config.h"
#include "reflector/packet/packet.h"
#include "reflector/packet/testing/frame_builder.h"
#include "platform/pcap/capture_file.h"
#include "reflector/engine/offline_reflect.h"

namespace reflector::fuzz {
namespace {

using reflector::platform::pcap::CapturedFrame;
using reflector::engine::OfflineResult;

constexpr char kName[] = "fuzz.pcap";
// libpcap's own ceiling for an Ethernet frame in a file (MAXIMUM_SNAPLEN).
constexpr size_t kMaxFrame = 262144;

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "pcap_fuzzer: %s\n", what.c_str());
  std::abort();
}

// The reflector's offline mode is run as: the SPEC §6 defaults at kReflectorMac (what the
// seeds' frames are addressed to), one that lets every test frame through to the reflection,
// and the loopback profile on nearly every port (rules without a payload pattern).
const std::vector<rf_config>& Configs() {
  static const std::vector<rf_config>* const configs = [] {
    packet::FilterConfig open = packet::testing::DefaultTestFilter();
    open.dst_mac_filter = false;
    open.ouis.clear();
    open.port = 0;
    open.signatures = RF_SIGS_ALL;
    open.mode = packet::Mode::kMacIp;
    packet::FilterConfig loopback = packet::testing::DefaultTestFilter();
    loopback.profiles |= packet::ProfileBit(packet::Profile::kLoopback);
    loopback.loopback_ports = packet::PortRange{1, 65535};
    return new std::vector<rf_config>{packet::testing::DefaultTestConfig(),
                                      *packet::ToWire(open), *packet::ToWire(loopback)};
  }();
  return *configs;
}

// The writer's output, read back through a path: a memfd reached as /proc/self/fd/N keeps the
// round trip off the disk and costs no cleanup. Created once; each write truncates it.
const std::string& ScratchPath() {
  static const std::string* const path = [] {
    const int fd = memfd_create("pcap_fuzzer", 0);
    if (fd < 0) Fail("memfd_create failed");
    return new std::string(absl::StrCat("/proc/self/fd/", fd));
  }();
  return *path;
}

void CheckOffline(const std::vector<CapturedFrame>& frames, const rf_config& config) {
  const OfflineResult result = reflector::engine::ReflectFrames(frames, config);
  uint64_t verdicts = 0;
  for (uint64_t count : result.verdicts) verdicts += count;
  uint64_t by_rule = 0;
  for (uint64_t count : result.rules) by_rule += count;
  const uint64_t reflected = result.verdicts[static_cast<int>(packet::Verdict::kReflect)];
  if (result.frames != frames.size() || verdicts != frames.size()) {
    Fail("ReflectFrames lost or invented frames");
  }
  if (result.reflected.size() != reflected || by_rule != reflected) {
    Fail("reflected frames, reflect verdicts and per-rule counts do not add up");
  }
  // Reflection is in place: each reflected frame keeps its input's length and timestamp, in
  // input order.
  size_t next = 0;
  for (const CapturedFrame& frame : frames) {
    if (!packet::Classify(frame.bytes, config).reflect()) continue;
    if (next >= result.reflected.size()) Fail("a reflect verdict without a reflected frame");
    const CapturedFrame& out = result.reflected[next++];
    if (out.bytes.size() != frame.bytes.size() || out.time != frame.time) {
      Fail("a reflected frame changed length or timestamp");
    }
  }
  if (!absl::StartsWith(reflector::engine::FormatVerdictCounts(result),
                        absl::StrCat(frames.size(), " frames"))) {
    Fail("FormatVerdictCounts does not start with the frame count");
  }
}

// What pcap-reflect --out writes must read back as the same frames, with timestamps at the
// file's microsecond resolution for every second a classic pcap can hold (unsigned 32 bits;
// corpus/pcap_fuzzer/crash-timestamp-after-2038 keeps the post-2038 case).
void CheckWriteReadBack(const std::vector<CapturedFrame>& frames) {
  const absl::Status written = reflector::platform::pcap::WriteCaptureFile(ScratchPath(), frames);
  if (!written.ok()) Fail(absl::StrCat("WriteCaptureFile failed: ", written.message()));
  const absl::StatusOr<std::vector<CapturedFrame>> back =
      reflector::platform::pcap::ReadCaptureFile(ScratchPath());
  if (!back.ok()) Fail(absl::StrCat("our own pcap does not read back: ", back.status().message()));
  if (back->size() != frames.size()) Fail("the written pcap reads back a different frame count");
  for (size_t i = 0; i < frames.size(); ++i) {
    if ((*back)[i].bytes != frames[i].bytes) Fail(absl::StrCat("frame ", i + 1, " reads back different"));
    const int64_t seconds = absl::ToUnixSeconds(frames[i].time);
    if (seconds < 0 || seconds > int64_t{0xffffffff}) continue;
    if (absl::ToUnixMicros((*back)[i].time) != absl::ToUnixMicros(frames[i].time)) {
      Fail(absl::StrCat("frame ", i + 1, " reads back with another timestamp"));
    }
  }
}

void FuzzCapture(absl::Span<const uint8_t> data) {
  const absl::StatusOr<std::vector<CapturedFrame>> frames =
      reflector::platform::pcap::ReadCaptureBytes(data, kName);
  if (!frames.ok()) {
    // pcap-reflect prints this and exits 2: it must be the input's fault and say which file.
    if (frames.status().code() != absl::StatusCode::kInvalidArgument) {
      Fail(absl::StrCat("a bad capture gave a non-InvalidArgument status: ",
                        frames.status().ToString()));
    }
    if (!absl::StartsWith(frames.status().message(), absl::StrCat(kName, ": "))) {
      Fail(absl::StrCat("an error does not name the capture: ", frames.status().message()));
    }
    return;
  }
  for (const CapturedFrame& frame : *frames) {
    if (frame.bytes.size() > kMaxFrame) Fail("a frame larger than any snap length");
  }
  for (const rf_config& config : Configs()) CheckOffline(*frames, config);
  CheckWriteReadBack(*frames);
}

}  // namespace
}  // namespace reflector::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  reflector::fuzz::FuzzCapture(absl::Span<const uint8_t>(data, size));
  return 0;
}
