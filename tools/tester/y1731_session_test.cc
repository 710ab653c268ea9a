#include "tools/tester/y1731_session.h"

#include <algorithm>
#include <vector>

#include "gtest/gtest.h"
#include "reflector/packet/cfm.h"
#include "reflector/packet/cfm_responder.h"
#include "reflector/packet/config.h"
#include "reflector/packet/packet.h"
#include "reflector/packet/testing/cfm_frames.h"
#include "reflector/packet/testing/frame_builder.h"

namespace reflector::tester {
namespace {

using packet::testing::kCfmTestLevel;
using packet::testing::kReflectorMac;
using packet::testing::kTesterMac;

Y1731Options Options(Y1731Protocol protocol, uint16_t vlan = 0) {
  Y1731Options o;
  o.protocol = protocol;
  o.src_mac = kTesterMac;
  o.dst_mac = kReflectorMac;
  o.level = kCfmTestLevel;
  o.vlan = vlan;
  o.mep_id = 0x0033;
  o.test_id = 0x01020304;
  return o;
}

// The packet library's responder (cfm.h, as reflectord runs it) with the CFM table's settings.
rf_config ResponderConfig() {
  absl::StatusOr<rf_config> config = packet::ToWire(packet::testing::CfmTestFilter());
  EXPECT_TRUE(config.ok()) << config.status();
  rf_config wire = config.value_or(rf_config{});
  wire.stamp_clock.ptp_shift = 0;  // PTP time is CLOCK_TAI, as the tester reads it
  return wire;
}

TEST(Y1731SessionTest, DmmIsTheG8013Layout) {
  const int64_t t = 1'764'000'000'123'456'789;
  for (const uint16_t vlan : {uint16_t{0}, uint16_t{100}}) {
    const std::vector<uint8_t> f = BuildDmm(Options(Y1731Protocol::kDmm, vlan), t);
    const size_t h = vlan ? 18 : 14;
    ASSERT_EQ(f.size(), 60u);  // padded to the minimum; the fields fit it with the tag too
    EXPECT_TRUE(std::equal(kReflectorMac.begin(), kReflectorMac.end(), f.begin()));
    EXPECT_TRUE(std::equal(kTesterMac.begin(), kTesterMac.end(), f.begin() + 6));
    if (vlan) {
      EXPECT_EQ(packet::testing::ReadBe(f, 12, 2), 0x8100u);
      EXPECT_EQ(packet::testing::ReadBe(f, 14, 2), 100u);
    }
    EXPECT_EQ(packet::testing::ReadBe(f, h - 2, 2), 0x8902u);
    EXPECT_EQ(f[h], kCfmTestLevel << 5);  // version 0
    EXPECT_EQ(f[h + 1], RF_CFM_OP_DMM);
    EXPECT_EQ(f[h + 2], 0);
    EXPECT_EQ(f[h + 3], RF_CFM_DMM_TLV_OFFSET);
    EXPECT_EQ(packet::testing::ReadBe(f, h + 4, 8), ToWireTime(t, /*ptp=*/true));
    for (size_t i = h + 12; i < h + 36; ++i) EXPECT_EQ(f[i], 0) << i;  // reserved for the answer
    EXPECT_EQ(f[h + 36], 0);                                            // End TLV
  }
}

TEST(Y1731SessionTest, SlmIsTheG8013Layout) {
  const std::vector<uint8_t> f = BuildSlm(Options(Y1731Protocol::kSlm), 7);
  ASSERT_EQ(f.size(), 60u);
  const size_t h = 14;
  EXPECT_EQ(f[h + 1], RF_CFM_OP_SLM);
  EXPECT_EQ(f[h + 3], RF_CFM_SLM_TLV_OFFSET);
  EXPECT_EQ(packet::testing::ReadBe(f, h + 4, 2), 0x0033u);       // Source MEP ID
  EXPECT_EQ(packet::testing::ReadBe(f, h + 6, 2), 0u);            // Responder MEP ID
  EXPECT_EQ(packet::testing::ReadBe(f, h + 8, 4), 0x01020304u);   // Test ID
  EXPECT_EQ(packet::testing::ReadBe(f, h + 12, 4), 7u);           // TxFCf
  EXPECT_EQ(packet::testing::ReadBe(f, h + 16, 4), 0u);           // TxFCb
  EXPECT_EQ(f[h + 20], 0);                                        // End TLV
}

// §8.2 from four known times: the two clocks differ (the one-way figures show it), the
// two-way delay does not depend on it.
TEST(Y1731SessionTest, DmrArithmetic) {
  DmrSample s;
  s.tx_f = 1'000;
  s.rx_f = 10'000;
  s.tx_b = 10'400;
  s.rx_b = 3'000;
  EXPECT_EQ(s.raw_round_trip(), 2'000);
  EXPECT_EQ(s.dwell(), 400);
  EXPECT_EQ(s.round_trip(), 1'600);
  EXPECT_EQ(s.forward(), 9'000);
  EXPECT_EQ(s.backward(), -7'400);
}

// Our DMM answered by the responder reflectord runs, read back: our TxTimeStampf, its receive
// time, its transmit time after that, our receive time.
TEST(Y1731SessionTest, ReadsTheRespondersDmr) {
  for (const uint16_t vlan : {uint16_t{0}, uint16_t{100}}) {
    const Y1731Options o = Options(Y1731Protocol::kDmm, vlan);
    const int64_t t1 = static_cast<int64_t>(packet::TaiNowNs()) - 1'000;
    std::vector<uint8_t> frame = BuildDmm(o, t1);
    packet::SlmCounters slm;
    const rf_config config = ResponderConfig();
    ASSERT_EQ(packet::OfferToCfm(absl::MakeSpan(frame), packet::Verdict::kEthertype, config,
                                 true, static_cast<uint64_t>(t1 + 500), slm),
              packet::CfmOutcome::kDmr);
    const int64_t t4 = static_cast<int64_t>(packet::TaiNowNs());
    EXPECT_TRUE(IsCfmFromResponder(frame, o));
    const std::optional<DmrSample> s = ParseDmr(frame, o, t4);
    ASSERT_TRUE(s.has_value());
    EXPECT_EQ(s->tx_f, t1);
    EXPECT_EQ(s->rx_f, t1 + 500);
    EXPECT_GE(s->tx_b, s->rx_f);
    EXPECT_LE(s->tx_b, t4);
    EXPECT_EQ(s->rx_b, t4);
    EXPECT_GE(s->round_trip(), 0);
    EXPECT_LE(s->dwell(), s->raw_round_trip());
    EXPECT_FALSE(ParseSlr(frame, o).has_value());
    // The request itself (to the responder, not from it) is nobody's answer.
    EXPECT_FALSE(ParseDmr(BuildDmm(o, t1), o, t4).has_value());
  }
}

TEST(Y1731SessionTest, ReadsTheRespondersSlr) {
  const Y1731Options o = Options(Y1731Protocol::kSlm);
  packet::SlmCounters slm;
  const rf_config config = ResponderConfig();
  for (uint32_t fcf = 1; fcf <= 3; ++fcf) {
    std::vector<uint8_t> frame = BuildSlm(o, fcf);
    ASSERT_EQ(packet::OfferToCfm(absl::MakeSpan(frame), packet::Verdict::kEthertype, config,
                                 true, 0, slm),
              packet::CfmOutcome::kSlr);
    const std::optional<SlrFields> s = ParseSlr(frame, o);
    ASSERT_TRUE(s.has_value());
    EXPECT_EQ(s->source_mep, 0x0033);
    EXPECT_EQ(s->responder_mep, packet::testing::kCfmTestMepId);
    EXPECT_EQ(s->test_id, 0x01020304u);
    EXPECT_EQ(s->tx_fcf, fcf);
    EXPECT_EQ(s->tx_fcb, fcf);  // the responder's SLRs of this test so far
  }
}

TEST(Y1731SessionTest, IgnoresOtherLevelsOpcodesAndStations) {
  const Y1731Options o = Options(Y1731Protocol::kDmm);
  std::vector<uint8_t> frame = BuildDmm(o, 1'000);
  packet::SlmCounters slm;
  ASSERT_EQ(packet::OfferToCfm(absl::MakeSpan(frame), packet::Verdict::kEthertype,
                               ResponderConfig(), true, 2'000, slm),
            packet::CfmOutcome::kDmr);
  ASSERT_TRUE(ParseDmr(frame, o, 3'000).has_value());
  Y1731Options other_level = o;
  other_level.level = kCfmTestLevel - 1;
  EXPECT_FALSE(ParseDmr(frame, other_level, 3'000).has_value());
  EXPECT_TRUE(IsCfmFromResponder(frame, other_level));  // ours, but not as asked: malformed
  Y1731Options other_responder = o;
  other_responder.dst_mac[5] ^= 1;
  EXPECT_FALSE(IsCfmFromResponder(frame, other_responder));
  std::vector<uint8_t> wrong_offset = frame;
  wrong_offset[14 + 3] = 0;
  EXPECT_FALSE(ParseDmr(wrong_offset, o, 3'000).has_value());
  std::vector<uint8_t> cut(frame.begin(), frame.begin() + 14 + 4 + 20);
  EXPECT_FALSE(ParseDmr(cut, o, 3'000).has_value());
  std::vector<uint8_t> not_cfm = frame;
  not_cfm[12] = 0x08;
  not_cfm[13] = 0x00;
  EXPECT_FALSE(IsCfmFromResponder(not_cfm, o));
}

// §8.4.1 between two SLRs: forward = SLMs sent − SLRs the responder sent; backward = SLRs the
// responder sent − SLRs received; counters that wrapped in between count right.
TEST(Y1731SessionTest, SlmLossArithmetic) {
  const SlmLoss a = SlmLossBetween({0, 0, 0}, {100, 97, 95});
  EXPECT_EQ(a.forward, 3);
  EXPECT_EQ(a.backward, 2);
  const SlmLoss wrapped = SlmLossBetween({0xfffffff0u, 0xfffffff0u, 0}, {0x10, 0x0e, 0x1e});
  EXPECT_EQ(wrapped.forward, 2);
  EXPECT_EQ(wrapped.backward, 0);
}

// Ten SLMs: the responder never saw SLM 4, the SLR of SLM 6 never came back, nothing came back
// after SLM 8. One lost each way, two after the last SLR.
TEST(Y1731SessionTest, SlmCollectorSplitsTheLossByDirection) {
  std::vector<int64_t> sent_times;
  for (int i = 0; i < 10; ++i) sent_times.push_back(1'000 * (i + 1));
  Y1731Collector collector(Y1731Protocol::kSlm, 10);
  uint32_t fcb = 0;
  for (uint32_t fcf = 1; fcf <= 8; ++fcf) {
    if (fcf == 4) continue;  // lost on the way out
    ++fcb;
    if (fcf == 6) continue;  // lost on the way back
    SlrFields slr;
    slr.tx_fcf = fcf;
    slr.tx_fcb = fcb;
    collector.AddSlr(slr, sent_times, 1'000 * fcf + 300);
  }
  const Y1731Result r = collector.Finish(10, 1.0);
  EXPECT_EQ(r.stream.sent, 10u);
  EXPECT_EQ(r.stream.unique, 6u);
  EXPECT_EQ(r.stream.lost, 4u);
  ASSERT_TRUE(r.last.has_value());
  EXPECT_EQ(r.last->tx_fcf, 8u);
  EXPECT_EQ(r.last->tx_fcb, 7u);
  EXPECT_EQ(r.last->rx_fcl, 6u);
  EXPECT_EQ(r.loss.forward, 1);
  EXPECT_EQ(r.loss.backward, 1);
  EXPECT_EQ(r.unattributed, 2u);
  EXPECT_FALSE(r.responder_count_preceded);
  ASSERT_TRUE(r.stream.rtt.has_value());
  EXPECT_DOUBLE_EQ(r.stream.rtt->min_us, 0.3);  // the local round trips
  const std::string json = Y1731ResultJson(r, Options(Y1731Protocol::kSlm));
  EXPECT_NE(json.find("\"lost_forward\":1,\"lost_backward\":1,\"lost_unattributed\":2"),
            std::string::npos)
      << json;
  const std::string text = FormatY1731Result(r, Options(Y1731Protocol::kSlm));
  EXPECT_NE(text.find("lost forward (far end) 1, backward (near end) 1"), std::string::npos)
      << text;
}

// A test ID the responder had counted before: its TxFCb starts ahead of our TxFCf, so the
// loss is measured from the first SLR and nothing shows as lost.
TEST(Y1731SessionTest, SlmCollectorStartsFromTheFirstSlrWhenTheTestIdWasUsed) {
  const std::vector<int64_t> sent_times = {1'000, 2'000, 3'000};
  Y1731Collector collector(Y1731Protocol::kSlm, 3);
  for (uint32_t fcf = 1; fcf <= 3; ++fcf) {
    SlrFields slr;
    slr.tx_fcf = fcf;
    slr.tx_fcb = 100 + fcf;
    collector.AddSlr(slr, sent_times, 1'000 * fcf + 50);
  }
  const Y1731Result r = collector.Finish(3, 1.0);
  EXPECT_TRUE(r.responder_count_preceded);
  EXPECT_EQ(r.loss.forward, 0);
  EXPECT_EQ(r.loss.backward, 0);
  EXPECT_EQ(r.unattributed, 0u);
}

// DMRs are matched to their DMMs by TxTimeStampf: loss, duplicates and strangers as for an
// ITO stream, and the §8.2 figures of every answer that is ours.
TEST(Y1731SessionTest, DmmCollectorMatchesAnswersByTheirTxTimeStampf) {
  const std::vector<int64_t> sent_times = {1'000, 2'000, 3'000};
  Y1731Collector collector(Y1731Protocol::kDmm, 3);
  auto dmr = [](int64_t tx_f, int64_t dwell, int64_t raw) {
    DmrSample s;
    s.tx_f = tx_f;
    s.rx_f = tx_f + 100;
    s.tx_b = s.rx_f + dwell;
    s.rx_b = tx_f + raw;
    return s;
  };
  collector.AddDmr(dmr(1'000, 200, 900), sent_times);
  collector.AddDmr(dmr(3'000, 400, 1'000), sent_times);
  collector.AddDmr(dmr(3'000, 400, 1'000), sent_times);  // a duplicate
  collector.AddDmr(dmr(2'500, 400, 1'000), sent_times);  // never sent
  collector.AddDmr(dmr(2'000, 700, 600), sent_times);    // dwell beyond the round trip
  const Y1731Result r = collector.Finish(3, 1.0);
  EXPECT_EQ(r.stream.unique, 3u);
  EXPECT_EQ(r.stream.lost, 0u);
  EXPECT_EQ(r.stream.duplicates, 1u);
  EXPECT_EQ(r.stream.unknown, 1u);
  EXPECT_EQ(r.stream.out_of_order, 1u);  // 2'000 after 3'000
  EXPECT_EQ(r.dwell.min, 200);
  EXPECT_EQ(r.dwell.max, 700);
  EXPECT_EQ(r.raw_round_trip.min, 600);
  EXPECT_EQ(r.dwell_beyond_round_trip, 1);
  ASSERT_TRUE(r.stream.rtt.has_value());
  EXPECT_DOUBLE_EQ(r.stream.rtt->min_us, 0.0);  // 600 − 700, clamped
  EXPECT_DOUBLE_EQ(r.stream.rtt->max_us, 0.7);  // 900 − 200
  const std::string json = Y1731ResultJson(r, Options(Y1731Protocol::kDmm));
  EXPECT_NE(json.find("\"dwell\":{\"count\":4,\"min_ns\":200"), std::string::npos) << json;
  EXPECT_NE(json.find("\"dwell_beyond_round_trip\":1"), std::string::npos) << json;
  const std::string text = FormatY1731Result(r, Options(Y1731Protocol::kDmm));
  EXPECT_NE(text.find("meaningful only with synchronised clocks"), std::string::npos) << text;
}

}  // namespace
}  // namespace reflector::tester
