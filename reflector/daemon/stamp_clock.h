// The STAMP reflector's clock settings (rf_stamp_clock): the kernel's TAI offset and sync
// state, read with adjtimex, turned into what the data paths need to write timestamps and the
// Error Estimate.
#ifndef REFLECTOR_DAEMON_STAMP_CLOCK_H_
#define REFLECTOR_DAEMON_STAMP_CLOCK_H_

#include <cstdint>

#include "reflector/packet/wire.h"

namespace reflector::daemon {

// TAI - UTC since 2017-01-01, assumed when the kernel's TAI offset is unset (0): CLOCK_TAI
// then reads UTC, and PTP timestamps need it added.
inline constexpr int kAssumedTaiOffset = 37;

// The RFC 4656 §4.1.2 Error Estimate (S, Scale, Multiplier; Z clear) for an error of
// `error_us` microseconds: the smallest Scale whose Multiplier (1..255) covers it, rounded up.
uint16_t ErrorEstimate(uint64_t error_us, bool synchronised);

// What adjtimex says: the clock from `tai_offset` (adjtimex's tai), synchronised or not, and
// its estimated (synchronised) or maximum (not) error.
rf_stamp_clock StampClock(int tai_offset, bool synchronised, uint64_t error_us);

// StampClock of the kernel's clock now.
rf_stamp_clock ReadStampClock();

inline bool SameStampClock(const rf_stamp_clock& a, const rf_stamp_clock& b) {
  return a.ntp_shift == b.ntp_shift && a.ptp_shift == b.ptp_shift &&
         a.error_estimate == b.error_estimate;
}

}  // namespace reflector::daemon

#endif  // REFLECTOR_DAEMON_STAMP_CLOCK_H_
