// What the HTTP thread may know of the running daemon, and the one way it can ask for a
// change. The main loop owns the daemon's state; it publishes here what the API shows (status,
// settings in force, rule names, the counters of the last stats line) and serves the requests
// the HTTP thread posts (set settings, reload) between its own steps, so a change over HTTP
// goes through exactly the code a SIGHUP goes through. Counters are read through the data
// path's own snapshot call, the one the stats lines use: nothing here touches a worker.
#ifndef REFLECTOR_DAEMON_HTTP_BOARD_H_
#define REFLECTOR_DAEMON_HTTP_BOARD_H_

#include <pthread.h>

#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "reflector/daemon/options.h"
#include "reflector/daemon/rule_totals.h"
#include "reflector/engine/counters.h"
#include "reflector/engine/session_book.h"
#include "reflector/packet/config.h"

namespace reflector::daemon::http {

// Facts fixed at start (the banner's).
struct StartInfo {
  std::string version;
  std::string interface;
  std::string mac;
  std::string datapath;                // "xdp (native)"
  std::vector<std::string> fallbacks;  // why the data paths before it were skipped
  std::string queues;
  bool monitor = false;
  absl::Time started;
};

// The settings in force and what they compiled to.
struct Running {
  DaemonOptions options;
  std::vector<packet::Rule> rules;  // the compiled table, in the order they are tried
  RuleTotals rule_totals;           // names and per-rule bases, as the stats lines use them
};

// A counters snapshot as the API reports it: `counters` read now, and the last stats line's
// snapshot, from which rates are taken (the start when no line was printed yet).
struct Snapshot {
  engine::Counters counters;
  absl::Time time;
  engine::Counters previous;
  absl::Time previous_time;
  std::vector<RuleCount> by_rule;  // at `counters`
};

// A change asked for over HTTP.
struct ControlRequest {
  enum Kind { kSetSettings, kReload };
  Kind kind = kSetSettings;
  Settings settings;  // kSetSettings: the settings to change, by name, as text
};

// How it went: an HTTP status (200, 400, 409, 500, 503) and one line.
struct ControlReply {
  int status = 200;
  std::string message;
  std::vector<std::string> fields;  // the settings an error is about
};

// The signal a request wakes the main thread with (the daemon waits for it in sigtimedwait): a
// real-time one, as SIGUSR1 and SIGUSR2 mean "stats line now" and "renew the lease".
int WakeSignal();

class ControlBoard {
 public:
  using CounterReader = std::function<engine::Counters()>;
  // Constructed on the main thread: requests wake that thread (WakeSignal()).
  ControlBoard(StartInfo start, CounterReader read_counters, Running running);

  // Main thread: after a reload, and after each stats line.
  void SetRunning(Running running);
  void SetLastLine(const engine::Counters& counters, absl::Time time);
  // Main thread: the live sessions after each reading (engine::SessionBook::Live).
  void SetSessions(std::vector<engine::Session> sessions);
  // Main thread: answers the pending requests with `handler`, in the order they came.
  void ServeRequests(const std::function<ControlReply(const ControlRequest&)>& handler);
  // Main thread, when it stops: pending and later requests get 503.
  void Close();

  // Any thread.
  const StartInfo& start() const { return start_; }
  Running running() const;
  Snapshot Read() const;
  std::vector<engine::Session> sessions() const;
  // Posts a request and waits for the main loop's reply (503 after `timeout` or once closed).
  ControlReply Call(ControlRequest request, absl::Duration timeout);

 private:
  struct Pending {
    ControlRequest request;
    ControlReply reply;
    bool done = false;
  };

  const StartInfo start_;
  const CounterReader read_counters_;
  const pthread_t main_thread_;
  mutable absl::Mutex mu_;
  Running running_ ABSL_GUARDED_BY(mu_);
  engine::Counters last_line_ ABSL_GUARDED_BY(mu_);
  absl::Time last_line_time_ ABSL_GUARDED_BY(mu_);
  std::vector<engine::Session> sessions_ ABSL_GUARDED_BY(mu_);
  std::deque<std::shared_ptr<Pending>> pending_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace reflector::daemon::http

#endif  // REFLECTOR_DAEMON_HTTP_BOARD_H_
