// STAMP / TWAMP-Light test frames and an oracle for the reflector's answer, built from the
// RFC 8762 §4.3 layout field by field rather than by running stamp.h.
#ifndef REFLECTOR_PACKET_TESTING_STAMP_FRAMES_H_
#define REFLECTOR_PACKET_TESTING_STAMP_FRAMES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/types/span.h"
#include "reflector/packet/config.h"
#include "reflector/packet/packet.h"
#include "reflector/packet/stamp_tlv.h"
#include "reflector/packet/testing/frame_builder.h"

namespace reflector::packet::testing {

inline constexpr uint16_t kTwampLightTestPort = 5862;

// The default test filter with the stamp (port 862) and twamp-light (kTwampLightTestPort)
// profiles added after the default ones.
FilterConfig StampTestFilter();

// A Session-Sender's test packet: sequence number, timestamp, error estimate (Z flag for
// PTP), SSID, zero MBZ to byte 44, then `extra` (TLVs or padding).
std::vector<uint8_t> StampSenderPayload(uint32_t sequence, uint64_t timestamp, uint16_t error,
                                        uint16_t ssid, std::vector<uint8_t> extra = {});

// A timestamp as the reflector writes it for CLOCK_TAI nanoseconds (RFC 8762 §4.2.1).
uint64_t StampTimestamp(uint64_t tai_ns, const rf_stamp_clock& clock, bool ptp);

// What a correct reflector makes of the RFC 8972 TLVs after the base packet (`tlvs`, the
// rest of the UDP payload) of a packet that arrived with ToS / traffic class `received_tos`,
// T2 taken by `t2_method` (RF_STAMP_TS_*): the TLVs it sends back and the DSCP it sends them
// with (-1: the one received).
struct StampTlvAnswer {
  std::vector<uint8_t> tlvs;
  int dscp = -1;
};
StampTlvAnswer StampReflectedTlvs(absl::Span<const uint8_t> tlvs, uint8_t received_tos,
                                  const rf_stamp_clock& clock,
                                  uint8_t t2_method = RF_STAMP_TS_SW_LOCAL);

// The payload a correct reflector answers `sender` with: as long as it, or 41 bytes
// (TWAMP-Light) or 44 (STAMP) when it is shorter; the TLVs after a STAMP sender's 44 bytes
// answered. The DSCP it sends it with goes to `dscp` when given (-1: unchanged).
std::vector<uint8_t> StampReflectedPayload(absl::Span<const uint8_t> sender, uint8_t sender_ttl,
                                           uint64_t t2_tai_ns, uint64_t t3_tai_ns,
                                           const rf_stamp_clock& clock, bool twamp,
                                           uint8_t received_tos = 0, int* dscp = nullptr);

struct StampCase {
  std::string name;
  FrameBuilder sender;         // the frame as the sender sends it
  std::vector<uint8_t> payload;  // its UDP payload
  uint8_t ttl = 64;
  uint8_t tos = 0;             // IPv4 ToS / IPv6 traffic class as sent
  Verdict verdict = Verdict::kReflect;
  std::string rule_name;       // "stamp" or "twamp-light" when reflected
  bool twamp = false;
  std::vector<uint8_t> frame() const { return sender.Build(); }
  // The whole frame a correct reflector sends back, for these times.
  std::vector<uint8_t> Expected(uint64_t t2_tai_ns, uint64_t t3_tai_ns,
                                const rf_stamp_clock& clock) const;
};

// IPv4, IPv6, one and two tags, IPv4 options, TLVs (understood, not understood, malformed,
// filling the packet, more than the reflector looks at), PTP, no UDP checksum, TWAMP-Light,
// senders shorter than the answer (14..43 bytes, whose frames grow, with no TLVs), and packets
// too short to answer; all under StampTestFilter().
const std::vector<StampCase>& StampTable();

// Where the reflector's timestamps (T3 at 4, T2 at 16) lie in a reflected frame with its UDP
// payload at `payload_offset`: those 16 bytes and the UDP checksum, which covers them.
std::vector<uint8_t> MaskStampTimes(std::vector<uint8_t> frame, size_t udp_offset);

// The dwell (T3 - T2, ns) an answer with PTP timestamps carries (seconds and nanoseconds, so
// exactly the reflector's), its UDP header at `udp_offset`.
uint64_t StampPtpDwellNs(absl::Span<const uint8_t> answer, size_t udp_offset);

}  // namespace reflector::packet::testing

#endif  // REFLECTOR_PACKET_TESTING_STAMP_FRAMES_H_
