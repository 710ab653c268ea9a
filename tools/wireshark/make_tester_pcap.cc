// Writes a pcap of ito-tester stream frames with known trailers for the dissector test: for
// each stream (LATENCY over IPv4, RFC2544 over IPv6 in VLAN 100, no signature to port 5001),
// stream id 0xbeef and sequences 0, 1, 2 sent at 1000000 + 10 * sequence ns.
//   make_tester_pcap OUT.pcap
#include <cstdio>
#include <optional>
#include <vector>

#include "absl/time/time.h"
#include "platform/pcap/capture_file.h"
#include "reflector/packet/testing/frame_builder.h"
#include "tools/tester/stream_frame.h"

namespace {

using reflector::packet::Signature;
using reflector::tester::StreamFrame;
using reflector::tester::StreamSpec;
namespace lab = reflector::packet::testing;

StreamSpec Spec(std::optional<Signature> signature, bool ipv6, uint16_t vlan, uint16_t port) {
  StreamSpec spec;
  spec.signature = signature;
  spec.stream_id = 0xbeef;
  spec.addresses.src_mac = lab::kTesterMac;
  spec.addresses.dst_mac = lab::kReflectorMac;
  spec.addresses.ipv6 = ipv6;
  spec.addresses.src4 = lab::kTesterIpv4;
  spec.addresses.dst4 = lab::kReflectorIpv4;
  spec.addresses.src6 = lab::kTesterIpv6;
  spec.addresses.dst6 = lab::kReflectorIpv6;
  spec.addresses.src_port = 49152;
  spec.addresses.dst_port = port;
  spec.addresses.vlan_id = vlan;
  return spec;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fputs("usage: make_tester_pcap OUT.pcap\n", stderr);
    return 2;
  }
  std::vector<reflector::platform::pcap::CapturedFrame> frames;
  for (const StreamSpec& spec : {Spec(Signature::kLatency, false, 0, 3842),
                                 Spec(Signature::kRfc2544, true, 100, 3842),
                                 Spec(std::nullopt, false, 0, 5001)}) {
    absl::StatusOr<StreamFrame> frame = StreamFrame::Build(spec);
    if (!frame.ok()) {
      std::fprintf(stderr, "make_tester_pcap: %s\n", frame.status().ToString().c_str());
      return 1;
    }
    for (uint32_t seq = 0; seq < 3; ++seq) {
      std::vector<uint8_t> bytes(frame->bytes().begin(), frame->bytes().end());
      frame->Stamp(absl::MakeSpan(bytes), seq, 1000000 + 10 * seq);
      frames.push_back({absl::FromUnixSeconds(1800000000 + frames.size()), std::move(bytes)});
    }
  }
  const absl::Status written = reflector::platform::pcap::WriteCaptureFile(argv[1], frames);
  if (!written.ok()) std::fprintf(stderr, "make_tester_pcap: %s\n", written.ToString().c_str());
  return written.ok() ? 0 : 1;
}
