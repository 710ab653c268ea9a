#include "reflector/engine/capture/capture_writer.h"

#include <bpf/libbpf.h>
#include <time.h>

#include <cstring>

#include "absl/strings/str_cat.h"

namespace reflector::engine::capture {
namespace {

int64_t Nanos(clockid_t clock) {
  timespec ts = {};
  clock_gettime(clock, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

// How long the thread sleeps between drains when the kernel ring is quiet (or absent).
constexpr int kPollMs = 20;

}  // namespace

CaptureWriter::CaptureWriter(CaptureSources sources, std::string interface_name)
    : sources_(std::move(sources)), interface_name_(std::move(interface_name)) {
  if (sources_.kernel_ring_fd >= 0) {
    ring_ = ring_buffer__new(sources_.kernel_ring_fd, &CaptureWriter::OnKernelRecord, this,
                             nullptr);
  }
  thread_ = std::thread([this] { Run(); });
}

CaptureWriter::~CaptureWriter() {
  StopSources();
  stop_.store(true);
  thread_.join();
  if (ring_ != nullptr) ring_buffer__free(ring_);
}

void CaptureWriter::StartSources(const Selection& selection) {
  const int taps = static_cast<int>(sources_.taps.size());
  // With a kernel program in front, it captures what it rejects (it sees every frame); the
  // workers then capture only what they reflect, so no frame is written twice.
  Selection for_taps = selection;
  if (sources_.kernel_ring_fd >= 0) for_taps.verdicts &= 1u << RF_REFLECT;
  for (CaptureTap* tap : sources_.taps) tap->Set(ToWire(options_, for_taps, taps));
  if (sources_.configure_kernel) {
    sources_.configure_kernel(ToWire(options_, selection, sources_.kernel_cpus));
  }
}

void CaptureWriter::StopSources() {
  for (CaptureTap* tap : sources_.taps) tap->Set({});
  if (sources_.configure_kernel) sources_.configure_kernel({});
}

absl::Status CaptureWriter::TryOpen(const CaptureOptions& options) const {
  // The running capture's own file is writable and must not be reopened: opening truncates,
  // and a change of sampling or limits alone names the same file.
  if (!options.enabled() || (options_.enabled() && options.path == options_.path)) {
    return absl::OkStatus();
  }
  return CaptureSink::Open(options, interface_name_).status();
}

absl::Status CaptureWriter::Apply(const CaptureOptions& options,
                                  const packet::CompiledConfig& config) {
  absl::StatusOr<Selection> selection = Selection{};
  if (options.enabled()) selection = ResolveSelection(options.select, config.rules);
  {
    absl::MutexLock lock(&mu_);
    config_ = config;
  }
  absl::MutexLock drain(&drain_mu_);
  const bool same = options == options_ && options.enabled();
  if (same && selection.ok()) {
    bool open = false;
    {
      absl::MutexLock lock(&mu_);
      open = sink_.has_value() && sink_->open();
    }
    // The rule table may have moved: rule bits follow the names.
    if (open) StartSources(*selection);
    return absl::OkStatus();
  }
  // Stop the sources first, then take what they queued into the old file, then switch.
  StopSources();
  DrainAll();
  options_ = options;
  {
    absl::MutexLock lock(&mu_);
    if (sink_) {
      const CaptureStats& old = sink_->stats();
      finished_.captured += old.captured;
      finished_.limited += old.limited;
      finished_.bounded += old.bounded;
      sink_.reset();
    }
    noticed_ = false;
  }
  if (!selection.ok()) {
    options_.path.clear();
    return selection.status();
  }
  if (!options.enabled()) return absl::OkStatus();
  absl::StatusOr<CaptureSink> sink = CaptureSink::Open(options, interface_name_);
  if (!sink.ok()) {
    options_.path.clear();
    return sink.status();
  }
  {
    absl::MutexLock lock(&mu_);
    sink_.emplace(*std::move(sink));
  }
  StartSources(*selection);
  return absl::OkStatus();
}

int CaptureWriter::OnKernelRecord(void* self, void* data, size_t size) {
  auto* writer = static_cast<CaptureWriter*>(self);
  rf_capture_record record;
  if (size < sizeof(record)) return 0;
  std::memcpy(&record, data, sizeof(record));
  const size_t captured = std::min<size_t>(record.captured, size - sizeof(record));
  writer->Consume(record,
                  absl::MakeConstSpan(static_cast<const uint8_t*>(data) + sizeof(record),
                                      captured));
  return 0;
}

void CaptureWriter::Consume(const rf_capture_record& record, absl::Span<const uint8_t> bytes) {
  absl::MutexLock lock(&mu_);
  if (!sink_) {
    ++discarded_.bounded;
    return;
  }
  const absl::Time time =
      absl::FromUnixNanos(static_cast<int64_t>(record.time_ns) + clock_offset_ns_);
  const bool was_open = sink_->open();
  sink_->Write(record, bytes, time, record.time_ns, config_);
  // Stop the sources: nothing more can be written until the next Apply.
  if (was_open && !sink_->open()) StopSources();
}

void CaptureWriter::DrainAll() {
  clock_offset_ns_ = Nanos(CLOCK_REALTIME) - Nanos(CLOCK_MONOTONIC);
  if (ring_ != nullptr) ring_buffer__consume(ring_);
  for (CaptureTap* tap : sources_.taps) {
    tap->Drain([this](const TapSlot& slot) {
      Consume(slot.record, absl::MakeConstSpan(slot.data, slot.record.captured));
    });
  }
}

void CaptureWriter::Run() {
  while (!stop_.load()) {
    if (ring_ != nullptr) {
      absl::MutexLock drain(&drain_mu_);
      clock_offset_ns_ = Nanos(CLOCK_REALTIME) - Nanos(CLOCK_MONOTONIC);
      ring_buffer__poll(ring_, kPollMs);
    } else {
      timespec wait = {0, kPollMs * 1000000L};
      nanosleep(&wait, nullptr);
    }
    absl::MutexLock drain(&drain_mu_);
    DrainAll();
  }
  absl::MutexLock drain(&drain_mu_);
  DrainAll();
}

void CaptureWriter::Flush() {
  absl::MutexLock drain(&drain_mu_);
  DrainAll();
}

CaptureStats CaptureWriter::stats() const {
  CaptureStats total;
  {
    absl::MutexLock lock(&mu_);
    total = finished_;
    total.bounded += discarded_.bounded;
    if (sink_) {
      total.captured += sink_->stats().captured;
      total.limited += sink_->stats().limited;
      total.bounded += sink_->stats().bounded;
    }
  }
  for (const CaptureTap* tap : sources_.taps) {
    const TapCounts counts = tap->counts();
    total.limited += counts.limited;
    total.ring_full += counts.ring_full;
  }
  if (sources_.kernel_counts) {
    const TapCounts counts = sources_.kernel_counts();
    total.limited += counts.limited;
    total.ring_full += counts.ring_full;
  }
  return total;
}

std::optional<std::string> CaptureWriter::TakeNotice() {
  absl::MutexLock lock(&mu_);
  if (noticed_ || !sink_ || sink_->open()) return std::nullopt;
  noticed_ = true;
  return sink_->stopped();
}

}  // namespace reflector::engine::capture
