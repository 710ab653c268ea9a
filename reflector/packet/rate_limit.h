// Rate caps as a user states them ("100kfps", "500Mbit", "100kfps,500Mbit") and their wire form
// (rf_rate_cap, guard.h). Shared by the daemon's global caps and the rules' caps.
#ifndef REFLECTOR_PACKET_RATE_LIMIT_H_
#define REFLECTOR_PACKET_RATE_LIMIT_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "reflector/packet/wire.h"

namespace reflector::packet {

// At most this many frames and bits a second; 0: that dimension is not capped.
struct RateLimit {
  uint64_t frames_per_second = 0;
  uint64_t bits_per_second = 0;
  bool set() const { return frames_per_second != 0 || bits_per_second != 0; }
  friend bool operator==(const RateLimit&, const RateLimit&) = default;
};

inline constexpr uint64_t kMaxFramesPerSecond = 1'000'000'000;  // beyond any link
inline constexpr uint64_t kMaxBitsPerSecond = 100'000'000'000;  // 100 Gbit/s
inline constexpr uint64_t kMinBitsPerSecond = 1'000;

// "100kfps", "1.5Mfps", "500Mbit" (also "500Mbps", "500Mbit/s"), or both comma-separated
// ("100kfps,500Mbit"); prefixes k, M, G are powers of 1000. "", "0", "off" and "none": no cap.
absl::StatusOr<RateLimit> ParseRateLimit(absl::string_view text);
// "100 kfps", "500 Mbit/s", "1.5 Mfps, 2 Gbit/s", or "none"; ParseRateLimit reads it back.
std::string FormatRateLimit(const RateLimit& limit);

// The wire form: a frame's and a byte's cost in 2^-RF_RATE_SHIFT ns, rounded to nearest.
rf_rate_cap ToWireCap(const RateLimit& limit);
// A cap's burst allowance (how far its bucket may run ahead of the clock) in the same unit.
uint64_t RateBurstUnits(absl::Duration burst);
// CLOCK_MONOTONIC in 2^-RF_RATE_SHIFT ns: the XDP program's clock (bpf_ktime_get_ns) in the
// caps' unit.
uint64_t RateTimeNow();

// Whether any cap of `guard` is set (what RF_GUARD_RATE_CAPS says to the data paths).
bool HasRateCaps(const rf_guard& guard);

}  // namespace reflector::packet

#endif  // REFLECTOR_PACKET_RATE_LIMIT_H_
