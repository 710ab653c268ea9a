#include "reflector/daemon/service_notify.h"

#include <systemd/sd-daemon.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace reflector::daemon {
namespace {

constexpr absl::Duration kStatusEvery = absl::Seconds(1);

double PerSecond(uint64_t before, uint64_t after, absl::Duration interval) {
  const double seconds = absl::ToDoubleSeconds(interval);
  return after >= before && seconds > 0 ? static_cast<double>(after - before) / seconds : 0;
}

}  // namespace

ServiceNotifier::ServiceNotifier() {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  enabled_ = socket != nullptr && *socket != '\0';
  uint64_t usec = 0;
  // > 0 only when $WATCHDOG_USEC is set and $WATCHDOG_PID, if set, is this process.
  if (enabled_ && sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
    watchdog_ = absl::Microseconds(static_cast<int64_t>(usec));
  }
}

absl::Duration ServiceNotifier::MaxSleep(absl::Duration poll) const {
  return watchdog_.has_value() ? std::min(poll, *watchdog_ / 2) : poll;
}

void ServiceNotifier::Ready(absl::string_view what, const engine::Counters& counters,
                            absl::Time now) {
  what_ = std::string(what);
  previous_ = counters;
  previous_time_ = now;
  Send(absl::StrCat("READY=1\nSTATUS=", what_, ": reflecting"));
}

void ServiceNotifier::Tick(const engine::Counters& counters, absl::Time now) {
  if (!enabled_) return;
  std::string state;
  if (watchdog_.has_value()) state = "WATCHDOG=1";
  if (now - previous_time_ >= kStatusEvery) {
    absl::StrAppend(&state, state.empty() ? "" : "\n", "STATUS=",
                    StatusText(what_, previous_, counters, now - previous_time_));
    previous_ = counters;
    previous_time_ = now;
  }
  if (!state.empty()) Send(state);
}

void ServiceNotifier::Reloading() { Send("RELOADING=1\nSTATUS=reloading the settings"); }

void ServiceNotifier::Reloaded() { Send(absl::StrCat("READY=1\nSTATUS=", what_, ": reloaded")); }

void ServiceNotifier::Stopping() { Send("STOPPING=1\nSTATUS=detaching"); }

std::string ServiceNotifier::StatusText(absl::string_view what, const engine::Counters& previous,
                                        const engine::Counters& now, absl::Duration interval) {
  return absl::StrFormat(
      "%s: rx %.0f fps %.1f Mbps, reflected %.0f fps %.1f Mbps; %d reflected in total", what,
      PerSecond(previous.rx_frames, now.rx_frames, interval),
      PerSecond(previous.rx_bytes, now.rx_bytes, interval) * 8 / 1e6,
      PerSecond(previous.reflected_frames, now.reflected_frames, interval),
      PerSecond(previous.reflected_bytes, now.reflected_bytes, interval) * 8 / 1e6,
      now.reflected_frames);
}

void ServiceNotifier::Send(const std::string& state) const {
  // A lost notification costs systemd's view of us, never the reflection: nothing to handle.
  if (enabled_) sd_notify(0, state.c_str());
}

}  // namespace reflector::daemon
