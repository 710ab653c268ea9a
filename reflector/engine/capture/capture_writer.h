// The live capture (issue 21): one thread that empties the XDP program's capture ring and the
// workers' queues into a CaptureSink. The data path never waits for it: when it falls behind,
// the ring and the queues fill and the frames they have no room for are counted as dropped.
// Apply starts, changes or stops the capture while the data path runs (SIGHUP).
#ifndef REFLECTOR_ENGINE_CAPTURE_CAPTURE_WRITER_H_
#define REFLECTOR_ENGINE_CAPTURE_CAPTURE_WRITER_H_

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "reflector/engine/capture/capture_options.h"
#include "reflector/engine/capture/capture_sink.h"
#include "reflector/engine/capture/capture_sources.h"
#include "reflector/engine/capture/capture_tap.h"
#include "reflector/packet/config.h"

struct ring_buffer;  // libbpf

namespace reflector::engine::capture {

class CaptureWriter {
 public:
  CaptureWriter(CaptureSources sources, std::string interface_name);
  ~CaptureWriter();
  CaptureWriter(const CaptureWriter&) = delete;
  CaptureWriter& operator=(const CaptureWriter&) = delete;

  // Starts the capture `options` describe (or stops it, when options.path is empty), with
  // `config` the rule table in force. Unchanged options only update the rule table. An
  // unwritable path or a selection naming no rule is an error; the previous capture is then
  // stopped and the data path runs on.
  absl::Status Apply(const CaptureOptions& options, const packet::CompiledConfig& config);
  // Whether Apply(options) could open its file, tried before anything changes (the control
  // API's all-or-nothing changes): creates the file with its header and closes it. OK without
  // trying when Apply would open nothing (no capture, or the running one's options).
  absl::Status TryOpen(const CaptureOptions& options) const;

  // Writes what the sources queued so far, now (the thread does so every few milliseconds).
  void Flush();

  // Every frame taken since the writer was made, over every capture it ran.
  CaptureStats stats() const;
  // A line saying why the capture stopped by itself (bound reached, disk full), once.
  std::optional<std::string> TakeNotice();
  const CaptureOptions& options() const { return options_; }

 private:
  void Run();
  void DrainAll() ABSL_EXCLUSIVE_LOCKS_REQUIRED(drain_mu_);
  void Consume(const rf_capture_record& record, absl::Span<const uint8_t> bytes);
  void StartSources(const Selection& selection);
  void StopSources();
  static int OnKernelRecord(void* self, void* data, size_t size);

  CaptureSources sources_;
  const std::string interface_name_;
  ring_buffer* ring_ = nullptr;
  CaptureOptions options_;

  // Held while records are taken from the ring and the queues: one consumer at a time.
  absl::Mutex drain_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  mutable absl::Mutex mu_;
  std::optional<CaptureSink> sink_ ABSL_GUARDED_BY(mu_);
  packet::CompiledConfig config_ ABSL_GUARDED_BY(mu_);
  CaptureStats finished_ ABSL_GUARDED_BY(mu_);  // of the captures before the current one
  CaptureStats discarded_ ABSL_GUARDED_BY(mu_);  // reached the writer with no capture open
  bool noticed_ ABSL_GUARDED_BY(mu_) = false;
  int64_t clock_offset_ns_ ABSL_GUARDED_BY(drain_mu_) = 0;  // REALTIME - MONOTONIC

  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace reflector::engine::capture

#endif  // REFLECTOR_ENGINE_CAPTURE_CAPTURE_WRITER_H_
