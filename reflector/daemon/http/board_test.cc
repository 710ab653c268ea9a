#include "reflector/daemon/http/board.h"

#include <signal.h>

#include <thread>

#include "gtest/gtest.h"

namespace reflector::daemon::http {
namespace {

// The board wakes its constructing thread with WakeSignal(): block it, as the daemon does.
void BlockWakeSignal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, WakeSignal());
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

TEST(ControlBoardTest, ReadNamesRulesAndRatesFromTheLastLine) {
  BlockWakeSignal();
  engine::Counters counters;
  counters.reflected_frames = 5;
  counters.reflected_by_rule[0] = 5;
  Running running;
  running.rule_totals.SetInitialTable({"probeot"});
  StartInfo start;
  start.started = absl::FromUnixSeconds(10);
  ControlBoard board(start, [&] { return counters; }, running);
  Snapshot snapshot = board.Read();
  EXPECT_EQ(snapshot.counters, counters);
  EXPECT_EQ(snapshot.previous_time, absl::FromUnixSeconds(10));
  EXPECT_EQ(snapshot.by_rule, (std::vector<RuleCount>{{"probeot", 5, 0}}));
  engine::Counters line;
  line.reflected_frames = 2;
  board.SetLastLine(line, absl::FromUnixSeconds(11));
  snapshot = board.Read();
  EXPECT_EQ(snapshot.previous, line);
  EXPECT_EQ(snapshot.previous_time, absl::FromUnixSeconds(11));
}

TEST(ControlBoardTest, CallIsAnsweredByTheMainThreadInOrder) {
  BlockWakeSignal();
  ControlBoard board({}, [] { return engine::Counters(); }, {});
  std::vector<std::string> served;
  std::thread client([&] {
    for (const char* port : {"1", "2"}) {
      const ControlReply reply = board.Call({ControlRequest::kSetSettings, {{"port", port}}},
                                            absl::Seconds(30));
      EXPECT_EQ(reply.status, 200);
      EXPECT_EQ(reply.message, std::string("port ") + port);
    }
  });
  // The main loop: wait for the wake signal, then serve.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, WakeSignal());
  while (served.size() < 2) {
    const timespec ts{0, 100 * 1000 * 1000};
    sigtimedwait(&set, nullptr, &ts);
    board.ServeRequests([&](const ControlRequest& request) {
      served.push_back(request.settings.at("port"));
      return ControlReply{200, "port " + request.settings.at("port"), {}};
    });
  }
  client.join();
  EXPECT_EQ(served, (std::vector<std::string>{"1", "2"}));
}

TEST(ControlBoardTest, UnansweredAndClosedCallsAre503AndNeverApplied) {
  BlockWakeSignal();
  ControlBoard board({}, [] { return engine::Counters(); }, {});
  EXPECT_EQ(board.Call({ControlRequest::kReload, {}}, absl::Milliseconds(10)).status, 503);
  bool applied = false;
  board.ServeRequests([&](const ControlRequest&) {
    applied = true;
    return ControlReply{};
  });
  EXPECT_FALSE(applied);  // the timed-out request was taken back
  board.Close();
  EXPECT_EQ(board.Call({ControlRequest::kReload, {}}, absl::Seconds(1)).status, 503);
}

}  // namespace
}  // namespace reflector::daemon::http
