// systemd's service protocol (sd_notify(3)), for a `Type=notify` unit with `WatchdogSec=`:
// READY=1 once the data path reflects, STATUS= with the current rates, WATCHDOG=1 from the
// main loop, RELOADING=1 around a SIGHUP and STOPPING=1 at the end. Without $NOTIFY_SOCKET
// (not started by systemd) every call does nothing, so the daemon behaves as it always did.
#ifndef REFLECTOR_DAEMON_SERVICE_NOTIFY_H_
#define REFLECTOR_DAEMON_SERVICE_NOTIFY_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "reflector/engine/counters.h"

namespace reflector::daemon {

class ServiceNotifier {
 public:
  // Reads $NOTIFY_SOCKET and $WATCHDOG_USEC (and $WATCHDOG_PID) once.
  ServiceNotifier();

  // Started by systemd ($NOTIFY_SOCKET set): only then is there anything to tell, so callers
  // need not read counters for Tick otherwise.
  bool enabled() const { return enabled_; }

  // The longest the main loop may sleep between two Tick calls: half the watchdog interval
  // (systemd's advice), or `poll` when that is shorter or there is no watchdog.
  absl::Duration MaxSleep(absl::Duration poll) const;

  // READY=1 with a first STATUS=; `counters` start the rate measurement.
  void Ready(absl::string_view what, const engine::Counters& counters, absl::Time now);
  // WATCHDOG=1 on every call when the watchdog is on, and a new STATUS= with the rates at
  // most once a second.
  void Tick(const engine::Counters& counters, absl::Time now);
  void Reloading();
  void Reloaded();
  void Stopping();

  // "eth0 xdp: rx 12 fps 0.0 Mbps, reflected 12 fps 0.0 Mbps; 340 reflected in
  // total": STATUS= for the interval between two snapshots.
  static std::string StatusText(absl::string_view what, const engine::Counters& previous,
                                const engine::Counters& now, absl::Duration interval);

 private:
  void Send(const std::string& state) const;

  bool enabled_ = false;
  std::optional<absl::Duration> watchdog_;
  std::string what_;
  engine::Counters previous_;
  absl::Time previous_time_;
};

}  // namespace reflector::daemon

#endif  // REFLECTOR_DAEMON_SERVICE_NOTIFY_H_
