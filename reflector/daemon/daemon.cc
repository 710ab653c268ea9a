#include "reflector/daemon/daemon.h"

#include <linux/capability.h>
#include <net/if.h>
#include <signal.h>
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/strings/str_split.h"
#include "reflector/base/netdev.h"
#include "reflector/daemon/http/api.h"
#include "reflector/daemon/http/board.h"
#include "reflector/daemon/http/server.h"
#include "reflector/daemon/instance_lock.h"
#include "reflector/daemon/journal_stream.h"
#include "reflector/daemon/lease.h"
#include "reflector/daemon/stamp_clock.h"
#include "reflector/daemon/loop_watch.h"
#include "reflector/base/version.h"
#include "reflector/daemon/privileges.h"
#include "reflector/daemon/report.h"
#include "reflector/daemon/service_notify.h"
#include "reflector/daemon/sessions.h"
#include "reflector/daemon/thread_placement.h"
#include "reflector/engine/capture/capture_writer.h"
#include "reflector/engine/session_book.h"
#include "reflector/packet/loop_guard.h"
#include "xdp/libbpf_log.h"

namespace reflector::daemon {
namespace {

// How often the main loop reads the per-tester session counts; also the longest it sleeps.
constexpr absl::Duration kSessionReadPeriod = absl::Milliseconds(500);
// Sessions the summary at exit names.
constexpr size_t kSummarySessions = 5;

// Lines on stderr, filtered by --log_level. Errors always print: they explain an exit. In the
// journal each line carries its priority (journal_stream.h).
class Logger {
 public:
  Logger(LogLevel level, const JournalStreams& journal) : journal_(journal) { set_level(level); }
  // libbpf's messages (verifier logs among them) follow the level: shown only at debug.
  void set_level(LogLevel level) {
    level_ = level;
    // libbpf keeps the pointer: a literal outlives every call.
    const char* prefix = journal_.StderrPrefix(Priority::kDebug).empty()
                             ? "reflectord: debug: "
                             : "<7>reflectord: debug: ";
    xdp::RouteLibbpfLog(level >= LogLevel::kDebug ? xdp::LibbpfLog::kDebug : xdp::LibbpfLog::kQuiet,
                        stderr, prefix);
  }
  void Error(absl::string_view message) const { Print(Priority::kErr, "", message); }
  void Warning(absl::string_view message) const {
    if (level_ >= LogLevel::kWarning) Print(Priority::kWarning, "warning: ", message);
  }
  void Info(absl::string_view message) const {
    if (level_ >= LogLevel::kInfo) Print(Priority::kInfo, "", message);
  }
  void Debug(absl::string_view message) const {
    if (level_ >= LogLevel::kDebug) Print(Priority::kDebug, "debug: ", message);
  }

 private:
  void Print(Priority priority, absl::string_view prefix, absl::string_view message) const {
    absl::FPrintF(stderr, "%sreflectord: %s%s\n", journal_.StderrPrefix(priority), prefix,
                  message);
  }
  const JournalStreams& journal_;
  LogLevel level_;
};

sigset_t DaemonSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  sigaddset(&set, SIGUSR1);
  sigaddset(&set, SIGUSR2);              // renew the lease
  sigaddset(&set, http::WakeSignal());  // the HTTP thread posted a request (http/board.h)
  return set;
}

// Waits for one of the daemon's signals for at most `timeout`; 0 when none came.
int WaitForSignal(absl::Duration timeout) {
  const sigset_t set = DaemonSignals();
  const timespec ts = absl::ToTimespec(std::max(timeout, absl::ZeroDuration()));
  const int signal = sigtimedwait(&set, nullptr, &ts);
  return signal > 0 ? signal : 0;
}

// The one compilation of a filter for the interface: the wire config and the rules by index.
absl::StatusOr<packet::CompiledConfig> CompileFor(const DaemonOptions& options,
                                                  const base::NetDevice& device) {
  packet::FilterConfig filter = options.filter;
  filter.interface_mac = device.mac;
  absl::StatusOr<packet::CompiledConfig> compiled = packet::Compile(filter);
  // The guard stage rides in the same config (one swap applies both), but is the daemon's;
  // the rules' own caps came with the rules.
  if (!compiled.ok()) return compiled;
  rf_guard& guard = compiled->wire.guard;
  guard.loop_window_ticks = packet::LoopWindowTicks(options.loop_window);
  guard.global.all = packet::ToWireCap(options.rate_limit);
  guard.global.per_source = packet::ToWireCap(options.source_rate_limit);
  guard.rate_burst = packet::RateBurstUnits(options.rate_burst);
  if (packet::HasRateCaps(guard)) guard.flags |= RF_GUARD_RATE_CAPS;
  compiled->wire.stamp_clock = ReadStampClock();
  return compiled;
}

// The config to run with while the lease is expired or not: the guard reflects nothing then.
rf_config WithLease(rf_config wire, bool lease_expired) {
  if (lease_expired) wire.guard.flags |= RF_GUARD_LEASE_EXPIRED;
  return wire;
}

std::vector<std::string> RuleNames(const std::vector<packet::Rule>& rules) {
  std::vector<std::string> names;
  for (const packet::Rule& rule : rules) names.push_back(rule.name);
  return names;
}

// "unchanged", or what a reload did to the rule table: "added x; removed y; changed z".
std::string RuleChanges(const std::vector<packet::Rule>& before,
                        const std::vector<packet::Rule>& after) {
  if (before == after) return "unchanged";
  const auto find = [](const std::vector<packet::Rule>& rules, const std::string& name) {
    return std::find_if(rules.begin(), rules.end(),
                        [&name](const packet::Rule& r) { return r.name == name; });
  };
  std::vector<std::string> added, removed, changed;
  for (const packet::Rule& rule : after) {
    const auto old = find(before, rule.name);
    if (old == before.end()) {
      added.push_back(rule.name);
    } else if (!(*old == rule)) {
      changed.push_back(rule.name);
    }
  }
  for (const packet::Rule& rule : before) {
    if (find(after, rule.name) == after.end()) removed.push_back(rule.name);
  }
  std::vector<std::string> parts;
  if (!added.empty()) parts.push_back("added " + absl::StrJoin(added, ","));
  if (!removed.empty()) parts.push_back("removed " + absl::StrJoin(removed, ","));
  if (!changed.empty()) parts.push_back("changed " + absl::StrJoin(changed, ","));
  if (parts.empty()) parts.push_back("reordered");
  return absl::StrJoin(parts, "; ");
}

// Where records of what a killed daemon would leave behind live: systemd's RuntimeDirectory=
// when it runs as a unit (the first of its directories), else /run/reflectord.
std::string StateDirectory() {
  const char* runtime = std::getenv("RUNTIME_DIRECTORY");
  if (runtime != nullptr && *runtime != '\0') {
    return std::string(*absl::StrSplit(runtime, ':').begin());
  }
  return "/run/reflectord";
}

// Starts, changes or stops the capture (issue 21). A capture that cannot start is one line; the
// data path runs on either way.
void ApplyCapture(engine::capture::CaptureWriter& capture, const DaemonOptions& options,
                  const packet::CompiledConfig& compiled, const Logger& log) {
  const bool was_on = capture.options().enabled();
  const bool changed = !(options.capture == capture.options());
  const absl::Status applied = capture.Apply(options.capture, compiled);
  if (!applied.ok()) {
    log.Error(absl::StrCat("capture: ", applied.message(), "; reflecting goes on without it"));
  } else if (changed && options.capture.enabled()) {
    log.Info(absl::StrCat("capture: ", engine::capture::DescribeCapture(options.capture)));
  } else if (changed && was_on) {
    log.Info("capture: stopped");
  }
}

// Keeps reflectord's other threads off the workers' CPUs where --cpus leaves one free
// (thread_placement.h); best effort: a failure only costs latency.
void PlaceThreadsBesideWorkers(const std::vector<int>& worker_cpus, const Logger& log) {
  const absl::StatusOr<std::vector<int>> allowed = AllowedCpus();
  const std::vector<int> beside =
      allowed.ok() ? CpusBesideWorkers(worker_cpus, *allowed) : std::vector<int>();
  if (beside.empty()) return;
  if (const absl::Status moved = MoveThreadsTo(beside); !moved.ok()) {
    log.Warning(absl::StrCat("other threads stay on the workers' CPUs: ", moved.message()));
    return;
  }
  log.Debug(absl::StrCat("threads besides the workers on CPUs ", absl::StrJoin(beside, ",")));
}

// The data path's counters with the capture's.
engine::Counters WithCapture(engine::Counters counters,
                             const engine::capture::CaptureWriter& capture) {
  const engine::capture::CaptureStats stats = capture.stats();
  counters.capture_captured = stats.captured;
  counters.capture_dropped = stats.dropped();
  return counters;
}

bool DeviceGone(const base::NetDevice& device) {
  if (!device.in_kernel()) return false;  // a DPDK port: the data path's health tells
  char name[IF_NAMESIZE];
  return if_indextoname(device.ifindex, name) == nullptr;
}

}  // namespace

void BlockDaemonSignals() {
  const sigset_t set = DaemonSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  // A closed stdout (`reflectord | head`) must not kill us before we detach: writes then fail
  // with EPIPE, and the main loop stops cleanly.
  signal(SIGPIPE, SIG_IGN);
}

int RunDaemon(const DaemonOptions& initial, const DaemonHooks& hooks) {
  DaemonOptions options = initial;
  const JournalStreams journal;
  Logger log(options.log_level, journal);
  if (options.interface.empty()) {
    log.Error(absl::StrCat("--interface is required; interfaces: ",
                           absl::StrJoin(base::ListNetDevices(), ", ")));
    return kExitBadInput;
  }
  // A kernel interface, or for dpdk a port the kernel may not know (a NIC bound to vfio-pci).
  absl::StatusOr<engine::ResolvedDevice> resolved = engine::ResolveDevice(
      options.datapath.kind, options.interface, options.datapath, hooks.datapaths);
  if (!resolved.ok()) {
    log.Error(std::string(resolved.status().message()));
    return kExitBadInput;
  }
  const base::NetDevice* const device = &resolved->device;
  std::vector<unsigned> setup_caps = SetupCapabilities(options.datapath.kind);
  // Kept until the workers run at --worker_priority (Engine::Start sets it).
  std::vector<unsigned> start_caps = RuntimeCapabilities();
  if (options.datapath.worker_priority > 0) {
    setup_caps.push_back(CAP_SYS_NICE);
    start_caps.push_back(CAP_SYS_NICE);
  }
  if (absl::Status caps = CheckCapabilities(setup_caps); !caps.ok()) {
    log.Error(std::string(caps.message()));
    return kExitBadInput;
  }
  absl::StatusOr<packet::CompiledConfig> compiled = CompileFor(options, *device);
  if (!compiled.ok()) {
    log.Error(std::string(compiled.status().message()));
    return kExitBadInput;
  }
  std::vector<packet::Rule> rules = compiled->rules;  // the table in force
  // Before anything on the interface changes: a second reflector must change nothing.
  absl::StatusOr<InstanceLock> lock = InstanceLock::Acquire(*device);
  if (!lock.ok()) {
    log.Error(std::string(lock.status().message()));
    return kExitBadInput;
  }
  std::unique_ptr<http::HttpServer> http_server;
  if (options.http.enabled) {
    absl::StatusOr<std::unique_ptr<http::HttpServer>> bound =
        http::HttpServer::Bind(options.http, hooks.http_assets);
    const SettingSpec* http_setting = FindSetting("http");
    const bool default_address =
        http_setting != nullptr && options.text["http"] == http_setting->default_text;
    if (!bound.ok() && default_address && absl::IsUnavailable(bound.status())) {
      // A second reflectord on the host (one per interface) finds the default port taken: it
      // reflects all the same, without the API, rather than not at all.
      log.Warning(absl::StrCat("no HTTP API: ", bound.status().message(),
                               "; give this instance its own --http=127.0.0.1:PORT"));
    } else if (!bound.ok()) {
      log.Error(std::string(bound.status().message()));
      return kExitBadInput;
    } else {
      http_server = *std::move(bound);
    }
  }

  engine::DataPathRequest request;
  request.device = *device;
  request.runtime = resolved->runtime;
  request.config = compiled->wire;
  request.settings = options.datapath;
  request.state_dir = StateDirectory();
  absl::StatusOr<std::vector<std::string>> restored = engine::RestoreLeftovers(request);
  if (!restored.ok()) {
    log.Error(std::string(restored.status().message()));
    return kExitRuntimeError;
  }
  for (const std::string& line : *restored) log.Warning(line);
  std::vector<std::string> fallbacks;
  absl::StatusOr<std::unique_ptr<engine::DataPath>> opened =
      engine::OpenDataPath(options.datapath.kind, request, hooks.datapaths, &fallbacks);
  for (const std::string& line : fallbacks) log.Warning(absl::StrCat("fallback: ", line));
  if (!opened.ok()) {
    log.Error(std::string(opened.status().message()));
    return kExitBadInput;
  }
  std::unique_ptr<engine::DataPath> datapath = *std::move(opened);

  if (absl::Status dropped = DropCapabilitiesExcept(start_caps); !dropped.ok()) {
    log.Error(std::string(dropped.message()));
    return kExitRuntimeError;
  }
  PlaceThreadsBesideWorkers(options.datapath.cpus, log);
  if (absl::Status started = datapath->Start(); !started.ok()) {
    log.Error(absl::StrCat("cannot start: ", started.message()));
    return kExitRuntimeError;
  }
  // The main thread and the threads it starts from here on; the workers keep CAP_SYS_NICE
  // they were started with, and nothing else.
  if (start_caps != RuntimeCapabilities()) {
    if (absl::Status dropped = DropCapabilitiesExcept(RuntimeCapabilities()); !dropped.ok()) {
      log.Error(std::string(dropped.message()));
      return kExitRuntimeError;
    }
  }
  log.Debug(absl::StrCat("capabilities kept: ", EffectiveCapabilities()));

  // The capture runs beside the data path, which never waits for it (issue 21).
  auto capture = std::make_unique<engine::capture::CaptureWriter>(datapath->capture_sources(),
                                                                  device->name);
  const auto read_counters = [&] { return WithCapture(datapath->ReadCounters(), *capture); };

  StatsReporter reporter(options.stats_format, options.datapath.monitor, journal.out(),
                         journal.err());
  reporter.SetRuleNames(RuleNames(rules));
  BannerInfo banner{device->name, packet::FormatMac(device->mac), datapath->Describe(),
                    {},           datapath->DescribeQueues(),     base::kVersion,
                    rules};
  for (const std::string& line : fallbacks) banner.fallbacks.push_back("fell back: " + line);
  // Before the banner: once it is out, the capture runs too.
  ApplyCapture(*capture, options, *compiled, log);
  bool output_open = reporter.Banner(FormatBanner(banner, options));

  const absl::Time started = absl::Now();
  reporter.Start(read_counters(), started);
  // Attached, started and announced: from here on test frames come back.
  ServiceNotifier service;
  service.Ready(absl::StrCat(device->name, " ", engine::DataPathName(datapath->kind())),
                datapath->ReadCounters(), started);
  http::ControlBoard board(
      {base::kVersion, device->name, banner.mac, banner.datapath, banner.fallbacks, banner.queues,
       options.datapath.monitor, started},
      read_counters, {options, rules, reporter.rule_totals()});
  if (http_server) {
    http_server->Serve(&board);
    log.Info(absl::StrCat("http: serving ", http_server->Url()));
  }

  LoopWatch loop_watch;
  Lease lease(options.lease, started);
  bool lease_expired = false;
  rf_config wire = compiled->wire;  // the config in force, without the lease's flag
  // Applies the lease's state to the data path; false (logged) when the data path refused.
  const auto apply_lease = [&](bool expired) {
    if (absl::Status applied = datapath->Reconfigure(WithLease(wire, expired)); !applied.ok()) {
      log.Error(absl::StrCat("cannot ", expired ? "stop" : "resume",
                             " reflecting for the lease: ", applied.message()));
      return false;
    }
    lease_expired = expired;
    return true;
  };
  absl::Time next_line = started + options.stats_interval;
  // Per-tester sessions: the data path's counts read twice a second (session_book.h).
  engine::SessionBook sessions;
  absl::Time next_sessions = started;
  const auto read_sessions = [&](absl::Time now) {
    // The workers drop a session two readings after the book ended it, so that the book
    // sees a key leave only once its session is over (session_book.h).
    datapath->SetSessionIdle(options.session_idle > absl::ZeroDuration()
                                 ? options.session_idle + 2 * kSessionReadPeriod
                                 : absl::ZeroDuration());
    sessions.Update(datapath->ReadSessions(), now, options.session_idle);
    board.SetSessions(sessions.Live());
    next_sessions = now + kSessionReadPeriod;
  };
  // What SIGHUP and a change over HTTP both do with new settings: compile them, reconfigure
  // the data path, and adopt every setting settings.inc marks kApply. The reply line, or why
  // the previous settings stay.
  const auto apply = [&](const absl::StatusOr<DaemonOptions>& next) -> absl::StatusOr<std::string> {
    absl::StatusOr<packet::CompiledConfig> next_compiled =
        next.ok() ? CompileFor(*next, *device)
                  : absl::StatusOr<packet::CompiledConfig>(next.status());
    // A changed lease starts again from now; an unchanged one keeps its state.
    const bool lease_changed = next.ok() && next->lease != options.lease;
    const bool next_expired = lease_expired && !lease_changed;
    absl::Status applied = next_compiled.ok()
                               ? datapath->Reconfigure(WithLease(next_compiled->wire, next_expired))
                               : next_compiled.status();
    if (!applied.ok()) {
      log.Error(absl::StrCat("reload failed, still running the previous settings: ",
                             applied.message()));
      return applied;
    }
    const std::vector<std::string> ignored = NeedsRestart(options, *next);
    // Every setting settings.inc marks kApply takes effect here; the rest stay as they
    // were (NeedsRestart names them).
    for (const SettingSpec& spec : AllSettings()) {
      if (spec.reload != SettingSpec::kApply) continue;
      options.text[std::string(spec.name)] = next->text.at(std::string(spec.name));
    }
    options.filter = next->filter;
    options.custom_rules = next->custom_rules;
    // Right after the swap: what the old table counted goes to its rules' names.
    reporter.SetRuleNames(RuleNames(next_compiled->rules), read_counters());
    const std::string rule_changes = RuleChanges(rules, next_compiled->rules);
    rules = next_compiled->rules;
    if (next->stats_interval != options.stats_interval) {
      options.stats_interval = next->stats_interval;
      next_line = absl::Now() + options.stats_interval;
    }
    options.loop_window = next->loop_window;
    options.rate_limit = next->rate_limit;
    options.source_rate_limit = next->source_rate_limit;
    options.rate_burst = next->rate_burst;
    options.session_idle = next->session_idle;
    wire = next_compiled->wire;
    lease_expired = next_expired;
    if (lease_changed) {
      options.lease = next->lease;
      lease.Reset(options.lease, absl::Now());
      log.Info(absl::StrCat("lease: ", options.lease > absl::ZeroDuration()
                                           ? absl::StrCat(absl::FormatDuration(options.lease),
                                                          " from now")
                                           : std::string("none")));
    }
    options.stats_format = next->stats_format;
    reporter.SetFormat(options.stats_format);
    options.log_level = next->log_level;
    log.set_level(options.log_level);
    options.capture = next->capture;
    ApplyCapture(*capture, options, *next_compiled, log);
    board.SetRunning({options, rules, reporter.rule_totals()});
    const std::string line = absl::StrCat(
        "reloaded: mode ", packet::ModeName(options.filter.mode), ", port ",
        options.filter.port, ", oui ", packet::FormatOuiList(options.filter.ouis),
        ", signatures ", packet::FormatSignatures(options.filter.signatures), ", profiles ",
        packet::FormatProfiles(options.filter.profiles), "; rules ",
        absl::StrJoin(RuleNames(rules), ","), " (", rule_changes, "); stats ",
        options.stats_interval > absl::ZeroDuration()
            ? absl::StrCat("every ", absl::FormatDuration(options.stats_interval))
            : std::string("off"),
        ", log level ", LogLevelName(options.log_level));
    log.Info(line);
    if (!ignored.empty()) {
      log.Warning(absl::StrCat("not applied until restart: ", absl::StrJoin(ignored, ", ")));
    }
    return line;
  };
  // The HTTP thread's requests, answered between the loop's own steps.
  const auto serve = [&](const http::ControlRequest& request) -> http::ControlReply {
    if (request.kind == http::ControlRequest::kReload) {
      if (!hooks.reload) return {409, "nothing to reload: the daemon has no --config file", {}};
      log.Info("reload requested over HTTP");
      absl::StatusOr<std::string> done = apply(hooks.reload());
      if (!done.ok()) return {400, std::string(done.status().message()), {}};
      return {200, *done, {}};
    }
    DaemonOptions next;
    http::ControlReply reply = http::ValidateChange(options, request.settings, &next);
    if (reply.status != 200) return reply;
    // A capture file that cannot be written (no such directory, no permission, a full disk)
    // refuses the whole change before anything changed, as a bad value does.
    if (absl::Status writable = capture->TryOpen(next.capture); !writable.ok()) {
      log.Error(absl::StrCat("capture: ", writable.message(),
                             "; the change over HTTP is refused, nothing changed"));
      return {400, absl::StrCat("capture: ", writable.message()), {"capture"}};
    }
    log.Info(absl::StrCat("settings changed over HTTP: ", absl::StrJoin(reply.fields, ", ")));
    absl::StatusOr<std::string> done = apply(next);
    if (!done.ok()) return {400, std::string(done.status().message()), reply.fields};
    reply.message = *done;
    return reply;
  };

  int exit_code = kExitOk;
  while (output_open) {
    const bool periodic = options.stats_interval > absl::ZeroDuration();
    // Wake at least twice a second to notice a failed data path or a vanished interface (more
    // often for systemd's watchdog), and right when the lease runs out.
    absl::Duration wait = service.MaxSleep(kSessionReadPeriod);
    if (periodic) wait = std::min(wait, next_line - absl::Now());
    if (!lease_expired) wait = std::min(wait, lease.deadline() - absl::Now());
    const int signal = WaitForSignal(wait);
    if (signal == SIGINT || signal == SIGTERM) break;
    if (lease.expired(absl::Now()) && !lease_expired && apply_lease(true)) {
      log.Warning(absl::StrCat("lease of ", absl::FormatDuration(lease.length()),
                               " ran out: reflecting nothing until SIGUSR2 renews it (frames "
                               "that would be reflected are counted as `lease`)"));
    }
    if (signal == SIGUSR2 && !lease.active()) {
      log.Info("SIGUSR2: there is no lease to renew (--lease)");
    } else if (signal == SIGUSR2) {
      lease.Renew(absl::Now());
      if (!lease_expired || apply_lease(false)) {
        log.Info(absl::StrCat("lease renewed: reflecting for ",
                              absl::FormatDuration(lease.length()), " from now"));
      }
    }
    reporter.SetLeaseLeft(lease.left(absl::Now()));
    // STAMP's clock (Y.1731 DMR's too) follows the kernel's (TAI offset, sync state, error)
    // within a wake-up.
    if ((wire.flags & RF_CFG_STAMP) || (wire.cfm.flags & RF_CFM_ON)) {
      const rf_stamp_clock clock = ReadStampClock();
      if (!SameStampClock(clock, wire.stamp_clock)) {
        wire.stamp_clock = clock;
        if (absl::Status applied = datapath->Reconfigure(WithLease(wire, lease_expired));
            !applied.ok()) {
          log.Error(absl::StrCat("cannot update the STAMP clock: ", applied.message()));
        }
      }
    }
    if (signal == SIGUSR1) output_open = reporter.Line(read_counters(), absl::Now());
    if (signal == SIGHUP && !hooks.reload) {
      log.Info("SIGHUP: nothing to reload (no --config file); settings unchanged");
    } else if (signal == SIGHUP) {
      service.Reloading();
      apply(hooks.reload()).IgnoreError();  // logged either way
      service.Reloaded();  // a failed reload leaves the previous settings running: ready too
    }
    board.ServeRequests(serve);
    if (options.loop_window > absl::ZeroDuration()) {
      if (std::optional<std::string> line = loop_watch.Check(datapath->ReadCounters())) {
        log.Warning(*line);
      }
    }
    if (std::optional<std::string> notice = capture->TakeNotice()) log.Warning(*notice);
    if (DeviceGone(*device)) {
      log.Error(absl::StrCat(device->name, " (ifindex ", device->ifindex,
                             ") went away; stopping"));
      exit_code = kExitRuntimeError;
      break;
    }
    if (absl::Status health = datapath->Health(); !health.ok()) {
      log.Error(absl::StrCat("data path failed: ", health.message()));
      exit_code = kExitRuntimeError;
      break;
    }
    if (options.stats_interval > absl::ZeroDuration() && absl::Now() >= next_line) {
      const engine::Counters counters = read_counters();
      const absl::Time now = absl::Now();
      output_open = reporter.Line(counters, now);
      board.SetLastLine(counters, now);
      next_line += options.stats_interval;
      if (next_line < absl::Now()) next_line = absl::Now() + options.stats_interval;
    }
    if (absl::Now() >= next_sessions) read_sessions(absl::Now());
    if (service.enabled()) service.Tick(datapath->ReadCounters(), absl::Now());
  }
  service.Stopping();
  if (!output_open) log.Info("stdout was closed; stopping");
  board.Close();
  http_server.reset();  // before the data path goes: its handlers read the counters
  datapath->Stop();
  capture->Flush();
  if (std::optional<std::string> notice = capture->TakeNotice()) log.Warning(*notice);
  const engine::Counters final_counters = read_counters();
  read_sessions(absl::Now());  // the workers published their last counts when they stopped
  const std::string top_sessions = FormatTopSessions(sessions.Live(), rules, kSummarySessions);
  // Scripts reading JSON or CSV get the final figures in their own format too.
  if (options.stats_format != StatsFormat::kText) reporter.Line(final_counters, absl::Now());
  if (!reporter.Summary(final_counters, absl::Now() - started, top_sessions)) {
    // stdout went away: the summary still reaches whoever watches stderr.
    std::fputs(reporter.SummaryText(final_counters, absl::Now() - started).c_str(), journal.err());
    std::fputs(top_sessions.c_str(), journal.err());
  }
  capture.reset();   // reads the data path's ring and queues: goes first
  datapath.reset();  // detaches and releases everything before we exit
  return exit_code;
}

}  // namespace reflector::daemon
