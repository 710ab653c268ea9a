#include "tools/tester/paced_exchange.h"

#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>

#include "gtest/gtest.h"

namespace reflector::tester {
namespace {

// A datagram pair: what `send` writes to one end is an answer waiting on the other.
class Pair {
 public:
  Pair() { EXPECT_EQ(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, fds_), 0); }
  ~Pair() {
    close(fds_[0]);
    close(fds_[1]);
  }
  int ours() const { return fds_[0]; }
  int peer() const { return fds_[1]; }

 private:
  int fds_[2] = {-1, -1};
};

PacedExchange Exchange(int64_t count) {
  PacedExchange exchange;
  exchange.rate_fps = 1e6;
  exchange.duration = absl::Seconds(60);
  exchange.count = count;
  exchange.drain = absl::Seconds(60);  // never reached: every request is answered
  return exchange;
}

// Every request answered: the count is sent, in order, and the run ends without the drain.
TEST(PacedExchangeTest, SendsTheCountAndEndsWhenEveryRequestIsAnswered) {
  Pair pair;
  std::atomic<bool> stop{false};
  uint64_t next = 0;
  bool in_order = true;
  const absl::StatusOr<uint64_t> sent = RunPacedExchange(
      pair.ours(), Exchange(20), stop,
      [&](uint64_t sequence) {
        in_order = in_order && sequence == next;
        ++next;
        const char byte = 1;
        EXPECT_EQ(::send(pair.peer(), &byte, 1, 0), 1);
        return absl::OkStatus();
      },
      [&]() -> absl::StatusOr<uint64_t> {
        uint64_t answers = 0;
        char byte;
        while (recv(pair.ours(), &byte, 1, MSG_DONTWAIT) == 1) ++answers;
        return answers;
      });
  ASSERT_TRUE(sent.ok()) << sent.status();
  EXPECT_EQ(*sent, 20u);
  EXPECT_TRUE(in_order);
  EXPECT_EQ(Exchange(20).max_requests(), 20u);
}

TEST(PacedExchangeTest, StopsBeforeSendingWhenAskedTo) {
  Pair pair;
  std::atomic<bool> stop{true};
  PacedExchange exchange = Exchange(20);
  exchange.drain = absl::ZeroDuration();
  const absl::StatusOr<uint64_t> sent = RunPacedExchange(
      pair.ours(), exchange, stop, [](uint64_t) { return absl::OkStatus(); },
      []() -> absl::StatusOr<uint64_t> { return 0; });
  ASSERT_TRUE(sent.ok()) << sent.status();
  EXPECT_EQ(*sent, 0u);
}

TEST(PacedExchangeTest, ASendErrorEndsTheRun) {
  Pair pair;
  std::atomic<bool> stop{false};
  const absl::StatusOr<uint64_t> sent = RunPacedExchange(
      pair.ours(), Exchange(20), stop,
      [](uint64_t sequence) {
        return sequence == 3 ? absl::UnavailableError("no route") : absl::OkStatus();
      },
      []() -> absl::StatusOr<uint64_t> { return 0; });
  EXPECT_EQ(sent.status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace reflector::tester
