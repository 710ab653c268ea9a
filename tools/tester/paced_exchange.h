// The request/answer loop of ito-tester's standard-protocol senders (STAMP / TWAMP-Light,
// Y.1731): one request every 1/rate, the answers read from the socket between requests, until
// the duration or count is done or `stop` is set; then until every request is answered or the
// drain time has passed. One loop, so the senders pace and drain alike.
#ifndef REFLECTOR_TOOLS_TESTER_PACED_EXCHANGE_H_
#define REFLECTOR_TOOLS_TESTER_PACED_EXCHANGE_H_

#include <atomic>
#include <cstdint>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace reflector::tester {

struct PacedExchange {
  double rate_fps = 1000;
  absl::Duration duration = absl::Seconds(5);
  int64_t count = 0;  // 0: as many as the duration allows
  absl::Duration drain = absl::Milliseconds(200);

  // The requests the run may send: `count`, else rate × duration with room for the pacer's
  // rounding.
  uint64_t max_requests() const;
};

// Sends with `send(sequence)` (0, 1, ...) and reads with `read()`, which takes every answer
// waiting on `fd` without blocking and returns how many of them were answers. Returns the
// number of requests sent, or the first error of `send` or `read`.
absl::StatusOr<uint64_t> RunPacedExchange(int fd, const PacedExchange& exchange,
                                          const std::atomic<bool>& stop,
                                          absl::FunctionRef<absl::Status(uint64_t)> send,
                                          absl::FunctionRef<absl::StatusOr<uint64_t>()> read);

}  // namespace reflector::tester

#endif  // REFLECTOR_TOOLS_TESTER_PACED_EXCHANGE_H_
