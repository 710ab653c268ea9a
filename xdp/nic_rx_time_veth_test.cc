// STAMP's T2 from the NIC (issue 14): the device-bound program (LoadOptions::
// nic_rx_time_interface) on a lab veth. veth implements the XDP RX timestamp op but has no
// hardware clock: it gives the skb's hardware stamp, 0 here, so every T2 falls back to the
// software clock, is counted as such, and the answers stay those of the software program.
// Where the driver cannot run a device-bound program (lo) the load fails saying so, and a
// device-bound program cannot be attached in generic mode.
#include <linux/bpf.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "reflector/packet/config.h"
#include "reflector/packet/packet.h"
#include "reflector/packet/testing/cfm_frames.h"  // ReadBe
#include "reflector/packet/testing/stamp_frames.h"
#include "testing/lab/reflector_lab.h"
#include "testing/lab/require_root.h"
#include "xdp/loader.h"

namespace reflector::xdp {
namespace {

using ::testing::HasSubstr;
using packet::testing::ReadBe;
using packet::Verdict;
using packet::testing::StampCase;
using testing::lab::End;
using testing::lab::NetnsEntry;
using testing::lab::ReflectorLab;
using testing::lab::ReflectorLabOptions;

absl::StatusOr<std::unique_ptr<ReflectorLab>> MakeLab() {
  ReflectorLabOptions options;
  options.ipv6 = false;  // no traffic of the stacks' own
  return ReflectorLab::Create(options);
}

TEST(NicRxTimeVethTest, DeviceBoundProgramAnswersStampAndCountsTheSoftwareFallback) {
  REFLECTOR_REQUIRE_ROOT();
  absl::StatusOr<std::unique_ptr<ReflectorLab>> lab = MakeLab();
  ASSERT_TRUE(lab.ok()) << lab.status();
  absl::StatusOr<packet::CompiledConfig> compiled =
      packet::Compile(packet::testing::StampTestFilter());
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  rf_config config = compiled->wire;
  config.stamp_clock.ntp_shift = 2208988800 - 37;
  config.stamp_clock.ptp_shift = 0;

  std::unique_ptr<XdpProgram> program;
  {
    absl::StatusOr<NetnsEntry> inside = (*lab)->Enter(End::kReflector);
    ASSERT_TRUE(inside.ok()) << inside.status();
    absl::StatusOr<std::unique_ptr<XdpProgram>> loaded =
        XdpProgram::Load({.nic_rx_time_interface = (*lab)->reflector_if()});
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    program = *std::move(loaded);
    EXPECT_TRUE(program->nic_rx_time());
    ASSERT_TRUE(program->Configure(config, Action::kReflect).ok());
    absl::StatusOr<Attachment> attached =
        program->Attach((*lab)->reflector_if(), {.mode = AttachMode::kNative});
    ASSERT_TRUE(attached.ok()) << attached.status();
  }
  absl::StatusOr<rf_xdp_counters> before = program->ReadCounters();
  ASSERT_TRUE(before.ok()) << before.status();

  uint64_t answered = 0;
  for (const StampCase& c : packet::testing::StampTable()) {
    const std::vector<uint8_t> frame = c.frame();
    if (c.verdict != Verdict::kReflect || frame.size() > 1514) continue;
    SCOPED_TRACE(c.name);
    const uint64_t sent_at = packet::TaiNowNs();
    ASSERT_TRUE((*lab)->Send(frame).ok());
    absl::StatusOr<std::optional<std::vector<uint8_t>>> answer =
        (*lab)->Receive(absl::Now() + absl::Seconds(3));
    const uint64_t received_at = packet::TaiNowNs();
    ASSERT_TRUE(answer.ok()) << answer.status();
    ASSERT_TRUE(answer->has_value()) << "no answer";
    ++answered;
    const packet::Classification where = packet::Classify(frame, config);
    const size_t udp = where.where.l4_offset;
    const std::vector<uint8_t> oracle = c.Expected(0, 0, config.stamp_clock);
    EXPECT_EQ(packet::testing::MaskStampTimes(**answer, udp),
              packet::testing::MaskStampTimes(oracle, udp));
    // T2 from the software clock, as the NIC gave none: inside the window, before T3.
    const bool ptp = (c.payload[12] & 0x40) != 0;
    const uint64_t t3 = ReadBe(**answer, udp + RF_UDP_HLEN + 4, 8);
    const uint64_t t2 = ReadBe(**answer, udp + RF_UDP_HLEN + 16, 8);
    EXPECT_LE(packet::testing::StampTimestamp(sent_at, config.stamp_clock, ptp), t2);
    EXPECT_LE(t2, t3);
    EXPECT_LE(t3, packet::testing::StampTimestamp(received_at, config.stamp_clock, ptp));
  }
  ASSERT_GT(answered, 10u);

  absl::StatusOr<rf_xdp_counters> after = program->ReadCounters();
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->stamp_rx_time[0] - before->stamp_rx_time[0], answered);  // software
  EXPECT_EQ(after->stamp_rx_time[1] - before->stamp_rx_time[1], 0u);        // the NIC's
  EXPECT_EQ(after->reflect_errors - before->reflect_errors, 0u);
}

// Where a device-bound program cannot run: generic XDP, and a driver without device-bound XDP
// (lo), which the load already refuses, saying so.
TEST(NicRxTimeVethTest, DeviceBoundProgramNeedsNativeXdpOnADriverThatHasIt) {
  REFLECTOR_REQUIRE_ROOT();
  absl::StatusOr<std::unique_ptr<ReflectorLab>> lab = MakeLab();
  ASSERT_TRUE(lab.ok()) << lab.status();
  absl::StatusOr<NetnsEntry> inside = (*lab)->Enter(End::kReflector);
  ASSERT_TRUE(inside.ok()) << inside.status();
  absl::StatusOr<std::unique_ptr<XdpProgram>> program =
      XdpProgram::Load({.nic_rx_time_interface = (*lab)->reflector_if()});
  ASSERT_TRUE(program.ok()) << program.status();
  EXPECT_FALSE((*program)->Attach((*lab)->reflector_if(), {.mode = AttachMode::kGeneric}).ok());

  absl::StatusOr<std::unique_ptr<XdpProgram>> on_lo =
      XdpProgram::Load({.nic_rx_time_interface = "lo"});
  ASSERT_FALSE(on_lo.ok());
  EXPECT_EQ(on_lo.status().message(),
            "lo: its driver cannot run a device-bound XDP program (no XDP RX metadata)");
}

// The software program is unchanged by all this: it loads anywhere and says so.
TEST(NicRxTimeVethTest, SoftwareProgramIsTheDefault) {
  REFLECTOR_REQUIRE_ROOT();
  absl::StatusOr<std::unique_ptr<XdpProgram>> program = XdpProgram::Load();
  ASSERT_TRUE(program.ok()) << program.status();
  EXPECT_FALSE((*program)->nic_rx_time());
}

}  // namespace
}  // namespace reflector::xdp
