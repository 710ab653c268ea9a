// The classic BPF candidate filter, written once for every kernel that runs classic BPF on
// received frames: Linux packet sockets (SO_ATTACH_FILTER, platform/afpacket) and the BSD/macOS
// BPF device (BIOCSETF, platform/bpf_device). It is a coarse pre-filter, not the classifier:
// the engine classifies every frame it gets (SPEC §3), so the filter may pass too much but must
// never drop a frame the classifier would reflect.
//
// The instruction encoding is classic BPF's, the same on every system (Linux's sock_filter and
// BSD's bpf_insn are this struct; each backend checks that with a static_assert), so this
// header needs neither <linux/filter.h> nor <net/bpf.h>.
#ifndef REFLECTOR_PLATFORM_CLASSIC_BPF_CANDIDATE_FILTER_H_
#define REFLECTOR_PLATFORM_CLASSIC_BPF_CANDIDATE_FILTER_H_

#include <cstdint>
#include <vector>

namespace reflector::platform::classic_bpf {

struct Instruction {
  uint16_t code;
  uint8_t jt;
  uint8_t jf;
  uint32_t k;
};
static_assert(sizeof(Instruction) == 8, "classic BPF instructions are 8 bytes");

// Accepts frames with a unicast destination MAC, at most two inline 802.1Q/802.1ad tags, IPv4
// or IPv6, and UDP as the IP protocol or IPv6 next header; and CFM (EtherType 0x8902, for the
// Y.1731 responder, which the workers run on frames the classifier rejects) to a unicast MAC,
// or an LBM to a class-1 multicast address (01:80:C2:00:00:30-37). That last one goes up
// whether or not --y1731_multicast_lbm is on: the setting is reloadable and the workers' own
// check applies it (counting the frame by reason when off, as XDP does), so no filter needs
// swapping on a reload; a multicast LBM is an operator's rare diagnostic, while CCMs (the
// periodic class-1 traffic) stay out. Everything else, and every frame too short to tell, is
// dropped. On Linux the kernel has taken the outer tag out before a
// packet socket's filter runs; the BSD BPF device sees every tag inline. Two inline tags cover
// both: the classifier reflects at most two.
std::vector<Instruction> CandidateFilterProgram();

}  // namespace reflector::platform::classic_bpf

#endif  // REFLECTOR_PLATFORM_CLASSIC_BPF_CANDIDATE_FILTER_H_
