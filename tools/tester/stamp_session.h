// ito-tester as an RFC 8762 STAMP / RFC 5357 TWAMP-Light Session-Sender (issue 14): test
// packets over a connected UDP socket, paced, and what the reflector's answers say: round-trip
// delay without the reflector's dwell, the dwell (T3 - T2), one-way delays (meaningful only
// when both clocks are synchronised), loss, order and jitter.
#ifndef REFLECTOR_TOOLS_TESTER_STAMP_SESSION_H_
#define REFLECTOR_TOOLS_TESTER_STAMP_SESSION_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "tools/tester/stream_stats.h"

namespace reflector::tester {

enum class StampProtocol { kStamp, kTwampLight };

struct StampOptions {
  StampProtocol protocol = StampProtocol::kStamp;
  bool ptp = false;             // PTPv2 timestamps (Z flag) instead of NTP
  double rate_fps = 1000;
  absl::Duration duration = absl::Seconds(5);
  int64_t count = 0;            // 0: as many as the duration allows
  absl::Duration drain = absl::Milliseconds(200);
  // UDP payload: 44 (RFC 8762 §4.2.1) or more; down to 14, TWAMP-Light's shortest (RFC 5357
  // §4.1.2), which a reflector answers with 41 bytes (TWAMP-Light) or 44 (STAMP).
  size_t payload_size = 44;
  uint16_t ssid = 1;            // STAMP only; TWAMP-Light sends 0 (MBZ)
  // STAMP only: an RFC 8972 §4.3 Timestamp Information TLV after the base packet, asking the
  // reflector how it took T2 and T3 (payload at least 52 bytes; past that, the rest is an
  // Extra Padding TLV, so 52 or at least 56; never shorter than the base packet, which has no
  // room for TLVs).
  bool timestamp_info = false;
};

// What a reflector put in the Timestamp Information TLV of its answer (RFC 8972 §4.3): its
// flags (U: not understood, M: malformed) and the synchronization source (§5.4) and
// timestamping method (§5.5) of T2 ("in") and T3 ("out").
struct StampTimestampInfo {
  uint8_t flags = 0;
  uint8_t sync_in = 0, method_in = 0, sync_out = 0, method_out = 0;
};

// A time in ns on the sender's clock: CLOCK_REALTIME for NTP, CLOCK_TAI for PTP.
int64_t StampClockNs(bool ptp);
// The 64-bit wire timestamp of such a time, and back (NTP: seconds since 1900 and 2^-32 s;
// PTP: seconds since 1970 TAI and ns).
uint64_t ToWireTime(int64_t ns, bool ptp);
int64_t FromWireTime(uint64_t wire, bool ptp);

// The Session-Sender's test packet (RFC 8762 §4.2.1; TWAMP-Light's is the same with MBZ where
// STAMP has the SSID): `payload_size` bytes (at least 14; the SSID from 16 on), with
// `timestamp_info` the base packet, that TLV and an Extra Padding TLV for the rest (52 at least).
std::vector<uint8_t> BuildSenderPacket(uint32_t sequence, int64_t t1_ns, const StampOptions& o);

// What one answer says, in ns. T1 and T4 are the sender's, T2 and T3 the reflector's.
struct StampSample {
  uint32_t sender_sequence = 0;     // echoed
  uint32_t reflector_sequence = 0;
  int64_t t1 = 0, t2 = 0, t3 = 0, t4 = 0;
  uint16_t error_estimate = 0;      // the reflector's
  uint8_t sender_ttl = 0;           // as the reflector received it
  std::optional<StampTimestampInfo> timestamp_info;  // when the answer carries the TLV
  size_t length = 0;                // the answer's UDP payload bytes
  int64_t round_trip() const { return (t4 - t1) - (t3 - t2); }
  int64_t dwell() const { return t3 - t2; }
  int64_t forward() const { return t2 - t1; }
  int64_t backward() const { return t4 - t3; }
};
// Parses a reflector's packet received at `t4_ns`; nullopt when it is shorter than the 41 bytes
// of the reflector's fields (RFC 5357 §4.2.1; STAMP's are 44). TLVs after 44 bytes are read up
// to the first Timestamp Information TLV, or one flagged malformed.
std::optional<StampSample> ParseReflectorPacket(absl::Span<const uint8_t> packet, int64_t t4_ns,
                                                bool ptp);

// min / average / max of a series of ns values.
struct NsStats {
  int64_t count = 0;
  int64_t min = 0, max = 0;
  double sum = 0;
  void Add(int64_t v);
  double average() const { return count ? sum / count : 0; }
};

// What a session learned: the sequence numbers and round trips as for an ITO stream
// (StreamStats: loss, duplicates, order, RTT percentiles, RFC 3550 jitter), and what only
// STAMP tells: the reflector's dwell and the one-way delays.
// Loss per direction from a stateful reflector's numbers (RFC 8972 §4: its count of the
// session's packets). Between the answers to our lowest and highest sequence numbers received,
// S0 and S1, which the reflector numbered R0 and R1: it received R1 - R0 + 1 of our
// S1 - S0 + 1, the rest were lost on the way out, and of its R1 - R0 + 1 answers the ones we
// did not get were lost on the way back. What we sent before S0 or after S1 is lost in a
// direction nobody can tell. Differences only: a reflector whose count did not start with our
// first packet (a session it already knew) gives the same figures.
struct DirectionLoss {
  bool stateful = false;  // some answer's number was not ours: the reflector counts
  uint64_t outbound = 0;
  uint64_t inbound = 0;       // on the way back
  uint64_t unattributed = 0;  // after the last answer
};

struct StampResult {
  StreamSummary stream;      // round trip = (T4 - T1) - (T3 - T2)
  DirectionLoss direction;   // meaningful only with direction.stateful
  NsStats dwell, forward, backward;
  int64_t malformed = 0;     // answers too short to be the reflector's packet
  uint16_t last_error_estimate = 0;
  uint8_t last_sender_ttl = 0;
  std::optional<StampTimestampInfo> timestamp_info;  // the last answer's that carried one
  size_t answer_min = 0, answer_max = 0;  // the answers' UDP payload bytes
  double duration_s = 0;
};

// Adds answers to a session's figures; `max_frames` bounds the sequence numbers sent.
class StampCollector {
 public:
  explicit StampCollector(uint64_t max_frames);
  void Add(const StampSample& sample, uint64_t sent);
  void AddMalformed() { ++result_.malformed; }
  StampResult Finish(uint64_t sent, double duration_s);

 private:
  StreamStats stream_;
  StampResult result_;
  // The answers with our lowest and highest sequence numbers so far, and the reflector's
  // numbers on them.
  bool any_ = false;
  uint32_t lowest_sender_ = 0, lowest_reflector_ = 0;
  uint32_t highest_sender_ = 0, highest_reflector_ = 0;
};

// Sends on `fd` (a UDP socket connected to the reflector) and collects the answers until the
// duration or count is done, `stop` is set, then `drain` passes.
absl::StatusOr<StampResult> RunStampSession(int fd, const StampOptions& options,
                                            const std::atomic<bool>& stop);

// Text (one summary block) or JSON.
std::string FormatStampResult(const StampResult& result, const StampOptions& options);
std::string StampResultJson(const StampResult& result, const StampOptions& options);

}  // namespace reflector::tester

#endif  // REFLECTOR_TOOLS_TESTER_STAMP_SESSION_H_
