// The pcap_fuzzer's seeds: capture files of the shared frame table written by pcap-reflect's
// own writer (classic pcap), the same frames as pcapng (which libpcap reads but cannot write),
// and the ways a capture file can be damaged: truncated, cut frames, impossible lengths, other
// link types, other byte orders and precisions.
#ifndef REFLECTOR_FUZZ_MAKE_PCAP_SEEDS_H_
#define REFLECTOR_FUZZ_MAKE_PCAP_SEEDS_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace reflector::fuzz {

// File name ("seed-pcap-...") and contents. `scratch` is a writable path the writer may use
// (WriteCaptureFile only writes files); it is left behind for the caller to remove.
absl::StatusOr<std::vector<std::pair<std::string, std::vector<uint8_t>>>> PcapSeeds(
    const std::string& scratch);

}  // namespace reflector::fuzz

#endif  // REFLECTOR_FUZZ_MAKE_PCAP_SEEDS_H_
