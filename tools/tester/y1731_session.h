// ito-tester as a Y.1731 / 802.1ag MEP that measures (issue 14): DMM (two-way delay, ITU-T
// G.8013/Y.1731 §8.2) or SLM (synthetic loss, §8.4) frames from the tester's interface to a
// responder's MAC on a raw packet socket, paced, and what the answers (DMR, SLR) say. Answers
// are stamped by the kernel on arrival (RxTimeb), as the ITO path's reflections are.
#ifndef REFLECTOR_TOOLS_TESTER_Y1731_SESSION_H_
#define REFLECTOR_TOOLS_TESTER_Y1731_SESSION_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "reflector/packet/config.h"
#include "tools/tester/stamp_session.h"
#include "tools/tester/stream_stats.h"

namespace reflector::tester {

enum class Y1731Protocol { kDmm, kSlm };

struct Y1731Options {
  Y1731Protocol protocol = Y1731Protocol::kDmm;
  packet::MacAddress src_mac = {};  // the tester's interface
  packet::MacAddress dst_mac = {};  // the responder
  uint8_t level = 0;                // MEG level 0-7
  uint16_t vlan = 0;                // 802.1Q VLAN ID; 0 = untagged
  uint16_t mep_id = 1;              // our MEP ID (SLM's Source MEP ID)
  uint32_t test_id = 1;             // SLM: the responder counts its SLRs per test ID
  double rate_fps = 1000;
  absl::Duration duration = absl::Seconds(5);
  int64_t count = 0;  // 0: as many as the duration allows
  absl::Duration drain = absl::Milliseconds(200);
};

// The request frames: Ethernet (with the tag when `vlan`), CFM common header at `level`, the
// OpCode's fixed fields, an End TLV, zero padding to 60 bytes. DMM carries `tx_time_ns` (PTP
// time: ns since 1970 TAI) as TxTimeStampf; SLM carries `tx_fcf`, the SLMs sent so far, this
// one included.
std::vector<uint8_t> BuildDmm(const Y1731Options& o, int64_t tx_time_ns);
std::vector<uint8_t> BuildSlm(const Y1731Options& o, uint32_t tx_fcf);

// A DMR's four times in ns of PTP time: TxTimeStampf (ours, echoed), RxTimeStampf and
// TxTimeStampb (the responder's), RxTimeb (our kernel's receive stamp).
struct DmrSample {
  int64_t tx_f = 0, rx_f = 0, tx_b = 0, rx_b = 0;
  // §8.2: (RxTimeb − TxTimeStampf) − (TxTimeStampb − RxTimeStampf).
  int64_t round_trip() const { return raw_round_trip() - dwell(); }
  int64_t raw_round_trip() const { return rx_b - tx_f; }
  int64_t dwell() const { return tx_b - rx_f; }
  // One way: meaningful only when both clocks are synchronised.
  int64_t forward() const { return rx_f - tx_f; }
  int64_t backward() const { return rx_b - tx_b; }
};

// An SLR's fields (§9.22).
struct SlrFields {
  uint16_t source_mep = 0;
  uint16_t responder_mep = 0;
  uint32_t test_id = 0;
  uint32_t tx_fcf = 0;  // echoed: the SLMs we had sent with this one
  uint32_t tx_fcb = 0;  // the SLRs the responder had sent for this test with this one
};

// The answer to our requests in a received frame (its outer tag may be in metadata, missing
// from the bytes): a CFM frame from the responder to us at our level with OpCode DMR (SLR)
// and that OpCode's TLV offset, long enough for its fields. nullopt for anything else.
std::optional<DmrSample> ParseDmr(absl::Span<const uint8_t> frame, const Y1731Options& o,
                                  int64_t rx_time_ns);
std::optional<SlrFields> ParseSlr(absl::Span<const uint8_t> frame, const Y1731Options& o);
// Whether the frame is CFM from the responder to us at all (a reply we could not parse is
// counted as malformed, not as someone else's traffic).
bool IsCfmFromResponder(absl::Span<const uint8_t> frame, const Y1731Options& o);

// §8.4.1 single-ended synthetic loss between two SLRs of one test (tp earlier, tc later):
// far end (forward, our SLMs the responder never saw) = |TxFCf[tc] − TxFCf[tp]| −
// |TxFCb[tc] − TxFCb[tp]|; near end (backward, SLRs that never reached us) =
// |TxFCb[tc] − TxFCb[tp]| − |RxFCl[tc] − RxFCl[tp]|. Counters wrap at 2^32.
struct SlmCounts {
  uint32_t tx_fcf = 0;
  uint32_t tx_fcb = 0;
  uint32_t rx_fcl = 0;  // SLRs of the test we received, this one included
};
struct SlmLoss {
  int64_t forward = 0;
  int64_t backward = 0;
};
SlmLoss SlmLossBetween(const SlmCounts& tp, const SlmCounts& tc);

struct Y1731Result {
  StreamSummary stream;  // DMM: round trip = the §8.2 two-way delay; SLM: the local round trip
  int64_t malformed = 0;
  double duration_s = 0;
  // DMM.
  NsStats raw_round_trip, dwell, forward, backward;
  // DMRs whose responder dwell exceeds their raw round trip (a negative two-way delay): a
  // responder clock that runs fast or timestamps out of order. Counted; their figures stay in.
  int64_t dwell_beyond_round_trip = 0;
  // SLM: the last SLR (the one with the highest TxFCf) and the loss since the test began.
  std::optional<SlmCounts> last;
  SlmLoss loss;
  // SLMs after the last SLR that came back: lost one way or the other, which no counter tells.
  uint64_t unattributed = 0;
  // The responder's count for the test was already running (a test ID used before): the loss
  // is measured from the first SLR instead of from the test's start.
  bool responder_count_preceded = false;
};

// Adds answers to a session's figures; `max_frames` bounds the sequence numbers sent.
class Y1731Collector {
 public:
  Y1731Collector(Y1731Protocol protocol, uint64_t max_frames);
  // A DMR; `sent_times` are the TxTimeStampf values sent so far, ascending (the sequence
  // number of an answer is its TxTimeStampf's place there).
  void AddDmr(const DmrSample& sample, const std::vector<int64_t>& sent_times);
  // An SLR received at `rx_time_ns` for an SLM sent at `sent_times[tx_fcf - 1]`.
  void AddSlr(const SlrFields& slr, const std::vector<int64_t>& sent_times, int64_t rx_time_ns);
  void AddMalformed() { ++result_.malformed; }
  Y1731Result Finish(uint64_t sent, double duration_s);

 private:
  Y1731Protocol protocol_;
  StreamStats stream_;
  Y1731Result result_;
  std::optional<SlmCounts> first_;
  uint32_t rx_fcl_ = 0;
};

// Sends on `fd` (a raw packet socket bound to the tester's interface, with kernel receive
// stamps on: SO_TIMESTAMPNS) and collects the answers until the duration or count is done,
// `stop` is set, then `drain` passes.
absl::StatusOr<Y1731Result> RunY1731Session(int fd, const Y1731Options& options,
                                            const std::atomic<bool>& stop);

// Text (one summary block) or JSON.
std::string FormatY1731Result(const Y1731Result& result, const Y1731Options& options);
std::string Y1731ResultJson(const Y1731Result& result, const Y1731Options& options);

}  // namespace reflector::tester

#endif  // REFLECTOR_TOOLS_TESTER_Y1731_SESSION_H_
