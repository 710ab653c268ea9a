// The reflector benchmark of issue 6 (SPEC §7 measurement rules): in one run on a fresh veth
// lab, the bare XDP_TX MAC swap (the baseline) and reflectord with each data path, at each
// frame size, measured by ito-tester:
//   * reflected rate at maximum offered load (line-rate engine, flat out);
//   * zero-loss throughput (line-rate engine, RFC 2544 binary search);
//   * RTT percentiles at a fixed moderate rate (precise engine).
// Every figure is printed as a ratio to the baseline of the same run, and the table goes into
// BENCHMARKS.md with the machine it ran on and the command.
//
//   bazel run -c opt //tools/bench:bench
//   bazel run -c opt //tools/bench:bench -- --sizes=64 --reflectors=baseline,xdp
//
// The lab: the tests' own (testing/lab/reflector_lab.h), namespaces rflab<pid>a-tester and
// rflab<pid>a-reflector joined by one veth pair, IPv4 addresses 198.18.0.1 and 198.18.0.2 only,
// no routes out. The namespaces, and with them the veth and everything attached to it, are
// deleted when the run ends, also on error or SIGINT/SIGTERM (testing/lab/signal_cleanup.h).
// Every child process has a deadline, so the run is bounded.
//
// Exit: 0 when every figure was measured, 1 when some could not be (the table still prints,
// with the reason), 2 for bad flags or no root.
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

// The build has no exceptions: nlohmann::json aborts instead of throwing, and parsing is done
// with allow_exceptions=false so that bad tester output is an error value.
#define JSON_NOEXCEPTION 1
#include <nlohmann/json.hpp>

#include "httplib.h"

#include "absl/algorithm/container.h"
#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "reflector/base/cli.h"
#include "reflector/base/status_macros.h"
#include "reflector/packet/config.h"
#include "reflector/packet/testing/frame_builder.h"
#include "testing/lab/datapath_variant.h"
#include "testing/lab/hosts.h"
#include "testing/lab/lab_process.h"
#include "testing/lab/netns.h"
#include "testing/lab/read_file.h"
#include "testing/lab/reflector_lab.h"
#include "testing/lab/runfiles.h"
#include "testing/lab/xdp_pass.h"
#include "tools/bench/mac_swap.h"
#include "tools/bench/clock_cost.h"
#include "tools/bench/prog_cost.h"
#include "tools/bench/queues.h"
#include "tools/bench/table.h"

ABSL_FLAG(std::string, sizes, "64,512", "Ethernet frame sizes (with FCS), comma-separated.");
ABSL_FLAG(std::string, reflectors,
          "baseline,xdp,afxdp,afpacket,afxdp+spin,afxdp+kernel,afpacket+spin,afpacket+blocks,"
          "afxdp+rt,afpacket+rt",
          "What to measure, in order: baseline (bare XDP_TX MAC swap), reflectord data paths, "
          "and receive modes of afxdp/afpacket (<datapath>+<mode>, testing/lab/datapath_variant.h: "
          "an RTT row only); dpdk (where built in) on a net_af_packet vdev over the veth.");
ABSL_FLAG(absl::Duration, linerate_duration, absl::Seconds(2),
          "Length of the flat-out trial at maximum offered load.");
// ito-tester measures a trial's rate over the span its frames left in, so 1 s trials are not
// short any more; 2 s average more of the machine's noise.
ABSL_FLAG(absl::Duration, search_duration, absl::Seconds(2), "Length of each search trial.");
ABSL_FLAG(int, search_trials, 8, "Most trials of each zero-loss search.");
ABSL_FLAG(double, search_resolution, 0.02, "The search stops at this fraction of its top rate.");
ABSL_FLAG(std::string, rtt_rate, "10k", "The fixed moderate rate of the RTT trial (frames/s).");
ABSL_FLAG(absl::Duration, rtt_duration, absl::Seconds(3), "Length of the RTT trial.");
ABSL_FLAG(std::string, rtt_clock, "kernel",
          "ito-tester's --rtt_clock for the RTT trials: kernel (transmit stamp) or userspace "
          "(the send call, as before the tester read transmit stamps).");
ABSL_FLAG(bool, rtt_only, false,
          "Only the round-trip trial of each --reflectors row (no max load, search, pairs, "
          "queue rows or program cost); writes no file unless --output names one.");
ABSL_FLAG(int, prog_cost_repeat, 1000000,
          "Runs per round of the per-program cost (bpf_prog_test_run_opts); 0: skip it.");
ABSL_FLAG(int, prog_cost_rounds, 5,
          "Rounds of the per-program cost; the best counts (more on a busy machine).");
ABSL_FLAG(bool, prog_cost_only, false,
          "Print the per-program cost table (no veth, no tester) and stop.");
ABSL_FLAG(bool, scrape_check, false,
          "Only the scrape check (issue 15): xdp flat out, --xdp_pairs times without and with "
          "a scraper of reflectord's /metrics every 100 ms, and the reflected rates' ratio.");
ABSL_FLAG(std::vector<std::string>, capture_check, {},
          "Only the capture check (issue 21) on these data paths (e.g. xdp,afxdp,afpacket): "
          "each flat out, --xdp_pairs times without and with a capture of 1 in 1000 reflected "
          "frames at most 1000 a second, the reflected rates' ratio and the captured counts.");
ABSL_FLAG(std::vector<std::string>, sessions_check, {},
          "Only the sessions check (issue 15) on these data paths (e.g. xdp,afxdp): each flat "
          "out, --xdp_pairs times with reflectord's --sessions=false and with sessions counted "
          "(the default), and the reflected rates' ratio. A full run does it for xdp when it "
          "measures xdp.");
ABSL_FLAG(int, tester_cpu, 0, "CPU for ito-tester (and so for the veth NAPI it drives); -1: any.");
ABSL_FLAG(int, reflector_cpu, 1, "CPU for reflectord's userspace workers; -1: any.");
ABSL_FLAG(int, nice, -20,
          "Niceness of the bench and so of ito-tester and reflectord: on a machine shared with "
          "other work it keeps the round trips from measuring that work's time slices.");
ABSL_FLAG(std::string, output, "",
          "Markdown file whose generated section gets the results; default: BENCHMARKS.md at "
          "the workspace root under bazel run, none otherwise. \"none\": do not write.");
ABSL_FLAG(bool, keep_logs, false, "Keep the children's stdout/stderr files after the run.");
ABSL_FLAG(int, xdp_pairs, 3,
          "Alternating max-load rounds per size (0: none): the baseline, xdp as reflectord runs "
          "by default, xdp with the loop guard and the session count off; the median of each "
          "xdp's ratios to its round's baseline is held to the >= 0.95 target.");
ABSL_FLAG(int, stamp_pairs, 3,
          "Alternating max-load runs of xdp with 90-byte STAMP packets and with 90-byte ITO "
          "test frames (0: none), reflectord with the ito and stamp profiles; the median of "
          "their ratios is held to issue 14's >= 0.9.");
ABSL_FLAG(std::string, queue_rows, "1,2",
          "Veth queues (= reflectord workers) of the multi-queue rows of afxdp and afpacket "
          "(queues.h); \"none\": no such rows.");

namespace reflector::bench {
namespace {

namespace lab = ::reflector::testing::lab;

using lab::End;
using lab::ReadFile;

// Beyond the trial's own length: program loads, settling, draining, process start.
constexpr absl::Duration kTesterSlack = absl::Seconds(20);

// 64-byte frames are too short for an ITO header plus the tester's trailer (68 bytes at
// least); the RFC 2544 signature sits at payload offset 0 and fits.
// With sched_autogroup (the default of most distributions) CPU time is shared between
// sessions first and niceness only counts inside a session: a nice -20 spinner shared CPU 1
// evenly with every other session's compiler, and the userspace data paths' RTTs measured
// that (milliseconds). So the bench gives its session's autogroup --nice too (the tester and
// reflectord are in the same session) and puts the old value back when it ends. No session of
// its own: Ctrl-C from the terminal must still reach it.
class AutogroupNice {
 public:
  explicit AutogroupNice(int nice) {
    std::ifstream in("/proc/self/autogroup");
    std::string line;
    if (!std::getline(in, line)) return;  // no autogroups: niceness alone decides
    const size_t at = line.rfind("nice ");
    if (at == std::string::npos || !absl::SimpleAtoi(line.substr(at + 5), &old_)) return;
    std::ofstream out("/proc/self/autogroup");
    out << nice;
    out.flush();
    set_ = out.good();
  }
  ~AutogroupNice() {
    if (!set_) return;
    std::ofstream out("/proc/self/autogroup");
    out << old_;
  }
  AutogroupNice(const AutogroupNice&) = delete;
  AutogroupNice& operator=(const AutogroupNice&) = delete;

  std::string Describe() const {
    return set_ ? "and so is their session's autogroup" : "no autogroup niceness set";
  }

 private:
  bool set_ = false;
  int old_ = 0;
};

std::string SignatureFor(size_t frame_size) { return frame_size < 68 ? "rfc2544" : "latency"; }

struct Settings {
  std::vector<size_t> sizes;
  std::vector<std::string> reflectors;
  absl::Duration linerate_duration;
  absl::Duration search_duration;
  int search_trials = 0;
  double search_resolution = 0;
  std::string rtt_rate;
  absl::Duration rtt_duration;
  bool rtt_only = false;
  int tester_cpu = -1;
  int reflector_cpu = -1;
  std::string log_dir;
};

// Attaches an XDP program object in the reflector namespace: program objects attach to an
// ifindex of the calling thread's namespace, and their bpf_link keeps working after we leave.
template <typename Attach>
absl::Status InReflectorNamespace(const lab::ReflectorLab& bench_lab, Attach attach) {
  REFLECTOR_ASSIGN_OR_RETURN(lab::NetnsEntry inside, bench_lab.Enter(End::kReflector));
  return attach(bench_lab.ifindex(End::kReflector));
}

// One reflector running on the reflector end: the baseline program, or reflectord.
class ReflectorUnderTest {
 public:
  // `extra`: more flags for reflectord (the on/off checks' "on").
  static absl::StatusOr<std::unique_ptr<ReflectorUnderTest>> Start(
      lab::ReflectorLab& bench_lab, const std::string& name, const Settings& settings,
      const std::vector<std::string>& extra = {}) {
    std::unique_ptr<ReflectorUnderTest> r(new ReflectorUnderTest(name));
    if (name == kBaseline) {
      REFLECTOR_RETURN_IF_ERROR(InReflectorNamespace(bench_lab, [&](int ifindex) -> absl::Status {
        REFLECTOR_ASSIGN_OR_RETURN(r->swap_, MacSwapProgram::Attach(ifindex));
        return absl::OkStatus();
      }));
      return r;
    }
    // dpdk runs on a net_af_packet vdev over the veth: a packet socket, as afpacket.
    if (lab::DataPathOf(name) == "afpacket" || lab::DataPathOf(name) == "dpdk") {
      // veth hands the frames of the tester's line-rate engine (XDP_TX from a live-frames
      // test run) only to a peer with XDP enabled. afpacket attaches no XDP of its own, so
      // the lab gives the reflector end an XDP_PASS program: frames then reach the stack and
      // the packet socket as an skb, the way a NIC without XDP delivers them.
      REFLECTOR_RETURN_IF_ERROR(InReflectorNamespace(bench_lab, [&](int ifindex) -> absl::Status {
        REFLECTOR_ASSIGN_OR_RETURN(lab::XdpPassProgram pass, lab::XdpPassProgram::Load());
        r->pass_.emplace(std::move(pass));
        return r->pass_->Attach(ifindex);
      }));
    }
    std::vector<std::string> flags = lab::DataPathFlags(name, bench_lab.reflector_if());
    if (name != "xdp" && settings.reflector_cpu >= 0) {
      flags.push_back(absl::StrCat("--cpus=", settings.reflector_cpu));
    }
    flags.insert(flags.end(), extra.begin(), extra.end());
    // Returns once the banner is out, when the data path runs: from then on frames are reflected.
    REFLECTOR_ASSIGN_OR_RETURN(lab::LabProcess daemon, bench_lab.StartReflectord(flags));
    r->daemon_.emplace(std::move(daemon));
    r->banner_ = r->daemon_->Stderr();
    return r;
  }

  // Stops the reflector and returns reflectord's final summary (empty for the baseline).
  absl::StatusOr<std::string> Stop() {
    swap_.reset();
    pass_.reset();
    if (!daemon_) return std::string();
    REFLECTOR_RETURN_IF_ERROR(daemon_->Signal(SIGINT));
    REFLECTOR_ASSIGN_OR_RETURN(const int code, daemon_->Wait(absl::Seconds(10)));
    const std::string err = daemon_->Stderr();
    if (code != 0) {
      return absl::InternalError(absl::StrCat("reflectord exited with ", code, ": ", err));
    }
    // The summary is the last paragraph, from "summary after".
    const size_t summary = err.find("summary after");
    return summary == std::string::npos ? err : err.substr(summary);
  }

  const std::string& banner() const { return banner_; }

 private:
  explicit ReflectorUnderTest(std::string name) : name_(std::move(name)) {}
  std::string name_;
  std::unique_ptr<MacSwapProgram> swap_;
  std::optional<lab::XdpPassProgram> pass_;
  std::optional<lab::LabProcess> daemon_;
  std::string banner_;
};

class Tester {
 public:
  Tester(lab::ReflectorLab& bench_lab, const Settings& settings)
      : lab_(bench_lab), settings_(settings) {}

  // Runs ito-tester with `flags` to the end and returns its JSON report.
  absl::StatusOr<nlohmann::json> Run(const std::vector<std::string>& flags,
                                     absl::Duration expected) {
    std::vector<std::string> argv = {
        "--dst_ip=" + lab::Ipv4Text(packet::testing::kReflectorIpv4),
        "--dst_mac=" + packet::FormatMac(packet::testing::kReflectorMac),
        "--src_ip=" + lab::Ipv4Text(packet::testing::kTesterIpv4), "--json"};
    argv.insert(argv.end(), flags.begin(), flags.end());
    const std::string command =
        absl::StrCat("--interface=", lab_.tester_if(), " ", absl::StrJoin(argv, " "));
    // On the tester's CPU, with the veth NAPI it drives.
    REFLECTOR_ASSIGN_OR_RETURN(lab::LabProcess tester,
                               lab_.StartItoTester(argv, settings_.tester_cpu));
    REFLECTOR_ASSIGN_OR_RETURN(const int code, tester.Wait(expected + kTesterSlack));
    // 1: frames were lost (or a search found no rate without loss), which a trial at the
    // maximum load expects; the report is whole and says so.
    if (code != 0 && code != 1) {
      return absl::InternalError(absl::StrCat("ito-tester ", command, " exited with ", code, ": ",
                                              absl::StripAsciiWhitespace(tester.Stderr())));
    }
    nlohmann::json report =
        nlohmann::json::parse(tester.Stdout(), nullptr, /*allow_exceptions=*/false);
    if (report.is_discarded()) {
      return absl::InternalError(absl::StrCat("ito-tester ", command, " printed no JSON"));
    }
    return report;
  }

 private:
  lab::ReflectorLab& lab_;
  const Settings& settings_;
};

double Number(const nlohmann::json& j, const char* key) {
  return j.contains(key) && j[key].is_number() ? j[key].get<double>() : 0;
}

// Fills `row` with the three measurements; the first failure is recorded and ends the row.
void Record(Row& row, const absl::Status& status) {
  row.error = std::string(status.message());
  std::fprintf(stderr, "bench: %d-byte frames, %s: %s\n", static_cast<int>(row.frame_size),
               row.reflector.c_str(), row.error.c_str());
}

// For the RTT trial the bench itself waits on the tester's CPU: its own wakeups (polling the
// tester) would otherwise land on the reflector's CPU and delay the worker behind them.
class BenchOnTesterCpu {
 public:
  explicit BenchOnTesterCpu(const Settings& settings) {
    if (settings.tester_cpu < 0 || settings.reflector_cpu < 0 ||
        sched_getaffinity(0, sizeof(old_), &old_) != 0) {
      return;
    }
    cpu_set_t tester;
    CPU_ZERO(&tester);
    CPU_SET(settings.tester_cpu, &tester);
    moved_ = sched_setaffinity(0, sizeof(tester), &tester) == 0;
  }
  ~BenchOnTesterCpu() {
    if (moved_) sched_setaffinity(0, sizeof(old_), &old_);
  }
  BenchOnTesterCpu(const BenchOnTesterCpu&) = delete;
  BenchOnTesterCpu& operator=(const BenchOnTesterCpu&) = delete;

 private:
  cpu_set_t old_;
  bool moved_ = false;
};

// The RTT percentiles at the fixed moderate rate (precise engine).
absl::Status MeasureRtt(Tester& tester, const Settings& settings, Row& row) {
  const BenchOnTesterCpu waiting_aside(settings);
  const absl::StatusOr<nlohmann::json> paced = tester.Run(
      {"--engine=precise", "--rate=" + settings.rtt_rate,
       absl::StrCat("--frame_size=", row.frame_size), "--signature=" + SignatureFor(row.frame_size),
       "--duration=" + absl::FormatDuration(settings.rtt_duration),
       "--rtt_clock=" + absl::GetFlag(FLAGS_rtt_clock)},
      settings.rtt_duration);
  if (!paced.ok()) return paced.status();
  const nlohmann::json& p = (*paced)["result"];
  if (!p.contains("rtt_us")) {
    return absl::InternalError("no RTT: nothing came back at the moderate rate");
  }
  row.rtt =
      Rtt{Number(p["rtt_us"], "p50"), Number(p["rtt_us"], "p99"), Number(p["rtt_us"], "p99.9"),
          p.contains("rtt_clock") ? p["rtt_clock"].value("tx", std::string()) : std::string()};
  return absl::OkStatus();
}

// The line-rate engine flat out for settings.linerate_duration: ito-tester's "result".
// `extra`: more tester flags (--protocol=stamp).
absl::StatusOr<nlohmann::json> FlatOut(Tester& tester, const Settings& settings,
                                       size_t frame_size,
                                       const std::vector<std::string>& extra = {}) {
  std::vector<std::string> flags = {
      "--engine=linerate", "--rate=max", absl::StrCat("--frame_size=", frame_size),
      "--signature=" + SignatureFor(frame_size),
      "--duration=" + absl::FormatDuration(settings.linerate_duration)};
  flags.insert(flags.end(), extra.begin(), extra.end());
  REFLECTOR_ASSIGN_OR_RETURN(nlohmann::json report,
                             tester.Run(flags, settings.linerate_duration));
  return report["result"];
}

// `pairs` rounds of max-load runs per frame size, each reflector started afresh: the baseline,
// then each xdp variant (table.h PairRuns), each compared with its round's baseline run. Two
// PairRuns per size, in the variants' order.
std::vector<PairRuns> MeasurePairs(lab::ReflectorLab& bench_lab, Tester& tester,
                                   const Settings& settings, int pairs) {
  // reflectord as it runs by default, and without the two extras it runs by default (the loop
  // guard, the session count): what the classifier and the swap cost alone.
  const std::vector<std::pair<std::string, std::vector<std::string>>> variants = {
      {"xdp", {}},
      {"xdp, loop guard and sessions off", {"--loop_window=0", "--sessions=false"}}};
  std::vector<PairRuns> all;
  for (const size_t size : settings.sizes) {
    std::vector<PairRuns> runs(variants.size());
    for (size_t v = 0; v < variants.size(); ++v) {
      runs[v].frame_size = size;
      runs[v].reflector = variants[v].first;
    }
    std::string error;
    for (int i = 0; i < pairs && error.empty(); ++i) {
      std::optional<double> baseline_fps;
      for (size_t v = 0; v <= variants.size() && error.empty(); ++v) {
        const bool baseline = v == 0;
        absl::StatusOr<std::unique_ptr<ReflectorUnderTest>> reflector =
            baseline ? ReflectorUnderTest::Start(bench_lab, kBaseline, settings)
                     : ReflectorUnderTest::Start(bench_lab, "xdp", settings,
                                                 variants[v - 1].second);
        const std::string name = baseline ? kBaseline : variants[v - 1].first;
        if (!reflector.ok()) {
          error = absl::StrCat(name, " did not start: ", reflector.status().message());
          break;
        }
        const absl::StatusOr<nlohmann::json> result = FlatOut(tester, settings, size);
        const absl::StatusOr<std::string> stopped = (*reflector)->Stop();
        if (!result.ok() || !stopped.ok()) {
          error = std::string(!result.ok() ? result.status().message()
                                           : stopped.status().message());
          break;
        }
        const double fps = Number(*result, "rx_fps");
        if (baseline) {
          baseline_fps = fps;
        } else {
          runs[v - 1].baseline_fps.push_back(*baseline_fps);
          runs[v - 1].xdp_fps.push_back(fps);
        }
      }
    }
    if (!error.empty()) {
      std::fprintf(stderr, "bench: pairs, %zu-byte frames: %s\n", size, error.c_str());
    }
    for (PairRuns& r : runs) {
      r.error = error;
      all.push_back(std::move(r));
    }
  }
  return all;
}

// The STAMP comparison (issue 14: STAMP reflection in XDP at >= 0.9x the ITO rate): STAMP
// packets of the base 44 bytes, 90-byte frames, against ITO test frames of the same size.
constexpr size_t kStampFrameSize = 90;
constexpr double kStampTarget = 0.9;

// `pairs` alternating max-load runs on xdp, reflectord with the ito and stamp profiles started
// afresh each run: ITO test frames (baseline_fps) and STAMP packets (xdp_fps). The pairs take
// turns at going first, so neither kind always runs on the warmer machine.
PairRuns MeasureStampPairs(lab::ReflectorLab& bench_lab, Tester& tester, const Settings& settings,
                           int pairs) {
  PairRuns runs;
  runs.frame_size = kStampFrameSize;
  for (int i = 0; i < pairs && runs.error.empty(); ++i) {
    for (int turn = 0; turn < 2; ++turn) {
      const bool stamp = (i + turn) % 2 == 1;
      absl::StatusOr<std::unique_ptr<ReflectorUnderTest>> reflector =
          ReflectorUnderTest::Start(bench_lab, "xdp", settings, {"--profile=ito,stamp"});
      if (!reflector.ok()) {
        runs.error = absl::StrCat("xdp did not start: ", reflector.status().message());
        break;
      }
      const absl::StatusOr<nlohmann::json> result =
          FlatOut(tester, settings, kStampFrameSize,
                  stamp ? std::vector<std::string>{"--protocol=stamp"}
                        : std::vector<std::string>{});
      const absl::StatusOr<std::string> stopped = (*reflector)->Stop();
      if (!result.ok() || !stopped.ok()) {
        runs.error =
            std::string(!result.ok() ? result.status().message() : stopped.status().message());
        break;
      }
      (stamp ? runs.xdp_fps : runs.baseline_fps).push_back(Number(*result, "rx_fps"));
    }
  }
  if (!runs.error.empty()) std::fprintf(stderr, "bench: STAMP pairs: %s\n", runs.error.c_str());
  return runs;
}

// The STAMP comparison's paragraph: each pair, the median ratio and its range against the
// target, and beside it what the two clock reads alone allow on this host: at the ITO rate a
// frame takes 1/rate of the machine, and a STAMP answer takes that plus two reads at least.
std::string FormatStampPairs(const PairRuns& runs, const std::optional<ClockCost>& clock,
                             bool markdown) {
  const char* bold = markdown ? "**" : "";
  std::string each;
  std::vector<double> ratios;
  for (size_t i = 0; i < runs.baseline_fps.size() && i < runs.xdp_fps.size(); ++i) {
    absl::StrAppendFormat(&each, "%s%.3f / %.3f", i ? ", " : "", runs.xdp_fps[i] / 1e6,
                          runs.baseline_fps[i] / 1e6);
    if (runs.baseline_fps[i] > 0) ratios.push_back(runs.xdp_fps[i] / runs.baseline_fps[i]);
  }
  const std::optional<double> median = MedianPairRatio(runs);
  std::string out = absl::StrFormat(
      "%sSTAMP vs ITO at max load%s (issue 14: >= %.1fx), xdp, reflectord with the ito and "
      "stamp profiles, %d-byte frames (STAMP: the 44-byte base packet; ITO: a LATENCY test "
      "frame), alternating pairs, STAMP / ITO Mfps: %s",
      bold, bold, kStampTarget, static_cast<int>(runs.frame_size), each.empty() ? "-" : each);
  if (median.has_value()) {
    const auto [low, high] = std::minmax_element(ratios.begin(), ratios.end());
    absl::StrAppendFormat(&out, "; median ratio %.3f (range %.3f..%.3f): target %s", *median,
                          *low, *high, *median >= kStampTarget ? "met" : "MISSED");
  }
  if (!runs.error.empty()) absl::StrAppend(&out, " (", runs.error, ")");
  absl::StrAppend(&out, ".");
  std::vector<double> ito = runs.baseline_fps;
  std::sort(ito.begin(), ito.end());
  if (clock.has_value() && !ito.empty() && ito[ito.size() / 2] > 0) {
    const double frame_ns = 1e9 / ito[ito.size() / 2];
    const double reads_ns = 2 * (clock->read_ns - clock->empty_ns);
    absl::StrAppendFormat(
        &out,
        " At the median ITO rate a frame takes %.0f ns of the machine; STAMP's two clock "
        "reads alone (%.0f ns, below) bound the ratio at %.3f here.",
        frame_ns, reads_ns, frame_ns / (frame_ns + reads_ns));
  }
  absl::StrAppend(&out, "\n");
  if (clock.has_value()) absl::StrAppend(&out, "\n", FormatClockCost(*clock, markdown));
  return out;
}

// Appends a measured figure to the text and the markdown output, each as `format` renders it,
// or the reason it was not measured, which leaves the run incomplete.
template <typename Figure, typename Format>
void AppendFigure(const absl::StatusOr<Figure>& figure, absl::string_view what, Format format,
                  std::string& text, std::string& markdown, bool& complete) {
  if (figure.ok()) {
    absl::StrAppend(&text, "\n", format(*figure, /*markdown=*/false));
    absl::StrAppend(&markdown, "\n", format(*figure, /*markdown=*/true));
    return;
  }
  complete = false;
  const std::string missing =
      absl::StrCat("\n", what, ": not measured: ", figure.status().ToString(), "\n");
  absl::StrAppend(&text, missing);
  absl::StrAppend(&markdown, missing);
}

// GETs reflectord's /metrics every `period`, from a thread in the reflector's namespace (where
// its HTTP API listens on 127.0.0.1:9842), as a Prometheus scraper on the host would, until
// destroyed.
class Scraper {
 public:
  Scraper(const lab::ReflectorLab& bench_lab, absl::Duration period)
      : thread_([this, &bench_lab, period] {
          absl::StatusOr<lab::NetnsEntry> inside = bench_lab.Enter(lab::End::kReflector);
          if (!inside.ok()) return;
          httplib::Client client("127.0.0.1", 9842);
          client.set_read_timeout(2);
          absl::Time next = absl::Now();
          while (!stop_.load()) {
            httplib::Result result = client.Get("/metrics");
            ++(result && result->status == 200 ? ok_ : failed_);
            next += period;
            absl::SleepFor(next - absl::Now());
          }
        }) {}
  ~Scraper() {
    stop_.store(true);
    thread_.join();
  }
  int ok() const { return ok_.load(); }
  int failed() const { return failed_.load(); }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<int> ok_{0};
  std::atomic<int> failed_{0};
  std::thread thread_;
};

// What an on/off check compares: one data path flat out with reflectord started afresh each
// run, without and with something switched on (extra flags, a scraper of /metrics).
struct OnOffCheck {
  std::string name;        // "scrape check"
  std::string datapath;    // "xdp"
  std::string on_what;     // "with /metrics scraped every 100ms"
  std::vector<std::string> on_flags;
  std::vector<std::string> off_flags;
  double target = 0.98;  // the median ratio on / off should be at least this
  bool scrape = false;
  // Given the "on" run's reflectord summary, a note on it (counts) and whether it is right.
  std::function<std::pair<std::string, bool>(const std::string& summary)> judge_on;
};

// Per frame size, `pairs` alternating max-load runs without and with `check`'s "on". Appends
// a line per size to `report`: each pair's reflected rates and the median ratio (a benchmark,
// not a test: the machine's noise is in it; the target is check.target). False when a run
// failed or judge_on said so.
bool RunOnOffCheck(lab::ReflectorLab& bench_lab, Tester& tester, const Settings& settings,
                   int pairs, const OnOffCheck& check, std::string* report) {
  constexpr absl::Duration kScrapePeriod = absl::Milliseconds(100);
  bool complete = true;
  for (const size_t size : settings.sizes) {
    PairRuns runs;  // baseline_fps: off; xdp_fps: on
    runs.frame_size = size;
    int scrapes = 0;
    int failed = 0;
    std::string on_notes;
    for (int i = 0; i < pairs && runs.error.empty(); ++i) {
      for (const bool on : {false, true}) {
        absl::StatusOr<std::unique_ptr<ReflectorUnderTest>> reflector = ReflectorUnderTest::Start(
            bench_lab, check.datapath, settings, on ? check.on_flags : check.off_flags);
        if (!reflector.ok()) {
          runs.error = absl::StrCat(check.datapath, " did not start: ",
                                    reflector.status().message());
          break;
        }
        std::optional<Scraper> scraper;
        if (on && check.scrape) scraper.emplace(bench_lab, kScrapePeriod);
        const absl::StatusOr<nlohmann::json> result = FlatOut(tester, settings, size);
        if (scraper) {
          scrapes += scraper->ok();
          failed += scraper->failed();
          scraper.reset();
        }
        const absl::StatusOr<std::string> stopped = (*reflector)->Stop();
        if (!result.ok() || !stopped.ok()) {
          runs.error = std::string(!result.ok() ? result.status().message()
                                                : stopped.status().message());
          break;
        }
        if (on && check.judge_on) {
          const auto [note, right] = check.judge_on(*stopped);
          absl::StrAppend(&on_notes, on_notes.empty() ? "" : "; ", note);
          complete = complete && right;
        }
        (on ? runs.xdp_fps : runs.baseline_fps).push_back(Number(*result, "rx_fps"));
      }
    }
    if (!runs.error.empty()) {
      complete = false;
      absl::StrAppendFormat(report, "%s, %s, %zu-byte frames: %s\n", check.name,
                            check.datapath, size, runs.error);
      continue;
    }
    std::string each;
    for (size_t i = 0; i < runs.xdp_fps.size(); ++i) {
      absl::StrAppend(&each, i ? ", " : "", absl::StrFormat("%.0f / %.0f", runs.xdp_fps[i],
                                                            runs.baseline_fps[i]));
    }
    if (check.scrape) {
      on_notes = absl::StrFormat("%d scrapes answered, %d failed", scrapes, failed);
      complete = complete && failed == 0;
    }
    const std::optional<double> ratio = MedianPairRatio(runs);
    absl::StrAppendFormat(
        report,
        "%s, %s, %zu-byte frames: reflected frames/s %s / without: %s; median ratio %.3f "
        "(the target: >= %.2f)%s%s\n",
        check.name, check.datapath, size, check.on_what, each, ratio.value_or(0), check.target,
        on_notes.empty() ? "" : "; ", on_notes);
  }
  return complete;
}

// The scrape check (issue 15): xdp with a Prometheus scraper of /metrics every 100 ms.
OnOffCheck ScrapeCheck() {
  OnOffCheck check;
  check.name = "scrape check";
  check.datapath = "xdp";
  check.on_what = "with /metrics scraped every 100ms";
  check.scrape = true;
  return check;
}

// The sessions check (issue 15: per-tester sessions cost "within 10 % of today's" per frame,
// here as users feel it: the reflected rate at max load): `datapath` started with
// --sessions=false, then as it runs by default, in turns. A rate 10 % lower would be a ratio
// of 0.91.
OnOffCheck SessionsCheck(const std::string& datapath) {
  OnOffCheck check;
  check.name = "sessions check";
  check.datapath = datapath;
  check.on_what = "with per-tester sessions counted";
  check.off_flags = {"--sessions=false"};
  check.target = 0.91;
  return check;
}

constexpr int kCaptureCheckSample = 1000;
constexpr int kCaptureCheckRate = 1000;

// The capture check (issue 21): a capture of 1 in 1000 reflected frames, at most 1000 a
// second, on `datapath`. The capture must hold its limits at max load: no more frames than
// the rate allows over the daemon's run (plus one window of the per-second bound), and some.
OnOffCheck CaptureCheck(const Settings& settings, const std::string& datapath) {
  OnOffCheck check;
  check.name = "capture check";
  check.datapath = datapath;
  check.on_what = absl::StrFormat("with a capture of 1 in %d reflected, at most %d/s",
                                  kCaptureCheckSample, kCaptureCheckRate);
  check.on_flags = {absl::StrCat("--capture=", settings.log_dir, "/capture-check.pcapng"),
                    "--capture_select=reflected",
                    absl::StrCat("--capture_sample=", kCaptureCheckSample),
                    absl::StrCat("--capture_rate=", kCaptureCheckRate)};
  check.judge_on = [](const std::string& summary) -> std::pair<std::string, bool> {
    uint64_t captured = 0;
    uint64_t dropped = 0;
    uint64_t reflected = 0;
    double seconds = 0;
    const size_t at = summary.find("capture: captured ");
    const size_t refl = summary.find("reflected ");
    const size_t after = summary.find("summary after ");
    if (at == std::string::npos || refl == std::string::npos || after == std::string::npos ||
        std::sscanf(summary.c_str() + at, "capture: captured %" SCNu64 ", dropped %" SCNu64,
                    &captured, &dropped) != 2 ||
        std::sscanf(summary.c_str() + refl, "reflected %" SCNu64, &reflected) != 1) {
      return {"no capture counts in the summary", false};
    }
    // "summary after 3.52s:" or "2m0.5s": only seconds are expected for a bench run.
    std::sscanf(summary.c_str() + after, "summary after %lfs", &seconds);
    const double allowed = kCaptureCheckRate * (seconds + 1);
    const double sampled = static_cast<double>(reflected) / kCaptureCheckSample;
    const bool right = captured > 0 && captured <= allowed && captured <= sampled + 1;
    return {absl::StrFormat("captured %d (1 in %d of %d reflected = %.0f, the rate allows %.0f "
                            "over %.1f s), capture dropped %d%s",
                            captured, kCaptureCheckSample, reflected, sampled, allowed, seconds,
                            dropped, right ? "" : ": LIMITS NOT HELD"),
            right};
  };
  return check;
}

void Measure(Tester& tester, const Settings& settings, Row& row) {
  const std::string size_flag = absl::StrCat("--frame_size=", row.frame_size);
  const std::string signature_flag = "--signature=" + SignatureFor(row.frame_size);
  auto record = [&row](const absl::Status& status) { Record(row, status); };
  // A receive mode (busy polling, the RX ring) is about the round trip at a moderate rate:
  // its row has that alone.
  if (settings.rtt_only || lab::FindDataPathVariant(row.reflector) != nullptr) {
    if (absl::Status rtt = MeasureRtt(tester, settings, row); !rtt.ok()) record(rtt);
    return;
  }

  const absl::StatusOr<nlohmann::json> flat_out = FlatOut(tester, settings, row.frame_size);
  if (!flat_out.ok()) return record(flat_out.status());
  const nlohmann::json& r = *flat_out;
  row.offered_fps = Number(r, "tx_fps");
  row.reflected_fps = Number(r, "rx_fps");
  row.loss_percent = Number(r, "loss_percent");

  const absl::StatusOr<nlohmann::json> search =
      tester.Run({"--engine=linerate", "--search", "--loss_threshold=0",
                  "--search_sizes=" + absl::StrCat(row.frame_size), signature_flag,
                  "--duration=" + absl::FormatDuration(settings.search_duration),
                  absl::StrCat("--search_trials=", settings.search_trials),
                  absl::StrCat("--search_resolution=", settings.search_resolution)},
                 (settings.search_duration + absl::Seconds(1)) * (settings.search_trials + 1));
  if (!search.ok()) return record(search.status());
  const nlohmann::json& searches = (*search)["searches"];
  if (!searches.is_array() || searches.empty()) {
    return record(absl::InternalError("ito-tester's search report has no frame size"));
  }
  row.zero_loss_fps = Number(searches[0], "throughput_fps");
  // What ended the search (search.h SearchBound): "tester" when the figure is a trial that
  // lost nothing at the highest rate the tester could send.
  row.search_bound = searches[0].value("bound", std::string("-"));

  if (absl::Status rtt = MeasureRtt(tester, settings, row); !rtt.ok()) record(rtt);
}

std::string CpuModel() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (absl::StartsWith(line, "model name")) {
      const size_t colon = line.find(':');
      if (colon != std::string::npos) {
        return std::string(absl::StripAsciiWhitespace(line.substr(colon + 1)));
      }
    }
  }
  return "unknown CPU";
}

std::string Machine() {
  utsname name = {};
  uname(&name);
  return absl::StrCat(CpuModel(), ", ", sysconf(_SC_NPROCESSORS_ONLN), " online CPUs, kernel ",
                      name.release, " (", name.machine, "); load average at start ",
                      absl::StripAsciiWhitespace(ReadFile("/proc/loadavg").substr(0, 14)));
}

absl::StatusOr<Settings> ReadSettings() {
  Settings s;
  for (absl::string_view size : absl::StrSplit(absl::GetFlag(FLAGS_sizes), ',')) {
    size_t value = 0;
    if (!absl::SimpleAtoi(size, &value) || value < 64 || value > 1514) {
      return absl::InvalidArgumentError(
          absl::StrCat("--sizes: \"", size, "\" is not a frame size in 64..1514"));
    }
    s.sizes.push_back(value);
  }
  for (absl::string_view name : absl::StrSplit(absl::GetFlag(FLAGS_reflectors), ',')) {
    if (name != kBaseline && name != "xdp" && name != "afxdp" && name != "afpacket" &&
        name != "dpdk" && lab::FindDataPathVariant(name) == nullptr) {
      std::string modes;
      for (const auto& variant : lab::DataPathVariants()) {
        absl::StrAppend(&modes, ", ", variant.name);
      }
      return absl::InvalidArgumentError(absl::StrCat(
          "--reflectors: \"", name, "\" is none of baseline, xdp, afxdp, afpacket, dpdk", modes));
    }
    s.reflectors.emplace_back(name);
  }
  s.linerate_duration = absl::GetFlag(FLAGS_linerate_duration);
  s.search_duration = absl::GetFlag(FLAGS_search_duration);
  s.rtt_duration = absl::GetFlag(FLAGS_rtt_duration);
  if (s.linerate_duration <= absl::ZeroDuration() || s.search_duration <= absl::ZeroDuration() ||
      s.rtt_duration <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("every --*_duration must be above 0");
  }
  s.search_trials = absl::GetFlag(FLAGS_search_trials);
  s.search_resolution = absl::GetFlag(FLAGS_search_resolution);
  if (s.search_trials < 1) return absl::InvalidArgumentError("--search_trials must be >= 1");
  s.rtt_rate = absl::GetFlag(FLAGS_rtt_rate);
  s.rtt_only = absl::GetFlag(FLAGS_rtt_only);
  const long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  s.tester_cpu = absl::GetFlag(FLAGS_tester_cpu);
  s.reflector_cpu = absl::GetFlag(FLAGS_reflector_cpu);
  if (s.tester_cpu >= cpus || s.reflector_cpu >= cpus) {
    return absl::InvalidArgumentError(
        absl::StrCat("--tester_cpu and --reflector_cpu must be below ", cpus, " (or -1)"));
  }
  return s;
}

// Where the results go: the flag, else BENCHMARKS.md in the workspace under `bazel run`.
std::string OutputPath() {
  const std::string flag = absl::GetFlag(FLAGS_output);
  if (flag == "none") return "";
  if (!flag.empty()) return flag;
  if (absl::GetFlag(FLAGS_rtt_only)) return "";  // a partial table must not replace the full one
  const char* workspace = std::getenv("BUILD_WORKSPACE_DIRECTORY");
  return workspace != nullptr ? absl::StrCat(workspace, "/BENCHMARKS.md") : "";
}

// The bench's lab. IPv4 on both ends: ito-tester binds a UDP socket to the tester's address for
// the run, where reflections passed to the stack land instead of drawing port unreachables. No
// lab program on the tester end: ito-tester brings its own.
absl::StatusOr<std::unique_ptr<lab::ReflectorLab>> CreateBenchLab(const Settings& settings) {
  lab::ReflectorLabOptions options;
  options.ipv6 = false;
  options.tester_addresses = true;
  options.tester_xdp_pass = false;
  options.tester_socket = false;
  options.output_dir = settings.log_dir;
  return lab::ReflectorLab::Create(options);
}

int Main(int argc, char** argv) {
  if (geteuid() != 0) {
    std::fprintf(stderr,
                 "bench: needs root (CAP_SYS_ADMIN for namespaces, CAP_NET_ADMIN and CAP_BPF "
                 "for XDP)\n");
    return 2;
  }
  absl::StatusOr<Settings> settings = ReadSettings();
  if (!settings.ok()) {
    std::fprintf(stderr, "bench: %s\n", std::string(settings.status().message()).c_str());
    return 2;
  }
  const absl::StatusOr<std::string> tester_binary = lab::RunfilePath("tools/ito-tester");
  if (!tester_binary.ok()) {
    std::fprintf(stderr, "bench: %s\n", std::string(tester_binary.status().message()).c_str());
    return 1;
  }
  const char* tmp = std::getenv("TEST_TMPDIR");
  settings->log_dir = absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/rfbench", getpid());
  std::error_code error;
  std::filesystem::create_directories(settings->log_dir, error);
  if (error) {
    std::fprintf(stderr, "bench: create %s: %s\n", settings->log_dir.c_str(),
                 error.message().c_str());
    return 1;
  }

  // Children inherit it: the tester, reflectord and its (possibly spinning) workers.
  const int nice = absl::GetFlag(FLAGS_nice);
  if (setpriority(PRIO_PROCESS, 0, nice) != 0) {
    std::fprintf(stderr, "bench: --nice=%d: %s\n", nice, std::strerror(errno));
    return 2;
  }
  const AutogroupNice autogroup(nice);
  const std::string machine = Machine();
  std::vector<std::string> args(argv + 1, argv + argc);
  const std::string command =
      absl::StrCat("bazel run -c opt //tools/bench:bench",
                   args.empty() ? "" : absl::StrCat(" -- ", absl::StrJoin(args, " ")));
  std::printf("reflector benchmark: %s\nmachine: %s\n", command.c_str(), machine.c_str());
  std::fflush(stdout);

  bool complete = true;
  // First, on a quiet lab: the kernel's own per-run timing of the two XDP programs.
  ProgCostOptions cost_options;
  cost_options.repeat = settings->rtt_only ? 0
                        : static_cast<uint32_t>(std::max(0, absl::GetFlag(FLAGS_prog_cost_repeat)));
  cost_options.rounds = std::max(1, absl::GetFlag(FLAGS_prog_cost_rounds));
  std::string costs_text;
  std::string costs_markdown;
  std::optional<ClockCost> clock_cost;  // again beside the STAMP comparison
  if (cost_options.repeat > 0) {
    const absl::StatusOr<std::vector<CostRow>> costs = MeasureCosts(cost_options);
    if (costs.ok()) {
      costs_text = FormatCosts(*costs, cost_options, /*markdown=*/false);
      costs_markdown = FormatCosts(*costs, cost_options, /*markdown=*/true);
      // Beside the STAMP row: what its two clock reads cost on this host (issue 14).
      const absl::StatusOr<ClockCost> clock = MeasureClockCost(cost_options);
      if (clock.ok()) clock_cost = *clock;
      AppendFigure(clock, "Clock read cost", FormatClockCost, costs_text, costs_markdown,
                   complete);
      AppendFigure(
          MeasureSessionCost(cost_options), "Sessions cost",
          [&](const std::vector<SessionCost>& sessions, bool markdown) {
            return FormatSessionCost(sessions, cost_options, markdown);
          },
          costs_text, costs_markdown, complete);
      AppendFigure(MeasureGuardCost(cost_options), "Loop guard cost", FormatGuardCost, costs_text,
                   costs_markdown, complete);
    } else {
      complete = false;
      costs_text = costs_markdown =
          absl::StrCat("Per-program cost: not measured: ", costs.status().ToString(), "\n");
    }
  }
  if (absl::GetFlag(FLAGS_prog_cost_only)) {
    std::printf("\n%s", costs_text.c_str());
    return complete ? 0 : 1;
  }
  const std::vector<std::string> capture_paths = absl::GetFlag(FLAGS_capture_check);
  const std::vector<std::string> sessions_paths = absl::GetFlag(FLAGS_sessions_check);
  if (absl::GetFlag(FLAGS_scrape_check) || !capture_paths.empty() || !sessions_paths.empty()) {
    std::vector<OnOffCheck> checks;
    if (absl::GetFlag(FLAGS_scrape_check)) checks.push_back(ScrapeCheck());
    for (const std::string& datapath : capture_paths) {
      checks.push_back(CaptureCheck(*settings, datapath));
    }
    for (const std::string& datapath : sessions_paths) checks.push_back(SessionsCheck(datapath));
    absl::StatusOr<std::unique_ptr<lab::ReflectorLab>> bench_lab = CreateBenchLab(*settings);
    if (!bench_lab.ok()) {
      std::fprintf(stderr, "bench: lab: %s\n", bench_lab.status().ToString().c_str());
      return 1;
    }
    Tester tester(**bench_lab, *settings);
    std::printf("\n");
    bool complete = true;
    for (const OnOffCheck& check : checks) {
      std::string report;
      complete = RunOnOffCheck(**bench_lab, tester, *settings, absl::GetFlag(FLAGS_xdp_pairs),
                               check, &report) &&
                 complete;
      std::printf("%s", report.c_str());
    }
    return complete ? 0 : 1;
  }

  std::vector<Row> rows;
  std::vector<PairRuns> pairs;
  std::optional<PairRuns> stamp_pairs;
  std::string sessions_rates;  // the sessions check's lines (xdp), beside the per-program cost
  std::vector<std::string> notes;
  {
    absl::StatusOr<std::unique_ptr<lab::ReflectorLab>> bench_lab = CreateBenchLab(*settings);
    if (!bench_lab.ok()) {
      std::fprintf(stderr, "bench: lab: %s\n", bench_lab.status().ToString().c_str());
      return 1;
    }
    Tester tester(**bench_lab, *settings);
    for (const std::string& name : settings->reflectors) {
      const absl::Time start = absl::Now();
      std::fprintf(stderr, "bench: %s ...\n", name.c_str());
      absl::StatusOr<std::unique_ptr<ReflectorUnderTest>> reflector =
          ReflectorUnderTest::Start(**bench_lab, name, *settings);
      for (const size_t size : settings->sizes) {
        Row row;
        row.frame_size = size;
        row.reflector = name;
        if (reflector.ok()) {
          Measure(tester, *settings, row);
        } else {
          row.error = absl::StrCat("did not start: ", reflector.status().message());
        }
        complete = complete && row.error.empty();
        rows.push_back(std::move(row));
      }
      if (reflector.ok()) {
        const absl::StatusOr<std::string> summary = (*reflector)->Stop();
        if (!summary.ok()) complete = false;
        if (name != kBaseline) {
          notes.push_back(
              absl::StrCat(name, ": ", summary.ok() ? *summary : summary.status().ToString()));
        }
      }
      const absl::Status leftover = (*bench_lab)->CheckNothingAttached();
      if (!leftover.ok()) {
        complete = false;
        notes.push_back(absl::StrCat(name, ": after stopping: ", leftover.message()));
      }
      std::fprintf(
          stderr, "bench: %s done in %s\n", name.c_str(),
          absl::FormatDuration(absl::Trunc(absl::Now() - start, absl::Seconds(1))).c_str());
    }
    const bool both = absl::c_linear_search(settings->reflectors, kBaseline) &&
                      absl::c_linear_search(settings->reflectors, "xdp");
    if (both && !settings->rtt_only && absl::GetFlag(FLAGS_xdp_pairs) > 0) {
      std::fprintf(stderr, "bench: alternating pairs ...\n");
      pairs = MeasurePairs(**bench_lab, tester, *settings, absl::GetFlag(FLAGS_xdp_pairs));
      for (const PairRuns& runs : pairs) complete = complete && runs.error.empty();
    }
    if (absl::c_linear_search(settings->reflectors, "xdp") && !settings->rtt_only &&
        absl::GetFlag(FLAGS_stamp_pairs) > 0) {
      std::fprintf(stderr, "bench: STAMP vs ITO pairs ...\n");
      stamp_pairs =
          MeasureStampPairs(**bench_lab, tester, *settings, absl::GetFlag(FLAGS_stamp_pairs));
      complete = complete && stamp_pairs->error.empty();
    }
    if (absl::c_linear_search(settings->reflectors, "xdp") && !settings->rtt_only &&
        absl::GetFlag(FLAGS_xdp_pairs) > 0) {
      std::fprintf(stderr, "bench: sessions on vs off ...\n");
      complete = RunOnOffCheck(**bench_lab, tester, *settings, absl::GetFlag(FLAGS_xdp_pairs),
                               SessionsCheck("xdp"), &sessions_rates) &&
                 complete;
    }
  }  // the namespaces, the veth pair and all attachments go here
  const absl::StatusOr<QueueReport> queues =
      RunQueueRows(settings->rtt_only ? "none" : absl::GetFlag(FLAGS_queue_rows),
                   settings->reflectors, settings->sizes,
                   settings->linerate_duration, settings->log_dir);
  if (!queues.ok()) std::fprintf(stderr, "bench: %s\n", queues.status().ToString().c_str());
  complete = complete && queues.ok() && queues->complete;

  std::printf("\n%s", FormatTable(rows, /*markdown=*/false).c_str());
  if (!pairs.empty()) std::printf("\n%s", FormatPairs(pairs, /*markdown=*/false).c_str());
  if (stamp_pairs) {
    std::printf("\n%s", FormatStampPairs(*stamp_pairs, clock_cost, /*markdown=*/false).c_str());
  }
  if (queues.ok() && !queues->text.empty()) std::printf("\n%s", queues->text.c_str());
  if (!costs_text.empty()) std::printf("\n%s", costs_text.c_str());
  if (!sessions_rates.empty()) std::printf("\n%s", sessions_rates.c_str());
  const std::string settings_text =
      absl::StrCat("sizes ", absl::GetFlag(FLAGS_sizes),
                   " (signature rfc2544 below 68 bytes, ITO LATENCY "
                   "above); max load: line-rate engine flat out for ",
                   absl::FormatDuration(settings->linerate_duration),
                   "; zero-loss: line-rate engine RFC 2544 search, ", settings->search_trials,
                   " trials of ", absl::FormatDuration(settings->search_duration),
                   " at most, resolution ", settings->search_resolution,
                   ", paced per frame by the tester's program, at most 64 frames back to back "
                   "(bound: what ended the search: loss, or the tester's ceiling with nothing "
                   "lost at the rate it sent); RTT: precise engine at ",
                   settings->rtt_rate, " fps for ", absl::FormatDuration(settings->rtt_duration),
                   " (from the kernel's software transmit stamp to its receive stamp; a row "
                   "says so where it had to start at the send call)",
                   "; ito-tester on CPU ", settings->tester_cpu, ", reflectord workers on CPU ",
                   settings->reflector_cpu, ", both at niceness ", absl::GetFlag(FLAGS_nice),
                   " (", autogroup.Describe(), ")");
  std::printf("\nsettings: %s\n", settings_text.c_str());
  for (const std::string& note : notes) std::printf("\n%s", note.c_str());
  std::printf("\n");

  const std::string output = OutputPath();
  if (!output.empty()) {
    std::string block = absl::StrCat(
        "## Results\n\nCommand: `", command, "`  \nMachine: ", machine,
        "  \nDate: ", absl::FormatTime("%Y-%m-%d %H:%M UTC", absl::Now(), absl::UTCTimeZone()),
        "  \nSettings: ", settings_text, "\n\n", FormatTable(rows, /*markdown=*/true),
        pairs.empty() ? "" : absl::StrCat("\n", FormatPairs(pairs, /*markdown=*/true)),
        stamp_pairs ? absl::StrCat("\n", FormatStampPairs(*stamp_pairs, clock_cost,
                                                          /*markdown=*/true))
                    : "",
        queues.ok() && !queues->markdown.empty() ? absl::StrCat("\n", queues->markdown) : "",
        costs_markdown.empty() ? "" : absl::StrCat("\n", costs_markdown),
        sessions_rates.empty()
            ? ""
            : absl::StrCat("\n**Sessions on vs off at max load** (reflectord with "
                           "`--sessions=false`, then as it runs by default, in turns):\n\n",
                           absl::StrReplaceAll(sessions_rates, {{"\n", "\n\n"}})),
        "\nreflectord's own counters at the end of each data path's run:\n\n```\n");
    for (const std::string& note : notes)
      absl::StrAppend(&block, note, note.back() == '\n' ? "" : "\n");
    absl::StrAppend(&block, "```\n");
    const std::string updated = SpliceGenerated(ReadFile(output), block);
    std::ofstream out(output, std::ios::trunc);
    out << updated;
    out.close();
    if (!out) {
      std::fprintf(stderr, "bench: could not write %s\n", output.c_str());
      return 1;
    }
    std::printf("wrote %s\n", output.c_str());
  }
  if (!absl::GetFlag(FLAGS_keep_logs) && complete) {
    std::filesystem::remove_all(settings->log_dir, error);
  } else {
    std::printf("logs: %s\n", settings->log_dir.c_str());
  }
  return complete ? 0 : 1;
}

}  // namespace
}  // namespace reflector::bench

int main(int argc, char** argv) {
  constexpr reflector::base::ProgramInfo kProgram = {
      "bench",
      "benchmarks reflectord's data paths against a bare XDP_TX MAC swap on a veth lab.\n"
      "  bazel run -c opt //tools/bench:bench [-- --sizes=64,512 --reflectors=baseline,xdp]",
      __FILE__, ""};
  if (const std::optional<int> done = reflector::base::ParseCommandLine(kProgram, argc, argv)) {
    return *done;
  }
  return reflector::bench::Main(argc, argv);
}
