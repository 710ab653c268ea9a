// The benchmark's multi-queue rows (issue 19): afxdp and afpacket with one worker on a
// one-queue veth and with one worker per queue on a two-queue veth, at maximum offered load.
// ito-tester's line-rate engine sends from the CPUs without a worker, or from every CPU when
// the workers have them all (CpusFor), each over 8 source ports (--linerate_ports): veth hands
// frames sent on CPU q to the reflector's RX queue q, and the flows hash to afpacket's fanout
// members. Each worker's rate is its share of reflectord's
// per-worker counters (the JSON stats line's "workers", read before and after the trial) over the
// tester's sending span; the total is what came back to the tester.
#ifndef REFLECTOR_TOOLS_BENCH_QUEUES_H_
#define REFLECTOR_TOOLS_BENCH_QUEUES_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace reflector::bench {

struct QueueRunSettings {
  std::vector<size_t> sizes;
  std::vector<std::string> datapaths;  // of afxdp and afpacket, in order
  std::vector<int> queue_counts;       // e.g. {1, 2}
  absl::Duration duration;             // of each flat-out trial
  std::string log_dir;                 // the children's output
};

struct QueueRow {
  size_t frame_size = 0;
  std::string datapath;
  int queues = 0;  // veth queues = reflectord workers
  std::vector<int> tester_cpus;
  std::vector<int> worker_cpus;
  double offered_fps = 0;
  double reflected_fps = 0;        // at the tester
  std::vector<double> worker_fps;  // reflected by each worker, in queue order
  std::string error;               // empty when measured
};

// Where a row's programs run on a machine with `cpus` CPUs (of which the rows use two at
// most): one worker on the last CPU, as in the main table, or worker w on CPU w; the tester
// sends from the CPUs no worker has. Only when the workers take every CPU does the tester share
// theirs: a worker beside a line-rate sender gets a fraction of its CPU, which made the
// one-queue rows a starved worker (0.105 Mfps against 0.456 for the same worker alone in the
// main table) and "x 1 queue" a measure of that rather than of the second queue.
struct QueueCpus {
  std::vector<int> tester;
  std::vector<int> workers;
};
QueueCpus CpusFor(int queues, int cpus);

// Runs every row in fresh labs; a row that could not be measured says why.
std::vector<QueueRow> MeasureQueueRows(const QueueRunSettings& settings);

// The rows as a table (aligned text, or Markdown), with the settings in one line above.
std::string FormatQueueRows(const std::vector<QueueRow>& rows, const QueueRunSettings& settings,
                            bool markdown);

// What the bench prints and writes for --queue_rows: the tables, and whether every row was
// measured.
struct QueueReport {
  std::string text;
  std::string markdown;
  bool complete = true;
};

// Runs the rows of `queue_counts` ("1,2"; "none" or "": no rows) for the afxdp and afpacket
// entries of `reflectors`. Fails only for a bad `queue_counts`.
absl::StatusOr<QueueReport> RunQueueRows(absl::string_view queue_counts,
                                         const std::vector<std::string>& reflectors,
                                         const std::vector<size_t>& sizes, absl::Duration duration,
                                         const std::string& log_dir);

}  // namespace reflector::bench

#endif  // REFLECTOR_TOOLS_BENCH_QUEUES_H_
