#include "reflector/daemon/stamp_clock.h"

#include <sys/timex.h>

#include "reflector/packet/stamp.h"

namespace reflector::daemon {
namespace {

constexpr int64_t kNtpUnixOffset = 2208988800;  // seconds from 1900 to 1970

}  // namespace

uint16_t ErrorEstimate(uint64_t error_us, bool synchronised) {
  if (error_us == 0) error_us = 1;  // no clock is exact: at least its reading's microsecond
  // The error in units of 2^-32 s, rounded up; below 2^52 for any error under 12 days.
  const unsigned __int128 units = ((static_cast<unsigned __int128>(error_us) << 32) + 999'999) / 1'000'000;
  uint32_t scale = 0;
  while (scale < 63 && ((units + (static_cast<unsigned __int128>(1) << scale) - 1) >> scale) > 255) {
    ++scale;
  }
  uint64_t multiplier = static_cast<uint64_t>((units + (static_cast<unsigned __int128>(1) << scale) - 1) >> scale);
  if (multiplier > 255) multiplier = 255;
  if (multiplier == 0) multiplier = 1;  // RFC 4656: zero is not a valid multiplier
  return static_cast<uint16_t>((synchronised ? RF_STAMP_S : 0) | (scale << 8) | multiplier);
}

rf_stamp_clock StampClock(int tai_offset, bool synchronised, uint64_t error_us) {
  rf_stamp_clock clock = {};
  clock.ntp_shift = kNtpUnixOffset - tai_offset;
  clock.ptp_shift = tai_offset == 0 ? kAssumedTaiOffset : 0;
  clock.error_estimate = ErrorEstimate(error_us, synchronised);
  return clock;
}

rf_stamp_clock ReadStampClock() {
  timex tx = {};  // modes 0: read only
  const int state = adjtimex(&tx);
  const bool synchronised = state >= 0 && state != TIME_ERROR && !(tx.status & STA_UNSYNC);
  const long error_us = synchronised ? tx.esterror : tx.maxerror;
  return StampClock(state >= 0 ? tx.tai : 0, synchronised,
                    error_us > 0 ? static_cast<uint64_t>(error_us) : 0);
}

}  // namespace reflector::daemon
