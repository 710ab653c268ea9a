#include "tools/tester/y1731_session.h"

#include <sys/socket.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "reflector/daemon/stamp_clock.h"
#include "reflector/packet/cfm.h"
#include "tools/tester/paced_exchange.h"

namespace reflector::tester {
namespace {

constexpr size_t kMinFrame = 60;  // without FCS
constexpr int64_t kNsPerS = 1'000'000'000;
constexpr uint8_t kEndTlv = 0;

void PutBe(uint8_t* p, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) p[i] = static_cast<uint8_t>(v >> (8 * (bytes - 1 - i)));
}
uint64_t GetBe(const uint8_t* p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | p[i];
  return v;
}

// A request: MACs, the tag, the CFM header and `fixed` bytes of fields (zero), an End TLV,
// padding. Returns the frame; the fields start at the returned offset.
std::vector<uint8_t> Request(const Y1731Options& o, uint8_t opcode, uint8_t fixed,
                             size_t* fields) {
  std::vector<uint8_t> frame;
  frame.insert(frame.end(), o.dst_mac.begin(), o.dst_mac.end());
  frame.insert(frame.end(), o.src_mac.begin(), o.src_mac.end());
  if (o.vlan != 0) {
    frame.insert(frame.end(), {0x81, 0x00, static_cast<uint8_t>(o.vlan >> 8),
                               static_cast<uint8_t>(o.vlan)});
  }
  frame.insert(frame.end(), {0x89, 0x02, static_cast<uint8_t>((o.level & 7) << 5), opcode, 0,
                             fixed});
  *fields = frame.size();
  frame.resize(frame.size() + fixed, 0);
  frame.push_back(kEndTlv);
  if (frame.size() < kMinFrame) frame.resize(kMinFrame, 0);
  return frame;
}

// The offset of the fields of an answer with `opcode` (TLV offset `fixed`) from the responder
// to us at our level, or 0 when the frame is not one.
size_t AnswerFields(absl::Span<const uint8_t> frame, const Y1731Options& o, uint8_t opcode,
                    uint8_t fixed) {
  if (!IsCfmFromResponder(frame, o)) return 0;
  size_t type_at = 12;
  while (GetBe(&frame[type_at], 2) != RF_ETHERTYPE_CFM) type_at += 4;  // checked above
  const size_t h = type_at + 2;
  if (frame.size() < h + RF_CFM_HLEN + fixed) return 0;
  if (frame[h] != ((o.level & 7) << 5) || frame[h + 1] != opcode || frame[h + 3] != fixed) {
    return 0;
  }
  return h + RF_CFM_HLEN;
}

std::string Us(double ns) { return absl::StrFormat("%.1f", ns / 1e3); }
std::string Line(const char* name, const NsStats& s) {
  if (s.count == 0) return absl::StrCat(name, ": none\n");
  return absl::StrCat(name, " min/avg/max ", Us(static_cast<double>(s.min)), " / ",
                      Us(s.average()), " / ", Us(static_cast<double>(s.max)), " us\n");
}
std::string NsJson(const NsStats& s) {
  return absl::StrFormat("{\"count\":%d,\"min_ns\":%d,\"avg_ns\":%.0f,\"max_ns\":%d}", s.count,
                         s.min, s.average(), s.max);
}

// The kernel's receive stamp (CLOCK_REALTIME) of a message, or `fallback`.
int64_t ReceiveStamp(msghdr* message, int64_t fallback) {
  for (cmsghdr* c = CMSG_FIRSTHDR(message); c != nullptr; c = CMSG_NXTHDR(message, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_TIMESTAMPNS) {
      timespec t;
      std::memcpy(&t, CMSG_DATA(c), sizeof(t));
      return static_cast<int64_t>(t.tv_sec) * kNsPerS + t.tv_nsec;
    }
  }
  return fallback;
}

// PTP time (Y.1731's timestamps) − CLOCK_REALTIME, in whole seconds, as reflectord counts it
// (stamp_clock.h): CLOCK_TAI, and the assumed TAI offset where the kernel has none set. The
// kernel stamps received frames with CLOCK_REALTIME; so both ends of a run read one clock.
int64_t PtpMinusRealtime() {
  timespec tai, real;
  clock_gettime(CLOCK_TAI, &tai);
  clock_gettime(CLOCK_REALTIME, &real);
  const int64_t ns = (static_cast<int64_t>(tai.tv_sec) - real.tv_sec) * kNsPerS +
                     (tai.tv_nsec - real.tv_nsec);
  const int64_t tai_offset = (ns + (ns >= 0 ? kNsPerS / 2 : -kNsPerS / 2)) / kNsPerS * kNsPerS;
  return tai_offset + static_cast<int64_t>(daemon::ReadStampClock().ptp_shift) * kNsPerS;
}

}  // namespace

std::vector<uint8_t> BuildDmm(const Y1731Options& o, int64_t tx_time_ns) {
  size_t fields = 0;
  std::vector<uint8_t> frame = Request(o, RF_CFM_OP_DMM, RF_CFM_DMM_TLV_OFFSET, &fields);
  PutBe(&frame[fields], ToWireTime(tx_time_ns, /*ptp=*/true), 8);
  return frame;
}

std::vector<uint8_t> BuildSlm(const Y1731Options& o, uint32_t tx_fcf) {
  size_t fields = 0;
  std::vector<uint8_t> frame = Request(o, RF_CFM_OP_SLM, RF_CFM_SLM_TLV_OFFSET, &fields);
  PutBe(&frame[fields], o.mep_id, 2);
  PutBe(&frame[fields + 4], o.test_id, 4);
  PutBe(&frame[fields + 8], tx_fcf, 4);
  return frame;
}

bool IsCfmFromResponder(absl::Span<const uint8_t> frame, const Y1731Options& o) {
  if (frame.size() < 14 || !std::equal(o.src_mac.begin(), o.src_mac.end(), frame.begin()) ||
      !std::equal(o.dst_mac.begin(), o.dst_mac.end(), frame.begin() + 6)) {
    return false;
  }
  for (size_t type_at = 12; type_at + 2 <= frame.size() && type_at <= 20; type_at += 4) {
    const uint64_t type = GetBe(&frame[type_at], 2);
    if (type == RF_ETHERTYPE_CFM) return true;
    if (type != RF_ETHERTYPE_VLAN && type != RF_ETHERTYPE_QINQ) return false;
  }
  return false;
}

std::optional<DmrSample> ParseDmr(absl::Span<const uint8_t> frame, const Y1731Options& o,
                                  int64_t rx_time_ns) {
  const size_t f = AnswerFields(frame, o, RF_CFM_OP_DMR, RF_CFM_DMM_TLV_OFFSET);
  if (f == 0) return std::nullopt;
  DmrSample s;
  s.tx_f = FromWireTime(GetBe(&frame[f], 8), /*ptp=*/true);
  s.rx_f = FromWireTime(GetBe(&frame[f + 8], 8), true);
  s.tx_b = FromWireTime(GetBe(&frame[f + 16], 8), true);
  s.rx_b = rx_time_ns;
  return s;
}

std::optional<SlrFields> ParseSlr(absl::Span<const uint8_t> frame, const Y1731Options& o) {
  const size_t f = AnswerFields(frame, o, RF_CFM_OP_SLR, RF_CFM_SLM_TLV_OFFSET);
  if (f == 0) return std::nullopt;
  SlrFields s;
  s.source_mep = static_cast<uint16_t>(GetBe(&frame[f], 2));
  s.responder_mep = static_cast<uint16_t>(GetBe(&frame[f + 2], 2));
  s.test_id = static_cast<uint32_t>(GetBe(&frame[f + 4], 4));
  s.tx_fcf = static_cast<uint32_t>(GetBe(&frame[f + 8], 4));
  s.tx_fcb = static_cast<uint32_t>(GetBe(&frame[f + 12], 4));
  return s;
}

SlmLoss SlmLossBetween(const SlmCounts& tp, const SlmCounts& tc) {
  // Differences modulo 2^32: a counter that wrapped between the two still counts right.
  const int64_t sent_forward = static_cast<uint32_t>(tc.tx_fcf - tp.tx_fcf);
  const int64_t sent_backward = static_cast<uint32_t>(tc.tx_fcb - tp.tx_fcb);
  const int64_t received = static_cast<uint32_t>(tc.rx_fcl - tp.rx_fcl);
  return {sent_forward - sent_backward, sent_backward - received};
}

Y1731Collector::Y1731Collector(Y1731Protocol protocol, uint64_t max_frames)
    : protocol_(protocol), stream_(max_frames, std::min<uint64_t>(max_frames, 10'000'000)) {}

void Y1731Collector::AddDmr(const DmrSample& sample, const std::vector<int64_t>& sent_times) {
  // TxTimeStampf rises with every DMM sent, so its place among the sent ones is the sequence
  // number; one that is not there was never sent by this run.
  const auto at = std::lower_bound(sent_times.begin(), sent_times.end(), sample.tx_f);
  const bool ours = at != sent_times.end() && *at == sample.tx_f;
  const uint32_t sequence = ours ? static_cast<uint32_t>(at - sent_times.begin()) : UINT32_MAX;
  stream_.Record(sequence,
                 static_cast<uint32_t>(std::clamp<int64_t>(sample.round_trip(), 0, UINT32_MAX)));
  if (!ours) return;
  if (sample.dwell() > sample.raw_round_trip()) ++result_.dwell_beyond_round_trip;
  result_.raw_round_trip.Add(sample.raw_round_trip());
  result_.dwell.Add(sample.dwell());
  result_.forward.Add(sample.forward());
  result_.backward.Add(sample.backward());
}

void Y1731Collector::AddSlr(const SlrFields& slr, const std::vector<int64_t>& sent_times,
                            int64_t rx_time_ns) {
  const uint64_t index = static_cast<uint64_t>(slr.tx_fcf) - 1;  // TxFCf counts from 1
  const bool ours = slr.tx_fcf != 0 && index < sent_times.size();
  const int64_t round_trip = ours ? rx_time_ns - sent_times[index] : 0;
  stream_.Record(ours ? static_cast<uint32_t>(index) : UINT32_MAX,
                 static_cast<uint32_t>(std::clamp<int64_t>(round_trip, 0, UINT32_MAX)));
  if (!ours) return;
  ++rx_fcl_;
  const SlmCounts counts = {slr.tx_fcf, slr.tx_fcb, rx_fcl_};
  if (!first_) first_ = counts;
  // The latest state of the test: the highest counts either end reported, and every SLR of
  // it we received (a reordered one still arrived).
  SlmCounts last = result_.last.value_or(counts);
  last.tx_fcf = std::max(last.tx_fcf, counts.tx_fcf);
  last.tx_fcb = std::max(last.tx_fcb, counts.tx_fcb);
  last.rx_fcl = rx_fcl_;
  result_.last = last;
}

Y1731Result Y1731Collector::Finish(uint64_t sent, double duration_s) {
  result_.stream = stream_.Summarize(sent);
  result_.duration_s = duration_s;
  if (protocol_ == Y1731Protocol::kSlm && result_.last) {
    // From the test's start (all counters 0), unless the responder had counted SLRs of this
    // test ID before ours: then from just before the first SLR we received.
    SlmCounts start;
    if (first_->tx_fcb > first_->tx_fcf) {
      result_.responder_count_preceded = true;
      start = {first_->tx_fcf - 1, first_->tx_fcb - 1, 0};
    }
    result_.loss = SlmLossBetween(start, *result_.last);
    result_.unattributed = sent - std::min<uint64_t>(sent, result_.last->tx_fcf);
  } else if (protocol_ == Y1731Protocol::kSlm) {
    result_.unattributed = sent;
  }
  return result_;
}

absl::StatusOr<Y1731Result> RunY1731Session(int fd, const Y1731Options& o,
                                            const std::atomic<bool>& stop) {
  const PacedExchange exchange = {o.rate_fps, o.duration, o.count, o.drain};
  Y1731Collector collector(o.protocol, exchange.max_requests());
  std::vector<int64_t> sent_times;
  sent_times.reserve(std::min<uint64_t>(exchange.max_requests(), 100'000'000));
  const int64_t ptp_offset = PtpMinusRealtime();
  std::vector<uint8_t> buffer(65536);
  alignas(cmsghdr) char control[256];
  const absl::Time start = absl::Now();
  const auto send_request = [&](uint64_t sequence) -> absl::Status {
    // TxTimeStampf on the clock the answer is stamped with; each one later than the last, so
    // that an answer's TxTimeStampf names its request.
    int64_t t = StampClockNs(/*ptp=*/false) + ptp_offset;
    if (!sent_times.empty()) t = std::max(t, sent_times.back() + 1);
    const std::vector<uint8_t> frame = o.protocol == Y1731Protocol::kDmm
                                           ? BuildDmm(o, t)
                                           : BuildSlm(o, static_cast<uint32_t>(sequence + 1));
    if (send(fd, frame.data(), frame.size(), 0) < 0) {
      return absl::ErrnoToStatus(errno, "send a Y.1731 request");
    }
    sent_times.push_back(t);
    return absl::OkStatus();
  };
  const auto read_answers = [&]() -> absl::StatusOr<uint64_t> {
    uint64_t answers = 0;
    for (;;) {
      iovec io = {buffer.data(), buffer.size()};
      msghdr message = {};
      message.msg_iov = &io;
      message.msg_iovlen = 1;
      message.msg_control = control;
      message.msg_controllen = sizeof(control);
      const ssize_t n = recvmsg(fd, &message, MSG_DONTWAIT);
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) return answers;
        return absl::ErrnoToStatus(errno, "receive a Y.1731 answer");
      }
      const absl::Span<const uint8_t> frame(buffer.data(), static_cast<size_t>(n));
      if (!IsCfmFromResponder(frame, o)) continue;  // not for this session
      const int64_t rx = ReceiveStamp(&message, StampClockNs(false)) + ptp_offset;
      if (o.protocol == Y1731Protocol::kDmm) {
        const std::optional<DmrSample> dmr = ParseDmr(frame, o, rx);
        if (!dmr) {
          collector.AddMalformed();
          continue;
        }
        collector.AddDmr(*dmr, sent_times);
      } else {
        const std::optional<SlrFields> slr = ParseSlr(frame, o);
        if (!slr || slr->test_id != o.test_id || slr->source_mep != o.mep_id) {
          collector.AddMalformed();
          continue;
        }
        collector.AddSlr(*slr, sent_times, rx);
      }
      ++answers;
    }
  };
  const absl::StatusOr<uint64_t> requests =
      RunPacedExchange(fd, exchange, stop, send_request, read_answers);
  if (!requests.ok()) return requests.status();
  return collector.Finish(*requests, absl::ToDoubleSeconds(absl::Now() - start));
}

std::string FormatY1731Result(const Y1731Result& r, const Y1731Options& o) {
  const StreamSummary& st = r.stream;
  const bool dmm = o.protocol == Y1731Protocol::kDmm;
  std::string out = absl::StrFormat(
      "Y.1731 %s: %d sent, %d received, %d lost (%.3f%%), %d duplicate, %d reordered, %d "
      "unknown, %d malformed in %.2f s; level %d%s\n",
      dmm ? "DMM" : "SLM", st.sent, st.unique, st.lost, st.loss_percent, st.duplicates,
      st.out_of_order, st.unknown, r.malformed, r.duration_s, o.level,
      o.vlan ? absl::StrCat(", VLAN ", o.vlan) : "");
  if (!dmm) {
    absl::StrAppend(&out, absl::StrFormat("test ID %d, source MEP %d", o.test_id, o.mep_id));
    if (r.last) {
      absl::StrAppend(
          &out,
          absl::StrFormat(": TxFCf %d, TxFCb %d, RxFCl %d; lost forward (far end) %d, backward "
                          "(near end) %d, after the last SLR (either way) %d%s\n",
                          r.last->tx_fcf, r.last->tx_fcb, r.last->rx_fcl, r.loss.forward,
                          r.loss.backward, r.unattributed,
                          r.responder_count_preceded
                              ? " (the responder had counted this test ID before: measured "
                                "from the first SLR)"
                              : ""));
    } else {
      absl::StrAppend(&out, ": no SLR came back\n");
    }
  }
  if (st.rtt.has_value()) {
    const RttSummary& t = *st.rtt;
    absl::StrAppend(
        &out, absl::StrFormat("%s min/mean/p50/p99/max %.1f / %.1f / %.1f / %.1f / %.1f us, "
                              "jitter %.1f us\n",
                              dmm ? "two-way delay (RxTimeb-TxTimeStampf)-(TxTimeStampb-"
                                    "RxTimeStampf)"
                                  : "round trip (local)",
                              t.min_us, t.mean_us, t.p50_us, t.p99_us, t.max_us, t.jitter_us));
  }
  if (dmm) {
    absl::StrAppend(&out, Line("raw round trip (RxTimeb-TxTimeStampf)", r.raw_round_trip));
    absl::StrAppend(&out, Line("responder dwell (TxTimeStampb-RxTimeStampf)", r.dwell));
    if (r.dwell_beyond_round_trip > 0) {
      absl::StrAppend(&out, r.dwell_beyond_round_trip,
                      " DMRs with a dwell longer than their round trip: the responder's "
                      "timestamps cannot be trusted\n");
    }
    absl::StrAppend(&out, Line("forward (RxTimeStampf-TxTimeStampf; meaningful only with "
                               "synchronised clocks)",
                               r.forward));
    absl::StrAppend(&out, Line("backward (RxTimeb-TxTimeStampb; meaningful only with "
                               "synchronised clocks)",
                               r.backward));
  }
  return out;
}

std::string Y1731ResultJson(const Y1731Result& r, const Y1731Options& o) {
  const StreamSummary& st = r.stream;
  const RttSummary t = st.rtt.value_or(RttSummary{});
  const bool dmm = o.protocol == Y1731Protocol::kDmm;
  std::string json = absl::StrFormat(
      "{\"protocol\":\"%s\",\"level\":%d,\"vlan\":%d,\"sent\":%d,\"received\":%d,\"lost\":%d,"
      "\"loss_percent\":%.6f,\"duplicates\":%d,\"reordered\":%d,\"unknown\":%d,"
      "\"malformed\":%d,\"duration_s\":%.3f,\"round_trip_us\":{\"min\":%.3f,\"mean\":%.3f,"
      "\"p50\":%.3f,\"p99\":%.3f,\"max\":%.3f},\"jitter_us\":%.3f",
      dmm ? "y1731-dmm" : "y1731-slm", o.level, o.vlan, st.sent, st.unique, st.lost,
      st.loss_percent, st.duplicates, st.out_of_order, st.unknown, r.malformed, r.duration_s,
      t.min_us, t.mean_us, t.p50_us, t.p99_us, t.max_us, t.jitter_us);
  if (dmm) {
    absl::StrAppend(&json, ",\"raw_round_trip\":", NsJson(r.raw_round_trip),
                    ",\"dwell\":", NsJson(r.dwell), ",\"forward\":", NsJson(r.forward),
                    ",\"backward\":", NsJson(r.backward),
                    ",\"dwell_beyond_round_trip\":", r.dwell_beyond_round_trip,
                    ",\"one_way_needs_synchronised_clocks\":true}\n");
    return json;
  }
  const SlmCounts last = r.last.value_or(SlmCounts{});
  absl::StrAppend(&json, absl::StrFormat(
                             ",\"test_id\":%d,\"source_mep\":%d,\"tx_fcf\":%d,\"tx_fcb\":%d,"
                             "\"rx_fcl\":%d,\"lost_forward\":%d,\"lost_backward\":%d,"
                             "\"lost_unattributed\":%d,\"responder_count_preceded\":%s}\n",
                             o.test_id, o.mep_id, last.tx_fcf, last.tx_fcb, last.rx_fcl,
                             r.loss.forward, r.loss.backward, r.unattributed,
                             r.responder_count_preceded ? "true" : "false"));
  return json;
}

}  // namespace reflector::tester
