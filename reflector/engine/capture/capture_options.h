// The capture's settings (issue 21): where to write, which frames, how many. Parsed from the
// daemon's capture_* settings (and pcap-reflect's flags of the same names), resolved against
// the rule table in force, and turned into the rf_capture_config the data paths test.
#ifndef REFLECTOR_ENGINE_CAPTURE_CAPTURE_OPTIONS_H_
#define REFLECTOR_ENGINE_CAPTURE_CAPTURE_OPTIONS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "reflector/packet/config.h"
#include "reflector/packet/wire.h"

namespace reflector::engine::capture {

struct CaptureOptions {
  std::string path;                 // the pcapng file; empty: no capture
  std::string select = "rejected";  // see ResolveSelection
  uint32_t sample = 1;              // 1 in N selected frames
  uint32_t per_second = 1000;       // frames a second, over the whole capture; 0: no bound
  uint64_t max_frames = 0;          // frames in the file; 0: no bound
  uint64_t max_bytes = 100 << 20;   // file size; 0: no bound
  uint16_t snap = 128;              // bytes kept of each frame
  bool sent = false;                // reflected frames: also the frame as sent
  bool enabled() const { return !path.empty(); }
  friend bool operator==(const CaptureOptions&, const CaptureOptions&) = default;
};

// Parses one setting by its name: capture, capture_select, capture_sample, capture_rate,
// capture_frames, capture_size (bytes, or with k/M/G), capture_snap, capture_sent. Errors name
// the setting.
absl::Status ParseCaptureSetting(absl::string_view name, absl::string_view text,
                                 CaptureOptions* options);

struct Selection {
  uint32_t verdicts = 0;                  // bit v: verdict v (bit RF_REFLECT: reflected)
  uint32_t rules = RF_CAPTURE_ANY_RULE;   // reflected frames: bit r for rule r
  friend bool operator==(const Selection&, const Selection&) = default;
};

// `select` against the rule table: `all`, `reflected`, `rejected`, `rejected:oui,port` (reject
// reasons), or rule names and profile names (`ito` = its rules probeot, dataot, latency),
// comma-separated, for the frames those rules reflect.
absl::StatusOr<Selection> ResolveSelection(absl::string_view select,
                                           const std::vector<packet::Rule>& rules);

// What the data paths test per frame. `per_second` is split over `sources` (CPUs or workers),
// rounded up, so that together they stay near the bound; the writer enforces it exactly.
rf_capture_config ToWire(const CaptureOptions& options, const Selection& selection,
                         int sources);

// "rejected to /tmp/x.pcapng (1 in 10, at most 1000/s, 100 MiB, snap 128)": for the banner.
std::string DescribeCapture(const CaptureOptions& options);

}  // namespace reflector::engine::capture

#endif  // REFLECTOR_ENGINE_CAPTURE_CAPTURE_OPTIONS_H_
