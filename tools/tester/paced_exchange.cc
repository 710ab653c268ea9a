#include "tools/tester/paced_exchange.h"

#include <poll.h>

#include <algorithm>

namespace reflector::tester {

uint64_t PacedExchange::max_requests() const {
  return count > 0 ? static_cast<uint64_t>(count)
                   : static_cast<uint64_t>(rate_fps * absl::ToDoubleSeconds(duration)) + 16;
}

absl::StatusOr<uint64_t> RunPacedExchange(int fd, const PacedExchange& exchange,
                                          const std::atomic<bool>& stop,
                                          absl::FunctionRef<absl::Status(uint64_t)> send,
                                          absl::FunctionRef<absl::StatusOr<uint64_t>()> read) {
  const uint64_t max_requests = exchange.max_requests();
  uint64_t sent = 0;
  uint64_t answered = 0;
  const absl::Duration gap = absl::Seconds(1.0 / std::max(exchange.rate_fps, 1e-3));
  const absl::Time start = absl::Now();
  const absl::Time end = start + exchange.duration;
  absl::Time next = start;
  absl::Time drain_until = absl::InfiniteFuture();
  const auto receive = [&](int timeout_ms) -> absl::Status {
    pollfd p = {fd, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) <= 0) return absl::OkStatus();
    absl::StatusOr<uint64_t> got = read();
    if (!got.ok()) return got.status();
    answered += *got;
    return absl::OkStatus();
  };
  for (;;) {
    const absl::Time now = absl::Now();
    const bool sending = drain_until == absl::InfiniteFuture();
    if (sending && (stop.load() || now >= end || sent >= max_requests)) {
      drain_until = now + exchange.drain;
      continue;
    }
    if (!sending && (now >= drain_until || answered >= sent)) return sent;
    if (sending && now >= next) {
      if (absl::Status status = send(sent); !status.ok()) return status;
      ++sent;
      next += gap;
      if (next < now - absl::Milliseconds(100)) next = now;  // do not burst to catch up
      if (absl::Status status = receive(0); !status.ok()) return status;
      continue;
    }
    const absl::Time wake = sending ? std::min(next, end) : drain_until;
    const int wait_ms =
        static_cast<int>(std::max<int64_t>(0, absl::ToInt64Milliseconds(wake - now)));
    if (absl::Status status = receive(wait_ms); !status.ok()) return status;
  }
}

}  // namespace reflector::tester
