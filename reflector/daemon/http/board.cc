#include "reflector/daemon/http/board.h"

#include <signal.h>

#include <utility>

namespace reflector::daemon::http {

ControlBoard::ControlBoard(StartInfo start, CounterReader read_counters, Running running)
    : start_(std::move(start)),
      read_counters_(std::move(read_counters)),
      main_thread_(pthread_self()),
      running_(std::move(running)),
      last_line_time_(start_.started) {}

void ControlBoard::SetRunning(Running running) {
  absl::MutexLock lock(&mu_);
  running_ = std::move(running);
}

void ControlBoard::SetLastLine(const engine::Counters& counters, absl::Time time) {
  absl::MutexLock lock(&mu_);
  last_line_ = counters;
  last_line_time_ = time;
}

void ControlBoard::SetSessions(std::vector<engine::Session> sessions) {
  absl::MutexLock lock(&mu_);
  sessions_ = std::move(sessions);
}

std::vector<engine::Session> ControlBoard::sessions() const {
  absl::MutexLock lock(&mu_);
  return sessions_;
}

Running ControlBoard::running() const {
  absl::MutexLock lock(&mu_);
  return running_;
}

Snapshot ControlBoard::Read() const {
  Snapshot snapshot;
  absl::MutexLock lock(&mu_);
  // Under the lock: a reload cannot swap the rule table between the read and the naming.
  snapshot.counters = read_counters_();
  snapshot.time = absl::Now();
  snapshot.previous = last_line_;
  snapshot.previous_time = last_line_time_;
  snapshot.by_rule = running_.rule_totals.At(snapshot.counters);
  return snapshot;
}

int WakeSignal() { return SIGRTMIN; }

ControlReply ControlBoard::Call(ControlRequest request, absl::Duration timeout) {
  auto pending = std::make_shared<Pending>();
  pending->request = std::move(request);
  absl::MutexLock lock(&mu_);
  if (closed_) return {503, "the daemon is stopping", {}};
  pending_.push_back(pending);
  // The main loop waits in sigtimedwait; WakeSignal() is one of the signals it waits for.
  pthread_kill(main_thread_, WakeSignal());
  if (!mu_.AwaitWithTimeout(absl::Condition(&pending->done), timeout)) {
    // Still queued: take it back so it is never applied after we said it was not.
    for (auto it = pending_.begin(); it != pending_.end(); ++it) {
      if (*it == pending) {
        pending_.erase(it);
        return {503, "the daemon's main loop did not answer in time; nothing was changed", {}};
      }
    }
    // Being served right now: its reply is the truth, wait for it.
    mu_.Await(absl::Condition(&pending->done));
  }
  return pending->reply;
}

void ControlBoard::ServeRequests(
    const std::function<ControlReply(const ControlRequest&)>& handler) {
  for (;;) {
    std::shared_ptr<Pending> next;
    {
      absl::MutexLock lock(&mu_);
      if (pending_.empty()) return;
      next = pending_.front();
      pending_.pop_front();
    }
    // Unlocked: the handler publishes through SetRunning.
    ControlReply reply = handler(next->request);
    absl::MutexLock lock(&mu_);
    next->reply = std::move(reply);
    next->done = true;
  }
}

void ControlBoard::Close() {
  absl::MutexLock lock(&mu_);
  closed_ = true;
  for (const std::shared_ptr<Pending>& pending : pending_) {
    pending->reply = {503, "the daemon is stopping; nothing was changed", {}};
    pending->done = true;
  }
  pending_.clear();
}

}  // namespace reflector::daemon::http
