#include "reflector/packet/loop_guard.h"

#include <cstdint>
#include <set>
#include <vector>

#include "gtest/gtest.h"
#include "reflector/packet/packet.h"
#include "reflector/packet/testing/frame_builder.h"

namespace reflector::packet {
namespace {

using testing::FrameBuilder;

constexpr uint32_t kWindow = 100;  // ticks

// Reflects a copy of `frame` in `mode` as a data path would.
std::vector<uint8_t> Reflected(std::vector<uint8_t> frame, Mode mode, const rf_config& config) {
  const Classification c = Classify(frame, config);
  EXPECT_TRUE(c.reflect()) << VerdictName(c.verdict);
  EXPECT_TRUE(ReflectInPlace(absl::MakeSpan(frame), c.where, mode));
  return frame;
}

TEST(LoopGuard, AFrameSeenAgainWithinTheWindowIsALoop) {
  LoopGuard guard;
  const std::vector<uint8_t> frame = FrameBuilder().Build();
  EXPECT_FALSE(guard.SeenBefore(frame, 1000, kWindow));
  EXPECT_TRUE(guard.SeenBefore(frame, 1000, kWindow));
  EXPECT_TRUE(guard.SeenBefore(frame, 1000 + kWindow - 1, kWindow));
}

TEST(LoopGuard, AFrameSeenAgainAfterTheWindowIsNot) {
  LoopGuard guard;
  const std::vector<uint8_t> frame = FrameBuilder().Build();
  EXPECT_FALSE(guard.SeenBefore(frame, 1000, kWindow));
  EXPECT_FALSE(guard.SeenBefore(frame, 1000 + kWindow, kWindow));
  // ... and each sighting restarts the window.
  EXPECT_TRUE(guard.SeenBefore(frame, 1000 + 2 * kWindow - 1, kWindow));
}

TEST(LoopGuard, TheWindowHoldsAcrossTheClocksWrap) {
  LoopGuard guard;
  const std::vector<uint8_t> frame = FrameBuilder().Build();
  EXPECT_FALSE(guard.SeenBefore(frame, UINT32_MAX - 10, kWindow));
  EXPECT_TRUE(guard.SeenBefore(frame, 20, kWindow));
}

TEST(LoopGuard, AZeroWindowSeesNothing) {
  LoopGuard guard;
  const std::vector<uint8_t> frame = FrameBuilder().Build();
  EXPECT_FALSE(guard.SeenBefore(frame, 5, 0));
  EXPECT_FALSE(guard.SeenBefore(frame, 5, 0));
}

TEST(LoopGuard, AnEmptyTableHoldsNoFrameEvenAtTimeZero) {
  LoopGuard guard;
  for (size_t size = 0; size < 80; ++size) {
    EXPECT_FALSE(guard.SeenBefore(std::vector<uint8_t>(size, 0), 0, kWindow)) << size;
  }
}

// Two reflectors that take each other's frames, in every pair of modes: the frame comes back
// to one of them as it was within two round trips, so at most four reflections happen.
TEST(LoopGuard, TwoReflectorsFacingEachOtherStopWithinTwoRoundTrips) {
  const rf_config config_a = testing::DefaultTestConfig();
  rf_config config_b = config_a;  // B's own MAC is the tester's, the frame's source
  const MacAddress tester = testing::kTesterMac;
  std::copy(tester.begin(), tester.end(), config_b.if_mac);
  for (const Mode mode_a : kAllModes) {
    for (const Mode mode_b : kAllModes) {
      LoopGuard a, b;
      // A software tester's frame: accepted from any OUI, and on the same port both ways.
      std::vector<uint8_t> frame = FrameBuilder().Ports(3842, 3842).Custom("RFC2544").Build();
      int reflections = 0;
      for (int round = 0; round < 10; ++round) {
        if (a.SeenBefore(frame, 7, kWindow)) break;
        frame = Reflected(frame, mode_a, config_a);
        ++reflections;
        if (b.SeenBefore(frame, 7, kWindow)) break;
        frame = Reflected(frame, mode_b, config_b);
        ++reflections;
      }
      EXPECT_LE(reflections, 4) << ModeName(mode_a) << "/" << ModeName(mode_b);
    }
  }
}

// A tester's stream: each frame differs from the others only in its sequence number, wherever
// the tester keeps it. None of them is taken for a loop.
TEST(LoopGuard, AStreamWithSequenceNumbersIsNeverALoop) {
  struct Shape {
    const char* name;
    std::vector<uint8_t> frame;
    size_t sequence_at;  // where the 4-byte sequence number sits
  };
  const std::vector<uint8_t> ipv4 = FrameBuilder().Ito("LATENCY", 16).Build();
  const std::vector<uint8_t> qinq_ipv6 = FrameBuilder()
                                             .Vlan(0x0064, 0x88a8)
                                             .Vlan(0x00c8)
                                             .Ipv6(testing::kTesterIpv6, testing::kReflectorIpv6)
                                             .Ito("LATENCY", 16)
                                             .Build();
  const std::vector<uint8_t> jumbo = FrameBuilder().Custom("RFC2544").FrameSize(1518).Build();
  const std::vector<Shape> shapes = {
      {"after the ITO signature, IPv4", ipv4, 14 + 20 + 8 + 12 + 2},
      {"after the ITO signature, two tags and IPv6", qinq_ipv6, 14 + 8 + 40 + 8 + 12 + 2},
      {"in the last bytes of a 1518-byte frame", jumbo, 1518 - 12},
  };
  for (const Shape& shape : shapes) {
    ASSERT_LE(shape.sequence_at + 4, shape.frame.size()) << shape.name;
    LoopGuard guard;
    int loops = 0;
    std::vector<uint8_t> frame = shape.frame;
    for (uint32_t sequence = 0; sequence < 100'000; ++sequence) {
      for (int i = 0; i < 4; ++i) frame[shape.sequence_at + i] = (sequence >> (8 * i)) & 0xff;
      loops += guard.SeenBefore(frame, 7, kWindow);
    }
    EXPECT_EQ(loops, 0) << shape.name;
  }
}

// Every length, each in a buffer of exactly that size (ASan checks the reads).
TEST(LoopGuard, TheFingerprintReadsOnlyTheFrame) {
  for (size_t size = RF_FINGERPRINT_TAIL; size < 300; ++size) {
    std::vector<uint8_t> frame(size);
    for (size_t i = 0; i < size; ++i) frame[i] = static_cast<uint8_t>(i * 7);
    const uint64_t a = rf_fingerprint(frame.data(), frame.data() + frame.size());
    frame.back() ^= 1;  // the last byte counts
    EXPECT_NE(a, rf_fingerprint(frame.data(), frame.data() + frame.size())) << size;
  }
}

// A tester's stream as it is on the wire: per frame, the IP ID counts up (and the header
// checksum with it), the sequence number counts up and the timestamp moves on by an uneven
// step. The fingerprint folds every word's product with its own multiplier and mixes the sum
// once, so frames that differ in those three places share a slot and a tag (what the guard
// compares) only by chance, about 2^-44 a pair: none of these frames does, at any of the
// sizes whose last bytes the blocks cover already (64) or not (60, 72, 128).
TEST(LoopGuard, AStreamsFramesDifferInSlotOrTag) {
  for (const size_t size : {60, 64, 72, 128}) {
    std::set<uint64_t> seen;  // slot << 32 | tag
    constexpr uint32_t kFrames = 200'000;
    constexpr size_t kSequenceAt = 14 + 20 + 8 + 2;  // in the UDP payload
    constexpr size_t kTimestampAt = kSequenceAt + 4;
    uint64_t timestamp = 0x1234'5678'9abc'0000;
    for (uint32_t n = 0; n < kFrames; ++n) {
      std::vector<uint8_t> frame = FrameBuilder()
                                       .IpId(static_cast<uint16_t>(n))
                                       .Payload(std::vector<uint8_t>(size - 14 - 20 - 8, 0x5a))
                                       .Build();
      ASSERT_EQ(frame.size(), size);
      ASSERT_LE(kTimestampAt + 8, frame.size());
      for (int i = 0; i < 4; ++i) frame[kSequenceAt + i] = static_cast<uint8_t>(n >> (24 - 8 * i));
      timestamp += 1000 + (n * 7919) % 113;  // ns between frames, with jitter
      for (int i = 0; i < 8; ++i) {
        frame[kTimestampAt + i] = static_cast<uint8_t>(timestamp >> (56 - 8 * i));
      }
      const uint64_t fingerprint = rf_fingerprint(frame.data(), frame.data() + frame.size());
      seen.insert(uint64_t{rf_loop_slot_index(fingerprint)} << 32 | rf_loop_tag(fingerprint));
    }
    EXPECT_EQ(seen.size(), kFrames) << size;
  }
}

// Every bit of the bytes it covers counts, whichever block covers it, and so does the length:
// a frame and the same one with more zero padding differ. A word hashed twice (by a block and
// by the last 16 bytes) once lost its top bit: 2^63 times any odd multiplier is 2^63, so the
// two changes cancelled (sizes 24, 40, ... 104).
TEST(LoopGuard, EveryBitAndTheLengthChangeTheFingerprint) {
  for (size_t size = RF_FINGERPRINT_TAIL; size < 200; ++size) {
    std::vector<uint8_t> frame(size);
    for (size_t i = 0; i < size; ++i) frame[i] = static_cast<uint8_t>(i * 13 + 1);
    const uint64_t original = rf_fingerprint(frame.data(), frame.data() + frame.size());
    for (size_t bit = 0; bit < 8 * size; ++bit) {
      const size_t at = bit / 8;
      if (at >= RF_FINGERPRINT_HEAD && at < size - RF_FINGERPRINT_TAIL) continue;  // not covered
      frame[at] ^= static_cast<uint8_t>(1 << (bit % 8));
      EXPECT_NE(original, rf_fingerprint(frame.data(), frame.data() + frame.size()))
          << "size " << size << ", bit " << bit;
      frame[at] ^= static_cast<uint8_t>(1 << (bit % 8));
    }
  }
  for (size_t size = 48; size < 200; ++size) {
    const std::vector<uint8_t> zeros(size + 4);
    EXPECT_NE(rf_fingerprint(zeros.data(), zeros.data() + size),
              rf_fingerprint(zeros.data(), zeros.data() + size + 4))
        << size;
  }
}

TEST(LoopGuard, WindowTicksRoundUp) {
  EXPECT_EQ(LoopWindowTicks(absl::ZeroDuration()), 0u);
  EXPECT_EQ(LoopWindowTicks(absl::Nanoseconds(1)), 1u);
  EXPECT_EQ(LoopWindowTicks(absl::Nanoseconds(1 << RF_LOOP_TICK_SHIFT)), 1u);
  EXPECT_EQ(LoopWindowTicks(absl::Nanoseconds((1 << RF_LOOP_TICK_SHIFT) + 1)), 2u);
  EXPECT_EQ(LoopWindowTicks(absl::Seconds(1)), 954u);  // 1e9 / 2^20, rounded up
}

TEST(LoopGuard, TicksComeFromAMonotonicClock) {
  const uint32_t before = LoopTicksNow();
  const uint32_t after = LoopTicksNow();
  EXPECT_LE(static_cast<uint32_t>(after - before), 1u);
}

}  // namespace
}  // namespace reflector::packet
