#include "tools/tester/stamp_session.h"

#include <sys/socket.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "reflector/packet/stamp_tlv.h"
#include "tools/tester/paced_exchange.h"

namespace reflector::tester {
namespace {

constexpr size_t kSenderFields = 14;     // sequence, timestamp, error (RFC 5357 §4.1.2)
constexpr size_t kReflectorFields = 41;  // up to the Sender TTL (RFC 5357 §4.2.1)
constexpr size_t kBasePacket = 44;       // STAMP's base packet (RFC 8762 §4.2.1)
constexpr int64_t kNsPerS = 1'000'000'000;
constexpr int64_t kNtpUnixOffset = 2208988800;  // seconds from 1900 to 1970
constexpr uint16_t kZFlag = 0x4000;
// The sender's own error estimate: unsynchronised (S clear), 1 ms; the reflector's error is
// what the sender reads back.
constexpr uint16_t kSenderError = 0x0000 | (22 << 8) | 5;

void PutBe(uint8_t* p, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) p[i] = static_cast<uint8_t>(v >> (8 * (bytes - 1 - i)));
}
uint64_t GetBe(const uint8_t* p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | p[i];
  return v;
}

std::string Ms(double ns) { return absl::StrFormat("%.3f ms", ns / 1e6); }
std::string Line(const char* name, const NsStats& s) {
  if (s.count == 0) return absl::StrCat(name, ": none\n");
  return absl::StrCat(name, " min/avg/max ", Ms(static_cast<double>(s.min)), " / ",
                      Ms(s.average()), " / ", Ms(static_cast<double>(s.max)), "\n");
}
std::string Json(const NsStats& s) {
  return absl::StrFormat("{\"count\":%d,\"min_ns\":%d,\"avg_ns\":%.0f,\"max_ns\":%d}", s.count,
                         s.min, s.average(), s.max);
}

// A STAMP packet with a Timestamp Information TLV (RFC 8972 §4.3) after the base packet.
bool SendsTimestampInfo(const StampOptions& o) {
  return o.timestamp_info && o.protocol == StampProtocol::kStamp;
}
// The UDP payload each test packet has: --stamp_size, but at least the sender's fields, and
// with a TLV the base packet and the TLV.
size_t SenderPacketLength(const StampOptions& o) {
  return std::max(o.payload_size,
                  SendsTimestampInfo(o) ? kBasePacket + 2 * RF_STAMP_TLV_HLEN : kSenderFields);
}

}  // namespace

int64_t StampClockNs(bool ptp) {
  timespec now = {};
  clock_gettime(ptp ? CLOCK_TAI : CLOCK_REALTIME, &now);
  return static_cast<int64_t>(now.tv_sec) * kNsPerS + now.tv_nsec;
}

uint64_t ToWireTime(int64_t ns, bool ptp) {
  const uint64_t seconds = static_cast<uint64_t>(ns / kNsPerS);
  const uint64_t rest = static_cast<uint64_t>(ns % kNsPerS);
  if (ptp) return (seconds << 32) | rest;
  return ((seconds + kNtpUnixOffset) << 32) | ((rest << 32) / kNsPerS);
}

int64_t FromWireTime(uint64_t wire, bool ptp) {
  const int64_t seconds = static_cast<int64_t>(wire >> 32);
  const uint64_t low = wire & 0xffffffffu;
  if (ptp) return seconds * kNsPerS + static_cast<int64_t>(low);
  // Rounded to the nearest ns: a round trip through ToWireTime gives the same ns back.
  return (seconds - kNtpUnixOffset) * kNsPerS + static_cast<int64_t>((low * kNsPerS + (1ull << 31)) >> 32);
}

std::vector<uint8_t> BuildSenderPacket(uint32_t sequence, int64_t t1_ns, const StampOptions& o) {
  const bool tlv = SendsTimestampInfo(o);
  std::vector<uint8_t> packet(SenderPacketLength(o), 0);
  PutBe(&packet[0], sequence, 4);
  PutBe(&packet[4], ToWireTime(t1_ns, o.ptp), 8);
  PutBe(&packet[12], kSenderError | (o.ptp ? kZFlag : 0), 2);
  if (o.protocol == StampProtocol::kStamp && packet.size() >= 16) PutBe(&packet[14], o.ssid, 2);
  if (!tlv) return packet;
  // RFC 8972 §4: a sender sets U on each TLV; §4.3: the four value bytes are the reflector's
  // to fill. What is left over goes in an Extra Padding TLV (§4.1) of zeros.
  uint8_t* t = &packet[kBasePacket];
  PutBe(t, uint64_t{RF_STAMP_TLV_U} << 24 | RF_STAMP_TLV_TIMESTAMP_INFO << 16 | 4, 4);
  const size_t rest = packet.size() - kBasePacket - 2 * RF_STAMP_TLV_HLEN;
  if (rest >= RF_STAMP_TLV_HLEN) {
    PutBe(t + 2 * RF_STAMP_TLV_HLEN,
          uint64_t{RF_STAMP_TLV_U} << 24 | RF_STAMP_TLV_EXTRA_PADDING << 16 |
              (rest - RF_STAMP_TLV_HLEN),
          4);
  }
  return packet;
}

namespace {

// The Timestamp Information TLV among the TLVs after the base packet, if the walk reaches it.
std::optional<StampTimestampInfo> FindTimestampInfo(absl::Span<const uint8_t> tlvs) {
  size_t at = 0;
  while (tlvs.size() - at >= RF_STAMP_TLV_HLEN) {
    const uint8_t flags = tlvs[at];
    const size_t length = GetBe(&tlvs[at + 2], 2);
    const bool fits = length <= tlvs.size() - at - RF_STAMP_TLV_HLEN;
    if (tlvs[at + 1] == RF_STAMP_TLV_TIMESTAMP_INFO) {
      StampTimestampInfo info;
      info.flags = flags;
      if (fits && length == 4) {
        info.sync_in = tlvs[at + 4];
        info.method_in = tlvs[at + 5];
        info.sync_out = tlvs[at + 6];
        info.method_out = tlvs[at + 7];
      }
      return info;
    }
    if (!fits || (flags & RF_STAMP_TLV_M)) return std::nullopt;  // the rest is not a list
    at += RF_STAMP_TLV_HLEN + length;
  }
  return std::nullopt;
}

// The registries' names (RFC 8972 §5.4, §5.5).
std::string SyncSourceName(uint8_t v) {
  switch (v) {
    case 1:
      return "ntp";
    case 2:
      return "ptp";
    case 3:
      return "ssu/bits";
    case 4:
      return "gnss";
    case 5:
      return "local free-running";
  }
  return absl::StrCat("unknown (", v, ")");
}
std::string MethodName(uint8_t v) {
  switch (v) {
    case RF_STAMP_TS_HW_ASSIST:
      return "hardware";
    case RF_STAMP_TS_SW_LOCAL:
      return "software-local";
    case 3:
      return "control plane";
  }
  return absl::StrCat("unknown (", v, ")");
}

std::string TimestampInfoLine(const StampResult& r) {
  const char* name = "reflector timestamp information (RFC 8972)";
  if (!r.timestamp_info) return absl::StrCat(name, ": no answer carried the TLV\n");
  const StampTimestampInfo& i = *r.timestamp_info;
  if (i.flags & RF_STAMP_TLV_U) return absl::StrCat(name, ": not understood (U flag)\n");
  if (i.flags & RF_STAMP_TLV_M) return absl::StrCat(name, ": malformed (M flag)\n");
  return absl::StrCat(name, ": T2 ", MethodName(i.method_in), ", clock ",
                      SyncSourceName(i.sync_in), "; T3 ", MethodName(i.method_out), ", clock ",
                      SyncSourceName(i.sync_out), "\n");
}

std::string TimestampInfoJson(const StampResult& r) {
  if (!r.timestamp_info) return ",\"timestamp_info\":null";
  const StampTimestampInfo& i = *r.timestamp_info;
  return absl::StrFormat(
      ",\"timestamp_info\":{\"unrecognized\":%s,\"malformed\":%s,\"sync_in\":\"%s\","
      "\"method_in\":\"%s\",\"sync_out\":\"%s\",\"method_out\":\"%s\"}",
      (i.flags & RF_STAMP_TLV_U) ? "true" : "false", (i.flags & RF_STAMP_TLV_M) ? "true" : "false",
      SyncSourceName(i.sync_in), MethodName(i.method_in), SyncSourceName(i.sync_out),
      MethodName(i.method_out));
}

}  // namespace

std::optional<StampSample> ParseReflectorPacket(absl::Span<const uint8_t> packet, int64_t t4_ns,
                                                bool ptp) {
  if (packet.size() < kReflectorFields) return std::nullopt;
  const uint8_t* p = packet.data();
  StampSample s;
  s.reflector_sequence = static_cast<uint32_t>(GetBe(p, 4));
  s.t3 = FromWireTime(GetBe(p + 4, 8), ptp);
  s.error_estimate = static_cast<uint16_t>(GetBe(p + 12, 2));
  s.t2 = FromWireTime(GetBe(p + 16, 8), ptp);
  s.sender_sequence = static_cast<uint32_t>(GetBe(p + 24, 4));
  s.t1 = FromWireTime(GetBe(p + 28, 8), ptp);
  s.sender_ttl = p[40];
  s.length = packet.size();
  s.t4 = t4_ns;
  // RFC 8972 TLVs only after the base packet's 44 bytes.
  if (packet.size() > kBasePacket) {
    s.timestamp_info = FindTimestampInfo(packet.subspan(kBasePacket));
  }
  return s;
}

void NsStats::Add(int64_t v) {
  if (count == 0 || v < min) min = v;
  if (count == 0 || v > max) max = v;
  sum += static_cast<double>(v);
  ++count;
}

StampCollector::StampCollector(uint64_t max_frames)
    : stream_(max_frames, std::min<uint64_t>(max_frames, 10'000'000)) {}

void StampCollector::Add(const StampSample& sample, uint64_t sent) {
  const int64_t round_trip = std::clamp<int64_t>(sample.round_trip(), 0, UINT32_MAX);
  stream_.Record(sample.sender_sequence, static_cast<uint32_t>(round_trip));
  if (sample.sender_sequence >= sent) return;  // counted as unknown
  if (sample.reflector_sequence != sample.sender_sequence) result_.direction.stateful = true;
  if (!any_ || sample.sender_sequence < lowest_sender_) {
    lowest_sender_ = sample.sender_sequence;
    lowest_reflector_ = sample.reflector_sequence;
  }
  if (!any_ || sample.sender_sequence > highest_sender_) {
    highest_sender_ = sample.sender_sequence;
    highest_reflector_ = sample.reflector_sequence;
  }
  any_ = true;
  result_.dwell.Add(sample.dwell());
  result_.forward.Add(sample.forward());
  result_.backward.Add(sample.backward());
  result_.last_error_estimate = sample.error_estimate;
  result_.last_sender_ttl = sample.sender_ttl;
  if (sample.timestamp_info) result_.timestamp_info = sample.timestamp_info;
  if (result_.answer_max == 0 || sample.length < result_.answer_min) {
    result_.answer_min = sample.length;
  }
  result_.answer_max = std::max(result_.answer_max, sample.length);
}

StampResult StampCollector::Finish(uint64_t sent, double duration_s) {
  result_.stream = stream_.Summarize(sent);
  result_.duration_s = duration_s;
  DirectionLoss& d = result_.direction;
  if (any_) {
    // Clamped: a reflector's count can run ahead of ours only if it counted packets of ours
    // twice (or of another sender on our addresses and ports), or wrapped.
    const uint64_t ours = uint64_t{highest_sender_} - lowest_sender_ + 1;
    const uint64_t its =
        static_cast<uint32_t>(highest_reflector_ - lowest_reflector_) + uint64_t{1};
    d.outbound = ours > its ? ours - its : 0;
    d.inbound = its > result_.stream.unique ? its - result_.stream.unique : 0;
    d.unattributed = sent - ours;
  } else {
    d.unattributed = sent;
  }
  return result_;
}

absl::StatusOr<StampResult> RunStampSession(int fd, const StampOptions& o,
                                            const std::atomic<bool>& stop) {
  const PacedExchange exchange = {o.rate_fps, o.duration, o.count, o.drain};
  StampCollector collector(exchange.max_requests());
  uint64_t sent = 0;
  std::vector<uint8_t> buffer(65536);
  const absl::Time start = absl::Now();
  const auto send_packet = [&](uint64_t sequence) -> absl::Status {
    const std::vector<uint8_t> packet =
        BuildSenderPacket(static_cast<uint32_t>(sequence), StampClockNs(o.ptp), o);
    if (send(fd, packet.data(), packet.size(), 0) < 0 && errno != ECONNREFUSED) {
      return absl::ErrnoToStatus(errno, "send a STAMP packet");
    }
    sent = sequence + 1;
    return absl::OkStatus();
  };
  const auto read_answers = [&]() -> absl::StatusOr<uint64_t> {
    uint64_t answers = 0;
    for (;;) {
      const ssize_t n = recv(fd, buffer.data(), buffer.size(), MSG_DONTWAIT);
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ECONNREFUSED) return answers;
        return absl::ErrnoToStatus(errno, "receive a reflector packet");
      }
      const int64_t t4 = StampClockNs(o.ptp);
      const std::optional<StampSample> sample = ParseReflectorPacket(
          absl::MakeConstSpan(buffer.data(), static_cast<size_t>(n)), t4, o.ptp);
      if (!sample) {
        collector.AddMalformed();
      } else {
        collector.Add(*sample, sent);
        ++answers;
      }
    }
  };
  const absl::StatusOr<uint64_t> requests =
      RunPacedExchange(fd, exchange, stop, send_packet, read_answers);
  if (!requests.ok()) return requests.status();
  return collector.Finish(*requests, absl::ToDoubleSeconds(absl::Now() - start));
}

std::string FormatStampResult(const StampResult& r, const StampOptions& o) {
  const char* name = o.protocol == StampProtocol::kStamp ? "STAMP" : "TWAMP-Light";
  const StreamSummary& st = r.stream;
  const uint16_t e = r.last_error_estimate;
  const double error_us = (e & 0xff) * std::ldexp(1.0, ((e >> 8) & 0x3f) - 32) * 1e6;
  std::string out = absl::StrFormat(
      "%s: %d sent, %d received, %d lost (%.3f%%), %d duplicate, %d reordered, %d unknown, %d "
      "malformed in %.2f s; %s timestamps\n",
      name, st.sent, st.unique, st.lost, st.loss_percent, st.duplicates, st.out_of_order,
      st.unknown, r.malformed, r.duration_s, o.ptp ? "PTP" : "NTP");
  if (st.rtt.has_value()) {
    const RttSummary& t = *st.rtt;
    absl::StrAppend(&out, absl::StrFormat(
                              "round trip (T4-T1)-(T3-T2) min/mean/p50/p99/max %.1f / %.1f / "
                              "%.1f / %.1f / %.1f us, jitter %.1f us\n",
                              t.min_us, t.mean_us, t.p50_us, t.p99_us, t.max_us, t.jitter_us));
  }
  absl::StrAppend(&out, Line("reflector dwell (T3-T2)", r.dwell));
  const bool synchronised = (e & 0x8000) != 0;
  absl::StrAppend(&out, Line(synchronised ? "forward (T2-T1)"
                                          : "forward (T2-T1; reflector clock not synchronised, "
                                            "indicative only)",
                             r.forward));
  absl::StrAppend(&out, Line(synchronised ? "backward (T4-T3)" : "backward (T4-T3; indicative only)",
                             r.backward));
  absl::StrAppend(&out, absl::StrFormat("reflector: error estimate %.3f us (%s), sender TTL as "
                                        "received %d, answers of %d..%d bytes to packets of %d\n",
                                        st.unique ? error_us : 0.0,
                                        synchronised ? "synchronised" : "not synchronised",
                                        r.last_sender_ttl, r.answer_min, r.answer_max,
                                        SenderPacketLength(o)));
  const DirectionLoss& d = r.direction;
  absl::StrAppend(
      &out, d.stateful
                ? absl::StrFormat("loss per direction (stateful reflector): %d on the way out, %d "
                                  "on the way back, %d after or before the answers (either way)\n",
                                  d.outbound, d.inbound, d.unattributed)
                : std::string("loss per direction: unknown, the reflector echoed our sequence "
                              "numbers (stateless, or stateful and nothing lost on the way out; "
                              "reflectord --stamp_stateful counts)\n"));
  if (o.timestamp_info) absl::StrAppend(&out, TimestampInfoLine(r));
  return out;
}

std::string StampResultJson(const StampResult& r, const StampOptions& o) {
  const StreamSummary& st = r.stream;
  const RttSummary t = st.rtt.value_or(RttSummary{});
  return absl::StrFormat(
      "{\"protocol\":\"%s\",\"timestamps\":\"%s\",\"sent\":%d,\"received\":%d,\"lost\":%d,"
      "\"loss_percent\":%.6f,\"duplicates\":%d,\"reordered\":%d,\"unknown\":%d,"
      "\"malformed\":%d,\"duration_s\":%.3f,\"round_trip_us\":{\"min\":%.3f,\"mean\":%.3f,"
      "\"p50\":%.3f,\"p99\":%.3f,\"max\":%.3f},\"jitter_us\":%.3f,\"dwell\":%s,"
      "\"forward\":%s,\"backward\":%s,\"error_estimate\":%d,\"synchronised\":%s,"
      "\"sender_ttl\":%d,\"packet_bytes\":%d,\"answer_bytes\":{\"min\":%d,\"max\":%d},"
      "\"loss_direction\":{\"stateful\":%s,\"outbound\":%d,\"inbound\":%d,\"unattributed\":%d}"
      "%s}\n",
      o.protocol == StampProtocol::kStamp ? "stamp" : "twamp-light", o.ptp ? "ptp" : "ntp",
      st.sent, st.unique, st.lost, st.loss_percent, st.duplicates, st.out_of_order, st.unknown,
      r.malformed, r.duration_s, t.min_us, t.mean_us, t.p50_us, t.p99_us, t.max_us, t.jitter_us,
      Json(r.dwell), Json(r.forward), Json(r.backward), r.last_error_estimate,
      (r.last_error_estimate & 0x8000) ? "true" : "false", r.last_sender_ttl,
      SenderPacketLength(o), r.answer_min, r.answer_max,
      r.direction.stateful ? "true" : "false", r.direction.outbound, r.direction.inbound,
      r.direction.unattributed, o.timestamp_info ? TimestampInfoJson(r) : std::string());
}

}  // namespace reflector::tester
