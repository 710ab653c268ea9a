// The Y.1731 responder (cfm.h) as the workers run it (cfm_responder.h) over the CFM frame
// table: the outcome, the exact answer but for the DMR timestamps, and those within the
// test's window of CLOCK_TAI with RxTimeStampf <= TxTimeStampb.
#include "reflector/packet/cfm_responder.h"

#include <vector>

#include "gtest/gtest.h"
#include "reflector/packet/config.h"
#include "reflector/packet/testing/cfm_frames.h"
#include "reflector/packet/testing/frame_builder.h"
#include "reflector/packet/testing/stamp_frames.h"

namespace reflector::packet {
namespace {

using testing::CfmCase;

rf_config CompiledFor(const CfmCase& c) {
  absl::StatusOr<CompiledConfig> compiled = Compile(c.filter());
  EXPECT_TRUE(compiled.ok()) << compiled.status();
  rf_config config = compiled->wire;
  config.stamp_clock.ptp_shift = 0;
  return config;
}

class CfmTableTest : public ::testing::TestWithParam<CfmCase> {};

TEST_P(CfmTableTest, AnswersAsTheTableSays) {
  const CfmCase& c = GetParam();
  const rf_config config = CompiledFor(c);
  std::vector<uint8_t> frame = c.frame;
  const Classification classified = Classify(frame, config);
  ASSERT_FALSE(classified.reflect());
  SlmCounters slm;
  const uint64_t before = TaiNowNs();
  const CfmOutcome outcome =
      OfferToCfm(absl::MakeSpan(frame), classified.verdict, config, true, TaiNowNs(), slm);
  const uint64_t after = TaiNowNs();
  EXPECT_EQ(CfmOutcomeName(outcome), CfmOutcomeName(c.outcome));
  EXPECT_EQ(testing::MaskCfmTimes(frame), c.expected)
      << testing::DescribeDifference(c.expected, frame);
  if (outcome == CfmOutcome::kDmr) {
    const size_t h = testing::CfmHeaderOffset(frame);
    const uint64_t rx = testing::ReadBe(frame, h + 12, 8);
    const uint64_t tx = testing::ReadBe(frame, h + 20, 8);
    EXPECT_LE(testing::StampTimestamp(before, config.stamp_clock, true), rx);
    EXPECT_LE(rx, tx);
    EXPECT_LE(tx, testing::StampTimestamp(after, config.stamp_clock, true));
  }
  // Monitor mode: the same outcome, the frame untouched.
  std::vector<uint8_t> watched = c.frame;
  EXPECT_EQ(OfferToCfm(absl::MakeSpan(watched), classified.verdict, config, false, 0, slm),
            outcome);
  EXPECT_EQ(watched, c.frame);
}

INSTANTIATE_TEST_SUITE_P(CfmTable, CfmTableTest, ::testing::ValuesIn(testing::CfmTable()),
                         [](const ::testing::TestParamInfo<CfmCase>& info) {
                           return info.param.name;
                         });

std::vector<uint8_t> Slm(uint16_t src_mep, uint32_t test_id) {
  return testing::CfmFrame(testing::kReflectorMac, {}, testing::kCfmTestLevel, RF_CFM_OP_SLM, 16,
                           {static_cast<uint8_t>(src_mep >> 8), static_cast<uint8_t>(src_mep), 0,
                            0, static_cast<uint8_t>(test_id >> 24),
                            static_cast<uint8_t>(test_id >> 16), static_cast<uint8_t>(test_id >> 8),
                            static_cast<uint8_t>(test_id), 0, 0, 0, 1, 0, 0, 0, 0});
}

uint32_t TxFcb(const rf_config& config, SlmCounters& slm, std::vector<uint8_t> frame) {
  EXPECT_EQ(OfferToCfm(absl::MakeSpan(frame), Verdict::kEthertype, config, true, 0, slm),
            CfmOutcome::kSlr);
  return static_cast<uint32_t>(testing::ReadBe(frame, 14 + 4 + 12, 4));
}

TEST(SlmCountersTest, CountsSlrsPerTestAndSender) {
  absl::StatusOr<CompiledConfig> compiled = Compile(testing::CfmTestFilter());
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  SlmCounters slm;
  EXPECT_EQ(TxFcb(compiled->wire, slm, Slm(1, 10)), 1u);
  EXPECT_EQ(TxFcb(compiled->wire, slm, Slm(1, 10)), 2u);
  EXPECT_EQ(TxFcb(compiled->wire, slm, Slm(1, 11)), 1u);  // another test
  EXPECT_EQ(TxFcb(compiled->wire, slm, Slm(2, 10)), 1u);  // another sender MEP
  EXPECT_EQ(TxFcb(compiled->wire, slm, Slm(1, 10)), 3u);
}

TEST(CfmResponderTest, OffOrAReflectVerdictIsNotCfm) {
  const CfmCase& lbm = testing::CfmTable().front();
  std::vector<uint8_t> frame = lbm.frame;
  SlmCounters slm;
  absl::StatusOr<CompiledConfig> plain = Compile(testing::DefaultTestFilter());
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(OfferToCfm(absl::MakeSpan(frame), Verdict::kEthertype, plain->wire, true, 0, slm),
            CfmOutcome::kNotCfm);
  absl::StatusOr<CompiledConfig> on = Compile(testing::CfmTestFilter());
  ASSERT_TRUE(on.ok());
  EXPECT_EQ(OfferToCfm(absl::MakeSpan(frame), Verdict::kReflect, on->wire, true, 0, slm),
            CfmOutcome::kNotCfm);
  EXPECT_EQ(frame, lbm.frame);
}

// --lease: once it runs out nothing is answered, Y.1731 included; renewed, answers resume.
TEST(CfmResponderTest, AnExpiredLeaseStopsTheAnswers) {
  const CfmCase& lbm = testing::CfmTable().front();
  absl::StatusOr<CompiledConfig> on = Compile(testing::CfmTestFilter());
  ASSERT_TRUE(on.ok());
  rf_config config = on->wire;
  SlmCounters slm;
  std::vector<uint8_t> frame = lbm.frame;
  config.guard.flags |= RF_GUARD_LEASE_EXPIRED;
  EXPECT_EQ(OfferToCfm(absl::MakeSpan(frame), Verdict::kEthertype, config, true, 0, slm),
            CfmOutcome::kNotCfm);
  EXPECT_EQ(frame, lbm.frame);
  config.guard.flags &= ~RF_GUARD_LEASE_EXPIRED;
  EXPECT_TRUE(CfmAnswered(
      OfferToCfm(absl::MakeSpan(frame), Verdict::kEthertype, config, true, 0, slm)));
  EXPECT_NE(frame, lbm.frame);
}

TEST(CfmConfigTest, Y1731AloneIsAValidProfileAndBoundsAreChecked) {
  FilterConfig filter = testing::CfmTestFilter();
  filter.profiles = ProfileBit(Profile::kY1731);
  absl::StatusOr<CompiledConfig> compiled = Compile(filter);
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  EXPECT_EQ(compiled->wire.rule_count, 0);
  EXPECT_EQ(compiled->wire.cfm.flags, RF_CFM_ON);
  filter.y1731_level = 8;
  EXPECT_FALSE(Compile(filter).ok());
  filter.y1731_level = 0;
  filter.y1731_vlan = 4095;
  EXPECT_FALSE(Compile(filter).ok());
  EXPECT_EQ(ParseProfiles("ito,y1731").value(),
            ProfileBit(Profile::kIto) | ProfileBit(Profile::kY1731));
}

}  // namespace
}  // namespace reflector::packet
