#include "tools/bench/queues.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>

#define JSON_NOEXCEPTION 1
#include <nlohmann/json.hpp>

#include "absl/algorithm/container.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "reflector/base/status_macros.h"
#include "reflector/packet/config.h"
#include "reflector/packet/testing/frame_builder.h"
#include "testing/lab/daemon_stats.h"
#include "testing/lab/hosts.h"
#include "testing/lab/lab_process.h"
#include "testing/lab/reflector_lab.h"
#include "testing/lab/xdp_pass.h"
#include "tools/bench/table.h"

namespace reflector::bench {
namespace {

namespace lab = ::reflector::testing::lab;

constexpr absl::Duration kSlack = absl::Seconds(20);  // load, settle, drain, start

std::string CpuList(const std::vector<int>& cpus) { return absl::StrJoin(cpus, ","); }

// reflectord's per-worker reflected counts now (a stats line on request).
absl::StatusOr<std::vector<uint64_t>> WorkerReflected(lab::LabProcess& daemon) {
  REFLECTOR_ASSIGN_OR_RETURN(const lab::DaemonCounters counters,
                             lab::RequestStats(daemon, absl::Seconds(5)));
  std::vector<uint64_t> reflected;
  for (const lab::WorkerShare& worker : counters.workers) {
    reflected.push_back(worker.reflected_frames);
  }
  return reflected;
}

// One row in its own lab: reflectord with `row.queues` workers, the tester flat out from
// every CPU in row.tester_cpus.
absl::Status MeasureRow(const QueueRunSettings& settings, QueueRow& row) {
  lab::ReflectorLabOptions options;
  options.queues = row.queues;
  options.ipv6 = false;
  options.tester_addresses = true;  // ito-tester reserves its source port on this address
  options.tester_xdp_pass = false;  // ito-tester brings its own program
  options.tester_socket = false;
  options.output_dir = settings.log_dir;
  REFLECTOR_ASSIGN_OR_RETURN(std::unique_ptr<lab::ReflectorLab> bench_lab,
                             lab::ReflectorLab::Create(options));
  // afpacket attaches no XDP, and veth delivers the tester's XDP_TX frames only to a peer
  // with XDP on: an XDP_PASS program hands them to the stack as skbs, as a NIC would.
  std::optional<lab::XdpPassProgram> pass;
  if (row.datapath == "afpacket") {
    REFLECTOR_ASSIGN_OR_RETURN(lab::XdpPassProgram program, lab::XdpPassProgram::Load());
    pass.emplace(std::move(program));
    REFLECTOR_ASSIGN_OR_RETURN(lab::NetnsEntry inside, bench_lab->Enter(lab::End::kReflector));
    REFLECTOR_RETURN_IF_ERROR(pass->Attach(bench_lab->ifindex(lab::End::kReflector)));
  }
  REFLECTOR_ASSIGN_OR_RETURN(lab::LabProcess daemon,
                             bench_lab->StartReflectord({"--datapath=" + row.datapath,
                                                         absl::StrCat("--queues=", row.queues),
                                                         "--cpus=" + CpuList(row.worker_cpus)}));
  REFLECTOR_ASSIGN_OR_RETURN(const std::vector<uint64_t> before, WorkerReflected(daemon));

  // RFC 2544 frames at every size: the signature sits at payload offset 0 and fits 64 bytes.
  const std::vector<std::string> argv = {
      "--dst_ip=" + lab::Ipv4Text(packet::testing::kReflectorIpv4),
      "--dst_mac=" + packet::FormatMac(packet::testing::kReflectorMac),
      "--src_ip=" + lab::Ipv4Text(packet::testing::kTesterIpv4), "--engine=linerate", "--rate=max",
      "--signature=rfc2544", absl::StrCat("--frame_size=", row.frame_size),
      "--duration=" + absl::FormatDuration(settings.duration),
      "--linerate_cpus=" + CpuList(row.tester_cpus),
      // 8 source ports per CPU: afpacket's fanout hashes flows, and two flows alone land on
      // one worker half the time.
      "--linerate_ports=8",
      // One sender thread per CPU, not four: the workers share those CPUs with the tester,
      // and the scheduler gives each runnable thread its share.
      "--linerate_threads=1", "--json"};
  REFLECTOR_ASSIGN_OR_RETURN(lab::LabProcess tester, bench_lab->StartItoTester(argv));
  REFLECTOR_ASSIGN_OR_RETURN(const int code, tester.Wait(settings.duration + kSlack));
  if (code != 0 && code != 1) {  // 1: frames were lost, as flat out they may be
    return absl::InternalError(
        absl::StrCat("ito-tester exited with ", code, ": ", tester.Stderr()));
  }
  const nlohmann::json report =
      nlohmann::json::parse(tester.Stdout(), nullptr, /*allow_exceptions=*/false);
  if (report.is_discarded() || !report.contains("result")) {
    return absl::InternalError("ito-tester printed no JSON result");
  }
  const nlohmann::json& result = report["result"];
  auto number = [&result](const char* key) {
    return result.contains(key) && result[key].is_number() ? result[key].get<double>() : 0.0;
  };
  row.offered_fps = number("tx_fps");
  row.reflected_fps = number("rx_fps");
  const double span_s = number("elapsed_s");

  REFLECTOR_ASSIGN_OR_RETURN(const std::vector<uint64_t> after, WorkerReflected(daemon));
  if (after.size() != static_cast<size_t>(row.queues) || before.size() != after.size()) {
    return absl::InternalError(
        absl::StrCat("reflectord reported ", after.size(), " workers, not ", row.queues));
  }
  for (size_t w = 0; w < after.size(); ++w) {
    row.worker_fps.push_back(span_s > 0 ? static_cast<double>(after[w] - before[w]) / span_s : 0);
  }
  REFLECTOR_RETURN_IF_ERROR(daemon.Signal(SIGINT));
  REFLECTOR_ASSIGN_OR_RETURN(const int daemon_code, daemon.Wait(absl::Seconds(10)));
  if (daemon_code != 0) {
    return absl::InternalError(absl::StrCat("reflectord exited with ", daemon_code));
  }
  return absl::OkStatus();
}

std::string Mfps(double fps) { return absl::StrFormat("%.3f", fps / 1e6); }

}  // namespace

QueueCpus CpusFor(int queues, int cpus) {
  QueueCpus placed;
  const int used = std::min(cpus, 2);
  for (int w = 0; w < queues; ++w) placed.workers.push_back(queues == 1 ? cpus - 1 : w);
  for (int cpu = 0; cpu < used; ++cpu) {
    if (!absl::c_linear_search(placed.workers, cpu)) placed.tester.push_back(cpu);
  }
  if (placed.tester.empty()) {
    for (int cpu = 0; cpu < used; ++cpu) placed.tester.push_back(cpu);
  }
  return placed;
}

std::vector<QueueRow> MeasureQueueRows(const QueueRunSettings& settings) {
  const int cpus = static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
  std::vector<QueueRow> rows;
  for (const size_t size : settings.sizes) {
    for (const std::string& datapath : settings.datapaths) {
      for (const int queues : settings.queue_counts) {
        QueueRow row;
        row.frame_size = size;
        row.datapath = datapath;
        row.queues = queues;
        const QueueCpus placed = CpusFor(queues, cpus);
        row.tester_cpus = placed.tester;
        row.worker_cpus = placed.workers;
        std::fprintf(stderr, "bench: %zu-byte frames, %s, %d queue(s) ...\n", size,
                     datapath.c_str(), queues);
        if (queues > cpus) {
          row.error = absl::StrCat(queues, " workers need ", queues, " CPUs");
        } else if (const absl::Status status = MeasureRow(settings, row); !status.ok()) {
          row.error = std::string(status.message());
          std::fprintf(stderr, "bench: %s\n", row.error.c_str());
        }
        rows.push_back(std::move(row));
      }
    }
  }
  return rows;
}

std::string FormatQueueRows(const std::vector<QueueRow>& rows, const QueueRunSettings& settings,
                            bool markdown) {
  const std::vector<std::string> header = {
      "size",         "reflector",      "queues",          "tester cpus", "worker cpus",
      "offered Mfps", "reflected Mfps", "per worker Mfps", "x 1 queue",   "note"};
  std::vector<std::vector<std::string>> cells;
  for (const QueueRow& row : rows) {
    const QueueRow* one = nullptr;
    for (const QueueRow& other : rows) {
      if (other.frame_size == row.frame_size && other.datapath == row.datapath &&
          other.queues == 1 && other.error.empty()) {
        one = &other;
      }
    }
    const bool measured = row.error.empty();
    cells.push_back({
        absl::StrCat(row.frame_size),
        row.datapath,
        absl::StrCat(row.queues),
        CpuList(row.tester_cpus),
        CpuList(row.worker_cpus),
        measured ? Mfps(row.offered_fps) : "-",
        measured ? Mfps(row.reflected_fps) : "-",
        measured
            ? absl::StrJoin(row.worker_fps, " + ",
                            [](std::string* out, double fps) { absl::StrAppend(out, Mfps(fps)); })
            : "-",
        measured && one != nullptr && one->reflected_fps > 0
            ? absl::StrFormat("%.2f", row.reflected_fps / one->reflected_fps)
            : "-",
        measured ? "-" : row.error,
    });
  }
  return absl::StrCat(
      "Multi-queue, max load: ito-tester's line-rate engine flat out for ",
      absl::FormatDuration(settings.duration),
      " from each tester CPU (one sender thread and 8 source ports each, RFC 2544 frames; "
      "the CPUs without a worker, or all where the workers take every CPU: a worker that "
      "shares its CPU with a sender is held back by it), "
      "reflectord with one worker per veth queue; per worker: its reflected frames "
      "(reflectord's JSON \"workers\") over the tester's sending span; x 1 queue: reflected "
      "against the one-queue row.\n\n",
      RenderTable(header, cells, markdown));
}

absl::StatusOr<QueueReport> RunQueueRows(absl::string_view queue_counts,
                                         const std::vector<std::string>& reflectors,
                                         const std::vector<size_t>& sizes, absl::Duration duration,
                                         const std::string& log_dir) {
  QueueRunSettings settings;
  settings.sizes = sizes;
  settings.duration = duration;
  settings.log_dir = log_dir;
  if (!queue_counts.empty() && queue_counts != "none") {
    for (absl::string_view text : absl::StrSplit(queue_counts, ',')) {
      int queues = 0;
      if (!absl::SimpleAtoi(text, &queues) || queues < 1 || queues > 64) {
        return absl::InvalidArgumentError(
            absl::StrCat("--queue_rows: \"", text, "\" is not a queue count in 1..64"));
      }
      settings.queue_counts.push_back(queues);
    }
  }
  for (const std::string& name : reflectors) {
    if (name == "afxdp" || name == "afpacket") settings.datapaths.push_back(name);
  }
  QueueReport report;
  if (settings.queue_counts.empty() || settings.datapaths.empty()) return report;
  const std::vector<QueueRow> rows = MeasureQueueRows(settings);
  for (const QueueRow& row : rows) report.complete = report.complete && row.error.empty();
  report.text = FormatQueueRows(rows, settings, /*markdown=*/false);
  report.markdown = FormatQueueRows(rows, settings, /*markdown=*/true);
  return report;
}

}  // namespace reflector::bench
